"""A small synthetic population and a model trained on it (model and online-scorer tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pytest

from matching.model import TrainedModel, TrainingSettings, train
from matching.standardise import standardise_table
from matching.synthetic import generate

FAST_TRAINING = TrainingSettings(
    u_max_pairs=3e5, em_max_pairs=2e5, prior_sample_records=1_500, seed=3
)


@dataclass(frozen=True)
class Linkage:
    records: pa.Table  # canonical
    truth: pa.Table
    standardised: pa.Table
    model: TrainedModel


@pytest.fixture(scope="session")
def linkage() -> Linkage:
    population = generate(persons=1_200, seed=5)
    standardised = standardise_table(population.records)
    return Linkage(
        records=population.records,
        truth=population.truth,
        standardised=standardised,
        model=train(standardised, settings=FAST_TRAINING),
    )
