"""Synthetic French population with ground truth, for training, evaluation and benchmarks.

    from matching.synthetic import generate, write
    population = generate(persons=5_000, seed=42)
    population.records   # pyarrow Table in the canonical record format
    population.truth     # record_id -> person_id
    write(population, "out/")

See ``README.md`` in this package for what is simulated and the default error rates.
"""

from matching.synthetic.generator import GENERATOR_VERSION, MISSING, Population, generate
from matching.synthetic.output import OutputError, write
from matching.synthetic.rates import ERROR_DESCRIPTIONS, ErrorRates

__all__ = [
    "ERROR_DESCRIPTIONS",
    "GENERATOR_VERSION",
    "MISSING",
    "ErrorRates",
    "OutputError",
    "Population",
    "generate",
    "write",
]
