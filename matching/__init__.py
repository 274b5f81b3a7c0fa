"""The linkage library: French identity standardisation, the Splink model, jobs, online scoring.

No web, no ORM: works on Arrow, Parquet and DuckDB; it imports nothing else of the project.

What this package exports is its public face, and the only thing the person registry
(``identity``) imports from it: the canonical record, standardisation and blocking keys,
the online scorer and its types (:class:`ScoredCandidate`, :class:`Contribution`), the
thresholds, the trained model and batch prediction, constrained clustering, and the file
and evaluation helpers the registry's commands use. The names are loaded on first use
(:mod:`matching.lazy`): importing ``matching`` does not import Splink, so the service and the
``srj`` command line start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.lazy import lazy_attributes

if TYPE_CHECKING:
    from matching.blocking import blocking_keys
    from matching.clustering import ClusteringError, cluster
    from matching.evaluate import wilson_interval
    from matching.evidence import has_auto_link_evidence
    from matching.io import InputError, atomic_output_file, read_records
    from matching.model import TrainedModel, TrainingSettings, predict, train
    from matching.model.thresholds import Thresholds, weight_to_probability
    from matching.online import Contribution, OnlineScorer, ScoredCandidate
    from matching.records import CANONICAL_COLUMNS, SOURCES
    from matching.standardise import (
        STANDARDISATION_VERSION,
        STANDARDISED_SCHEMA,
        standardise_record,
        standardise_sexe,
        standardise_table,
    )
    from matching.synthetic import generate

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "CANONICAL_COLUMNS": "matching.records",
    "SOURCES": "matching.records",
    "STANDARDISATION_VERSION": "matching.standardise",
    "STANDARDISED_SCHEMA": "matching.standardise",
    "ClusteringError": "matching.clustering",
    "Contribution": "matching.online",
    "InputError": "matching.io",
    "OnlineScorer": "matching.online",
    "ScoredCandidate": "matching.online",
    "Thresholds": "matching.model.thresholds",
    "TrainedModel": "matching.model",
    "TrainingSettings": "matching.model",
    "atomic_output_file": "matching.io",
    "blocking_keys": "matching.blocking",
    "cluster": "matching.clustering",
    "generate": "matching.synthetic",
    "has_auto_link_evidence": "matching.evidence",
    "predict": "matching.model",
    "read_records": "matching.io",
    "standardise_record": "matching.standardise",
    "standardise_sexe": "matching.standardise",
    "standardise_table": "matching.standardise",
    "train": "matching.model",
    "weight_to_probability": "matching.model.thresholds",
    "wilson_interval": "matching.evaluate",
}

__all__ = [
    "CANONICAL_COLUMNS",
    "SOURCES",
    "STANDARDISATION_VERSION",
    "STANDARDISED_SCHEMA",
    "ClusteringError",
    "Contribution",
    "InputError",
    "OnlineScorer",
    "ScoredCandidate",
    "Thresholds",
    "TrainedModel",
    "TrainingSettings",
    "atomic_output_file",
    "blocking_keys",
    "cluster",
    "generate",
    "has_auto_link_evidence",
    "predict",
    "read_records",
    "standardise_record",
    "standardise_sexe",
    "standardise_table",
    "train",
    "weight_to_probability",
    "wilson_interval",
]


__getattr__ = lazy_attributes(__name__, _EXPORTS)
