"""Prediction with a trained model: dedupe one table or link two, on any Splink engine.

Scores are the trained model's, with the prior set for the size of the data being scored
(`TrainedModel.prior`) and the model's own term frequencies registered with Splink, so the
same pair gets the same weight in a batch job, after a save/load, and in the online scorer.

Records come in standardised (`matching.standardise.standardise_table`): the caller — a job,
the registry's re-linkage — standardises once, and prediction neither checks nor repeats it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker

from matching.engines.duckdb import default_db_api
from matching.engines.frames import dialect_of, register, to_arrow
from matching.model.artefact import TrainedModel
from matching.model.expressions import columns_of

PAIR_COLUMNS = ("record_id_l", "record_id_r", "match_weight", "match_probability")
# Dataset names of a link job (not "left"/"right": SQL keywords in generated queries).
LEFT = "left_records"
RIGHT = "right_records"


def _linker(
    model: TrainedModel,
    db_api: Any,
    frames: Any,
    *,
    prior: float,
    link_type: str,
    detail: bool = False,
) -> Linker:
    settings = model.splink_settings(
        dialect_of(db_api), prior=prior, link_type=link_type, retain_intermediate=detail
    )
    # No settings validation: it parses every SQL condition to log unknown columns (~1 s);
    # the model's conditions are generated from the standardised schema and tested.
    linker = Linker(frames, settings, log_level=None, validate_settings=False)
    for column, tf in model.term_frequencies.items():
        lookup = register(db_api, tf.as_arrow(column))
        linker.table_management.register_term_frequency_lookup(lookup, column)
    return linker


def _scored_columns(model: TrainedModel, table: pa.Table) -> pa.Table:
    """Only the columns the model's blocking rules and comparisons read (and the record id).

    Splink joins every registered column onto both sides of each blocked pair: the
    standardised table's other columns (source, flags, blocking keys of other rules...)
    made that join carry half again as many bytes for nothing.
    """
    needed = {"record_id"}
    for spec in model.comparisons:
        for level in spec.levels:
            needed |= columns_of(level.condition)
            if level.tf_column:
                needed.add(level.tf_column)
    for rule in model.blocking:
        needed.update(rule.columns)
    return table.select([name for name in table.column_names if name in needed])


def _threshold(model: TrainedModel, threshold_match_probability: float | None) -> float | None:
    if threshold_match_probability is None:
        return model.thresholds.review
    if threshold_match_probability <= 0.0:
        return None
    return threshold_match_probability


def _pair_table(raw: pa.Table, detail: bool) -> pa.Table:
    """Pair identifiers and scores, then (with ``detail``) Splink's per-comparison columns."""
    if not detail:
        return raw.select(list(PAIR_COLUMNS))
    extra = [name for name in raw.column_names if name not in PAIR_COLUMNS]
    return raw.select([*PAIR_COLUMNS, *extra])


def predict(
    model: TrainedModel,
    records: pa.Table,
    *,
    threshold_match_probability: float | None = None,
    db_api: Any = None,
    population_size: int | None = None,
    detail: bool = False,
) -> pa.Table:
    """Scored pairs of a deduplication (one row per blocked pair at or above the threshold).

    ``threshold_match_probability`` defaults to the model's review threshold; pass 0 for
    every blocked pair. ``population_size`` sets the prior (default: the number of records).
    ``detail`` adds Splink's per-comparison columns (gamma_*, mw_*, mw_tf_adj_*, tf_* and
    the compared values): what charts and waterfalls need, at a large cost in memory.
    """
    db_api = db_api or default_db_api()
    linker = _linker(
        model,
        db_api,
        register(db_api, records if detail else _scored_columns(model, records)),
        prior=model.prior(population_size or records.num_rows),
        link_type="dedupe_only",
        detail=detail,
    )
    result = linker.inference.predict(
        threshold_match_probability=_threshold(model, threshold_match_probability),
        warning_mode="never",
    )
    return _pair_table(to_arrow(result), detail)


def link(
    model: TrainedModel,
    left: pa.Table,
    right: pa.Table,
    *,
    threshold_match_probability: float | None = None,
    db_api: Any = None,
    population_size: int | None = None,
    detail: bool = False,
) -> pa.Table:
    """Scored pairs between two tables; ``record_id_l`` is from ``left``, ``_r`` from ``right``.

    The prior treats both tables as one population (default size: both together), so a
    record linked against a registry of N records gets the prior of one more record.
    """
    db_api = db_api or default_db_api()
    if not detail:
        left, right = _scored_columns(model, left), _scored_columns(model, right)
    frames = [register(db_api, left, LEFT), register(db_api, right, RIGHT)]
    size = population_size or (left.num_rows + right.num_rows)
    linker = _linker(
        model, db_api, frames, prior=model.prior(size), link_type="link_only", detail=detail
    )
    result = to_arrow(
        linker.inference.predict(
            threshold_match_probability=_threshold(model, threshold_match_probability),
            warning_mode="never",
        )
    )
    return _pair_table(_left_to_right(result), detail)


def _left_to_right(result: pa.Table) -> pa.Table:
    """Splink orders each pair by id; put the left table's record on the left."""
    if result.num_rows == 0:
        return result
    swap = pc.equal(result.column("source_dataset_l"), RIGHT)
    if not pc.any(swap).as_py():
        return result
    columns = {}
    for name in result.column_names:
        if name.endswith("_l") and name[:-2] + "_r" in result.column_names:
            other = name[:-2] + "_r"
            columns[name] = pc.if_else(swap, result.column(other), result.column(name))
            columns[other] = pc.if_else(swap, result.column(name), result.column(other))
        elif name not in columns:
            columns[name] = result.column(name)
    return pa.table({name: columns[name] for name in result.column_names})


def score_sample_against_all(
    model: TrainedModel, table: pa.Table, *, sample_records: int, seed: int
) -> np.ndarray:
    """Match weights, without the prior, of a random sample of records against all others.

    Used to estimate the prior (`training.estimate_matches_per_record`); every blocked pair
    between a sampled record and another record counts, whatever its weight.
    """
    rng = np.random.default_rng(seed)
    size = min(sample_records, table.num_rows)
    rows = np.sort(rng.choice(table.num_rows, size=size, replace=False))
    table = _scored_columns(model, table)
    sample = table.take(pa.array(rows))
    db_api = default_db_api()
    frames = [register(db_api, sample, LEFT), register(db_api, table, RIGHT)]
    linker = _linker(model, db_api, frames, prior=0.5, link_type="link_only")
    result = linker.inference.predict(warning_mode="never").as_duckdbpyrelation()
    weights = result.filter("record_id_l <> record_id_r").select("match_weight").fetchnumpy()
    return np.asarray(weights["match_weight"], dtype=np.float64)
