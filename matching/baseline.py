"""The plain-Splink baseline our model is measured against (issue 3, "Quality targets").

A model as Splink's tutorials write it, on the canonical columns as read (no French
standardisation): ``NameComparison`` on each name column, ``DateOfBirthComparison``, exact
match on the birthplace code, blocking on date of birth and on surname + first initial. It is
trained the way Splink's tutorials train: the prior from a deterministic rule, u by random
sampling, m by expectation-maximisation over two blocking passes (one on names, one on the date
of birth) so that every comparison is estimated once with its own columns left free.

It exists to be beaten: the benchmark runs it on the same records in the same process and
reports its figures next to ours. It is deliberately not tuned.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.database_api import DatabaseAPISubClass

from matching.io import atomic_output_file

BASELINE_VERSION: Final = "baseline-1"
NAME_COLUMNS: Final[tuple[str, ...]] = ("nom_naissance", "nom_usage", "prenoms", "alias")
# The baseline's tutorial-style columns: the canonical ones it compares, nothing derived.
BASELINE_COLUMNS: Final[tuple[str, ...]] = (
    "record_id",
    *NAME_COLUMNS,
    "date_naissance",
    "code_commune_naissance",
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingOptions:
    """Sampling sizes and seed of the training; by default those our model trains with."""

    u_max_pairs: float
    seed: int
    em_max_pairs: float
    # The tutorials' estimate of the prior: a deterministic rule and its assumed recall.
    prior_recall: float = 0.7

    @classmethod
    def same_as_ours(cls) -> TrainingOptions:
        """Trained "the same way" (issue 3): the same u sample, EM sample and seed."""
        from matching.model import TrainingSettings

        ours = TrainingSettings()
        return cls(u_max_pairs=ours.u_max_pairs, seed=ours.seed, em_max_pairs=ours.em_max_pairs)


def baseline_settings(
    link_type: Literal["dedupe_only", "link_only"] = "dedupe_only",
) -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="record_id",
        comparisons=[
            *(cl.NameComparison(column) for column in NAME_COLUMNS),
            cl.DateOfBirthComparison("date_naissance", input_is_string=True),
            cl.ExactMatch("code_commune_naissance"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("date_naissance"),
            block_on("nom_naissance", "substr(prenoms, 1, 1)"),
        ],
        # Lean predictions (the report re-scores the few pairs it explains with both on).
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _select(records: pa.Table) -> pa.Table:
    return records.select(list(BASELINE_COLUMNS))


@dataclass
class BaselineModel:
    """A trained baseline: Splink's settings JSON (m, u, prior) and nothing else."""

    settings: dict[str, Any]
    auto_link: float
    review: float

    def save(self, path: Path | str) -> None:
        document = {
            "kind": "srj-baseline",
            "version": BASELINE_VERSION,
            "thresholds": {"auto_link": self.auto_link, "review": self.review},
            "splink_settings": self.settings,
        }
        with atomic_output_file(path) as tmp:
            tmp.write_text(json.dumps(document, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> BaselineModel:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        if document.get("kind") != "srj-baseline":
            raise ValueError(f"{path} is not a baseline model")
        return cls(
            document["splink_settings"],
            document["thresholds"]["auto_link"],
            document["thresholds"]["review"],
        )

    def linker(self, records: pa.Table, db_api: DatabaseAPISubClass | None = None) -> Linker:
        """A linker with the trained parameters, rendered for the database's SQL dialect."""
        from matching.engines.spark import render_for_dialect

        api = db_api or DuckDBAPI()
        dialect = api.sql_dialect.sql_dialect_str
        settings = render_for_dialect(baseline_settings(), self.settings, dialect)
        return Linker(api.register(_select(records)), settings, log_level=None)


def train_baseline(
    records: pa.Table,
    *,
    auto_link: float,
    review: float,
    options: TrainingOptions | None = None,
    db_api: DatabaseAPISubClass | None = None,
) -> BaselineModel:
    """Train the baseline on canonical records as Splink's tutorials do."""
    options = options or TrainingOptions.same_as_ours()
    api = db_api or DuckDBAPI()
    linker = Linker(api.register(_select(records)), baseline_settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nom_naissance", "prenoms", "date_naissance")], recall=options.prior_recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("nom_naissance", "substr(prenoms, 1, 1)"), max_pairs=options.em_max_pairs
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_naissance"), max_pairs=options.em_max_pairs
    )
    settings = linker.misc.save_model_to_json()
    return BaselineModel(settings, auto_link, review)


def predict_baseline(
    model: BaselineModel,
    records: pa.Table,
    *,
    threshold_match_probability: float | None = None,
    db_api: DatabaseAPISubClass | None = None,
) -> tuple[Linker, Any]:
    """Score every blocked pair at or above the threshold (default: the review threshold).

    Returns the linker and Splink's prediction frame, so clustering reuses the same tables.
    """
    linker = model.linker(records, db_api)
    threshold = model.review if threshold_match_probability is None else threshold_match_probability
    return linker, linker.inference.predict(threshold_match_probability=threshold)


def cluster_baseline(linker: Linker, predictions: Any, auto_link: float) -> pa.Table:
    """Connected components at the auto-link threshold: ``record_id, cluster_id``.

    On DuckDB this is Splink's own clustering. On Spark, Splink's iterative connected
    components issues dozens of small Spark jobs per iteration (minutes for a few hundred
    records on a small machine); the pairs above the threshold are collected and the same
    components computed locally, labelled like Splink's (each cluster by its smallest
    record_id).
    """
    if linker._db_api.sql_dialect.sql_dialect_str != "spark":
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=auto_link
        )
        table = clusters.as_duckdbpyrelation().select("record_id, cluster_id").to_arrow_table()
        return table.cast(pa.schema([("record_id", pa.string()), ("cluster_id", pa.string())]))
    pairs = pairs_table(predictions)
    pairs = pairs.filter(pc.greater_equal(pairs.column("match_probability"), auto_link))
    records = linker._input_tables_dict
    ids = pa.concat_arrays(
        [
            frame.as_spark_dataframe().select("record_id").toArrow().column(0).combine_chunks()
            for frame in records.values()
        ]
    ).cast(pa.string())
    return components_table(ids, pairs)


def components_table(record_ids: pa.Array, pairs: pa.Table) -> pa.Table:
    """Connected components of the records through ``pairs``, each labelled by its smallest
    record_id (Splink's convention)."""
    import numpy as np

    from matching.evaluate import connected_labels

    order = pc.sort_indices(record_ids)
    ordered = pc.take(record_ids, order)
    left = pc.index_in(pairs.column("record_id_l"), value_set=ordered)
    right = pc.index_in(pairs.column("record_id_r"), value_set=ordered)
    labels = connected_labels(
        len(ordered),
        np.asarray(left.to_numpy(zero_copy_only=False), dtype=np.int64),
        np.asarray(right.to_numpy(zero_copy_only=False), dtype=np.int64),
    )
    # Nodes are numbered in record_id order, so the smallest node is the smallest record_id.
    return pa.table({"record_id": ordered, "cluster_id": pc.take(ordered, pa.array(labels))})


def pairs_table(predictions: Any) -> pa.Table:
    """The job's ``pairs.parquet`` columns from a Splink prediction frame (DuckDB or Spark)."""
    columns = (
        "cast(record_id_l as string) as record_id_l",
        "cast(record_id_r as string) as record_id_r",
        "cast(match_weight as double) as match_weight",
        "cast(match_probability as double) as match_probability",
    )
    if hasattr(predictions, "as_spark_dataframe") and type(predictions).__name__ == (
        "SparkDataFrame"
    ):
        table = predictions.as_spark_dataframe().selectExpr(*columns).toArrow()
    else:
        table = predictions.as_duckdbpyrelation().select(", ".join(columns)).to_arrow_table()
    return table.cast(
        pa.schema(
            [
                ("record_id_l", pa.string()),
                ("record_id_r", pa.string()),
                ("match_weight", pa.float64()),
                ("match_probability", pa.float64()),
            ]
        )
    )
