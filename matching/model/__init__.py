"""The Splink linkage model: declaration, training, artefact, prediction.

    from matching.model import train, predict, link, TrainedModel, Thresholds
    model = train(records)                 # standardised (or canonical) pyarrow Table
    model.save("model.json"); model = TrainedModel.load("model.json")
    pairs = predict(model, standardised)   # record_id_l, record_id_r, match_weight, ...

Where Splink runs (DuckDB, Spark) is `matching.engines`. See docs/linkage-model.md.
"""

from typing import TYPE_CHECKING

from matching.lazy import lazy_attributes

if TYPE_CHECKING:
    from matching.model.artefact import ModelArtefactError, TrainedModel
    from matching.model.comparisons import COMPARISONS, ComparisonSpec, LevelSpec
    from matching.model.prediction import link, predict
    from matching.model.thresholds import Thresholds
    from matching.model.training import TrainingError, TrainingSettings, train

# Loaded on first use: prediction and training import Splink, and a submodule such as
# ``matching.model.thresholds`` must stay cheap to import.
_EXPORTS: dict[str, str] = {
    "COMPARISONS": "matching.model.comparisons",
    "ComparisonSpec": "matching.model.comparisons",
    "LevelSpec": "matching.model.comparisons",
    "ModelArtefactError": "matching.model.artefact",
    "Thresholds": "matching.model.thresholds",
    "TrainedModel": "matching.model.artefact",
    "TrainingError": "matching.model.training",
    "TrainingSettings": "matching.model.training",
    "link": "matching.model.prediction",
    "predict": "matching.model.prediction",
    "train": "matching.model.training",
}

__all__ = [
    "COMPARISONS",
    "ComparisonSpec",
    "LevelSpec",
    "ModelArtefactError",
    "Thresholds",
    "TrainedModel",
    "TrainingError",
    "TrainingSettings",
    "link",
    "predict",
    "train",
]

__getattr__ = lazy_attributes(__name__, _EXPORTS)
