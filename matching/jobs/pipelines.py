"""The models a job can run, behind one interface: ours and the plain-Splink baseline.

A :class:`LinkagePipeline` is generic in the model it trains and loads, so each pipeline is
type-checked with its own model class (:class:`~matching.model.TrainedModel`,
:class:`~matching.baseline.BaselineModel`). Heavy libraries (Splink, the model) are imported
inside the methods: the ``srj`` command line starts without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pyarrow as pa

from matching.jobs.errors import JobError

if TYPE_CHECKING:
    from splink import Linker
    from splink.internals.splink_dataframe import SplinkDataFrame

    from matching.baseline import BaselineModel
    from matching.engines import DbApi
    from matching.model import TrainedModel

M = TypeVar("M")

PAIR_OUTPUT_COLUMNS = ("record_id_l", "record_id_r", "match_weight", "match_probability")


@dataclass(frozen=True)
class ModelInfo:
    kind: str
    version: str
    auto_link: float
    review: float
    splink_settings: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scored:
    """Scored pairs at or above the review threshold, and, for the baseline, the Splink
    tables it clusters with (its linker and prediction frame, alive while their engine
    session is)."""

    pairs: pa.Table
    splink_tables: tuple[Linker, SplinkDataFrame] | None = None


class LinkagePipeline(Protocol[M]):
    name: str

    def standardise(self, records: pa.Table) -> pa.Table: ...

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: DbApi) -> M: ...

    def load(self, path: Path) -> M: ...

    def save(self, model: M, path: Path) -> None: ...

    def info(self, model: M) -> ModelInfo: ...

    def with_thresholds(self, model: M, auto_link: float, review: float) -> M: ...

    def predict(self, model: M, records: pa.Table, *, db_api: DbApi) -> Scored: ...

    def link(self, model: M, left: pa.Table, right: pa.Table, *, db_api: DbApi) -> Scored: ...

    def cluster(self, model: M, scored: Scored, records: pa.Table) -> pa.Table: ...

    def comparison_records(self, model: M, records: pa.Table) -> pa.Table: ...


def pairs_columns(table: pa.Table) -> pa.Table:
    out = table.select(list(PAIR_OUTPUT_COLUMNS))
    return out.cast(
        pa.schema(
            [
                ("record_id_l", pa.string()),
                ("record_id_r", pa.string()),
                ("match_weight", pa.float64()),
                ("match_probability", pa.float64()),
            ]
        )
    )


class ModelPipeline:
    """Our model: French standardisation, the Splink model and constrained clustering
    (:mod:`matching.standardise`, :mod:`matching.model`, :mod:`matching.clustering`)."""

    name = "srj"

    def standardise(self, records: pa.Table) -> pa.Table:
        from matching.standardise import standardise_table

        return standardise_table(records)

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: DbApi) -> TrainedModel:
        from matching.model import TrainingError, train

        try:
            return train(records, labels=labels, db_api=db_api)
        except TrainingError as exc:  # e.g. too few records: the input's fault, not a crash
            raise JobError(f"cannot train on this input: {exc}") from None

    def load(self, path: Path) -> TrainedModel:
        from matching.model import TrainedModel

        return TrainedModel.load(path)

    def save(self, model: TrainedModel, path: Path) -> None:
        model.save(path)

    def info(self, model: TrainedModel) -> ModelInfo:
        facts = {
            "Créé le": model.created_at,
            "Empreinte des données d'entraînement (SHA-256)": model.training.data_sha256,
            "Version de la standardisation": model.standardisation_version,
        }
        return ModelInfo(
            kind=self.name,
            version=str(model.model_version),
            auto_link=float(model.thresholds.auto_link),
            review=float(model.thresholds.review),
            splink_settings=dict(model.splink_settings("duckdb")),
            facts=facts,
        )

    def with_thresholds(self, model: TrainedModel, auto_link: float, review: float) -> TrainedModel:
        from matching.model import Thresholds

        return model.with_thresholds(Thresholds(auto_link=auto_link, review=review))

    def predict(self, model: TrainedModel, records: pa.Table, *, db_api: DbApi) -> Scored:
        from matching.model import predict

        # Only the four pair columns travel on: Splink's per-comparison columns would double
        # the memory of a million-record job, and the report re-scores the pairs it explains.
        return Scored(pairs_columns(predict(model, records, db_api=db_api)))

    def link(
        self, model: TrainedModel, left: pa.Table, right: pa.Table, *, db_api: DbApi
    ) -> Scored:
        from matching.model import link

        return Scored(pairs_columns(link(model, left, right, db_api=db_api)))

    def cluster(self, model: TrainedModel, scored: Scored, records: pa.Table) -> pa.Table:
        from matching.clustering import cluster

        result = cluster(scored.pairs, records, model.thresholds, model=model)
        return result.clusters.select(["record_id", "cluster_id"])

    def comparison_records(self, model: TrainedModel, records: pa.Table) -> pa.Table:
        return records


class BaselinePipeline:
    """The plain-Splink baseline of :mod:`matching.baseline`, behind the same interface."""

    name = "baseline"

    def __init__(self, auto_link: float | None = None, review: float | None = None) -> None:
        # By default the thresholds our model uses, so both are judged at the same ones.
        from matching.model.thresholds import DEFAULT_AUTO_LINK, DEFAULT_REVIEW

        self.auto_link = DEFAULT_AUTO_LINK if auto_link is None else auto_link
        self.review = DEFAULT_REVIEW if review is None else review

    def standardise(self, records: pa.Table) -> pa.Table:
        from matching.baseline import BASELINE_COLUMNS

        # The tutorials' model reads the columns as they come.
        return records.select(list(BASELINE_COLUMNS))

    def train(self, records: pa.Table, *, labels: pa.Table | None, db_api: DbApi) -> BaselineModel:
        from matching.baseline import train_baseline

        if labels is not None:
            raise JobError("the baseline model is trained without labels: drop --labels")
        return train_baseline(records, auto_link=self.auto_link, review=self.review, db_api=db_api)

    def load(self, path: Path) -> BaselineModel:
        from matching.baseline import BaselineModel

        return BaselineModel.load(path)

    def save(self, model: BaselineModel, path: Path) -> None:
        model.save(path)

    def info(self, model: BaselineModel) -> ModelInfo:
        from matching.baseline import BASELINE_VERSION

        return ModelInfo(self.name, BASELINE_VERSION, model.auto_link, model.review, model.settings)

    def with_thresholds(
        self, model: BaselineModel, auto_link: float, review: float
    ) -> BaselineModel:
        return replace(model, auto_link=auto_link, review=review)

    def predict(self, model: BaselineModel, records: pa.Table, *, db_api: DbApi) -> Scored:
        from matching.baseline import pairs_table, predict_baseline

        linker, frame = predict_baseline(model, records, db_api=db_api)
        return Scored(pairs_table(frame), (linker, frame))

    def link(
        self, model: BaselineModel, left: pa.Table, right: pa.Table, *, db_api: DbApi
    ) -> Scored:
        raise JobError("the baseline model only deduplicates (srj link dedupe --baseline)")

    def cluster(self, model: BaselineModel, scored: Scored, records: pa.Table) -> pa.Table:
        from matching.baseline import cluster_baseline

        if scored.splink_tables is None:
            raise RuntimeError("the baseline clusters in the engine session that scored the pairs")
        linker, frame = scored.splink_tables
        return cluster_baseline(linker, frame, model.auto_link)

    def comparison_records(self, model: BaselineModel, records: pa.Table) -> pa.Table:
        return records
