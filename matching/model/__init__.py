"""The Splink linkage model: declaration, training, artefact, prediction.

    from matching.model import train, predict, link, TrainedModel, Thresholds
    model = train(records)                 # standardised (or canonical) pyarrow Table
    model.save("model.json"); model = TrainedModel.load("model.json")
    pairs = predict(model, standardised)   # record_id_l, record_id_r, match_weight, ...

Where Splink runs (DuckDB, Spark) is `matching.engines`. See docs/linkage-model.md.
"""

from matching.model.artefact import ModelArtefactError, TrainedModel
from matching.model.comparisons import COMPARISONS, ComparisonSpec, LevelSpec
from matching.model.prediction import link, predict
from matching.model.thresholds import Thresholds
from matching.model.training import TrainingError, TrainingSettings, train

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
