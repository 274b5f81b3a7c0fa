"""Training: u by random sampling, m by EM over blocks, the prior by a fixed point.

1. Term frequencies of the TF columns are counted on the training records.
2. u probabilities: Splink's random sampling of pairs (nearly all non-matches).
3. m probabilities: Splink's EM, once on pairs sharing a date of birth (which estimates
   the name, birthplace and sexe comparisons) and once on pairs sharing surname and first
   given name (which estimates the date comparison). Optional pairwise labels from
   reviewers refine m (`estimate_m_from_pairwise_labels`).
4. Levels with a ``fixed_weight`` (twins, namesakes: see `comparisons.py`) keep it; an m
   that EM drove to zero is floored (``m_floor``) so that no level weighs minus infinity.
5. The prior, as ``matches_per_record``: the expected number of other records of the same
   person per record. We score a random sample of records against all records with the
   trained weights and solve ``mu = mean over the sample of sum of match probabilities``
   (whose probabilities depend on mu through the prior) by fixed-point iteration: the EM
   update of the prior, restricted to a sample so it costs a fraction of a prediction.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker, block_on

from matching.engines.duckdb import default_db_api
from matching.engines.frames import dialect_of, register
from matching.model.artefact import (
    LevelParameters,
    TermFrequencies,
    TrainedModel,
    TrainingInfo,
    data_sha256,
    fixed_parameters,
    splink_settings_dict,
    utc_now,
)
from matching.model.comparisons import COMPARISONS, ComparisonSpec
from matching.model.thresholds import Thresholds
from matching.standardise import as_standardised

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSettings:
    """How a model is trained (recorded in the artefact)."""

    seed: int = 42
    # Random pairs fall through every level of every comparison: 1 million of them observe
    # every level with u above ~2e-6 (rarer ones get the floor 1 / u_max_pairs). Halving
    # the 2 million of earlier versions halves the cost (~6 s at 1M records on 2 cores) and
    # moved no weight by more than about one bit, on levels seen once or never either way.
    # EM converges on 750,000 blocked pairs per session as on twice as many.
    u_max_pairs: float = 1e6
    em_max_pairs: float = 7.5e5
    em_blocking: tuple[tuple[str, ...], ...] = (("dn",), ("nom_std", "prenom1_std"))
    # EM may find no match at a level (m = 0, a weight of minus infinity): floor it.
    m_floor: float = 1e-6
    prior_sample_records: int = 10_000
    # u and EM need pairs, not every record: above this size they run on a random sample of
    # records (term frequencies are still counted on all of them, and the prior is scaled
    # back to the full size: a sampled record keeps each of its matches with the sampling
    # rate). None trains on every record.
    max_training_records: int | None = 300_000
    thresholds: Thresholds = field(default_factory=Thresholds)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["thresholds"] = self.thresholds.to_json()
        data["em_blocking"] = [list(rule) for rule in self.em_blocking]
        return data


class TrainingError(ValueError):
    """Training cannot proceed on these records (says why)."""


def tf_columns(comparisons: tuple[ComparisonSpec, ...]) -> list[str]:
    return list(
        dict.fromkeys(
            level.tf_column for spec in comparisons for level in spec.levels if level.tf_column
        )
    )


def count_terms(table: pa.Table, column: str) -> TermFrequencies:
    values = table.column(column)
    counts = pc.value_counts(values.drop_null()).to_pylist()
    return TermFrequencies(
        total=len(values) - values.null_count,
        counts={item["values"]: int(item["counts"]) for item in counts},
    )


def train(
    records: Any,
    *,
    db_api: Any = None,
    labels: pa.Table | None = None,
    settings: TrainingSettings | None = None,
    comparisons: tuple[ComparisonSpec, ...] = COMPARISONS,
) -> TrainedModel:
    """Train the model on (standardised or canonical) records; see the module docstring.

    ``labels``: pairs (``record_id_l``, ``record_id_r``, ``clerical_match_score`` in
    [0, 1]) decided by reviewers; pairs scored 0.5 or more estimate m.
    """
    settings = settings or TrainingSettings()
    table = as_standardised(records)
    if table.num_rows < 2:
        raise TrainingError(f"training needs at least 2 records, got {table.num_rows}")
    _check_unique_ids(table)
    label_rows = _positive_labels(labels, table) if labels is not None else None
    notes: list[str] = []
    fit = _training_sample(table, labels, settings, notes)
    db_api = db_api or default_db_api()
    dialect = dialect_of(db_api)
    frame = register(db_api, fit)
    linker = Linker(
        frame,
        splink_settings_dict(comparisons, None, dialect=dialect, prior=1e-4),
        log_level=None,
        # Splink's validation parses every SQL condition to log unknown columns (~1 s at
        # 2 cores); ours are generated from the standardised schema and tested.
        validate_settings=False,
    )
    term_frequencies = {column: count_terms(table, column) for column in tf_columns(comparisons)}
    for column, tf in term_frequencies.items():
        lookup = register(db_api, tf.as_arrow(column))
        linker.table_management.register_term_frequency_lookup(lookup, column)

    # One pass over all the sampled pairs: Splink's chunks (ten, after a probe) only pay off
    # when every level reaches its minimum count early, which the rare levels here never do
    # (the same counts, from 5 queries instead of 55).
    linker.training.estimate_u_using_random_sampling(
        max_pairs=settings.u_max_pairs, seed=settings.seed, min_count_per_level=None, num_chunks=1
    )
    for columns in settings.em_blocking:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns),
            estimate_without_term_frequencies=True,
            max_pairs=settings.em_max_pairs,
        )
    used_labels = 0
    if label_rows is not None:
        used_labels = _train_on_labels(linker, db_api, label_rows)

    parameters = _parameters_from_linker(linker, comparisons, settings, notes)
    provisional = TrainedModel(
        comparisons=comparisons,
        parameters=parameters,
        term_frequencies=term_frequencies,
        training=TrainingInfo(
            records=table.num_rows,
            data_sha256="",
            matches_per_record=1.0,
        ),
        thresholds=settings.thresholds,
    )
    # Each record of a uniform sample keeps a share (n - 1) / (N - 1) of its matches.
    matches_per_record = estimate_matches_per_record(
        provisional, fit, sample_records=settings.prior_sample_records, seed=settings.seed
    ) * ((table.num_rows - 1) / max(fit.num_rows - 1, 1))
    return TrainedModel(
        comparisons=comparisons,
        parameters=parameters,
        term_frequencies=term_frequencies,
        training=TrainingInfo(
            records=table.num_rows,
            data_sha256=data_sha256(table),
            matches_per_record=matches_per_record,
            labels=used_labels,
            settings=settings.to_json(),
            notes=tuple(notes),
        ),
        thresholds=settings.thresholds,
        created_at=utc_now(),
    )


def _training_sample(
    table: pa.Table, labels: pa.Table | None, settings: TrainingSettings, notes: list[str]
) -> pa.Table:
    """The records u and EM run on: all, or a seeded uniform sample of a large table
    (plus every labelled record, so labels always find their pairs)."""
    limit = settings.max_training_records
    if limit is None or table.num_rows <= limit:
        return table
    rng = np.random.default_rng(settings.seed)
    keep = np.zeros(table.num_rows, dtype=bool)
    keep[rng.choice(table.num_rows, size=limit, replace=False)] = True
    if labels is not None and "record_id_l" in labels.column_names:
        labelled = pa.concat_arrays(
            [
                labels.column("record_id_l").combine_chunks().cast(pa.string()),
                labels.column("record_id_r").combine_chunks().cast(pa.string()),
            ]
        )
        keep |= pc.is_in(table.column("record_id"), value_set=labelled).to_numpy(
            zero_copy_only=False
        )
    notes.append(f"u and EM on a random sample of {int(keep.sum())} of {table.num_rows} records")
    return table.filter(pa.array(keep))


def _check_unique_ids(table: pa.Table) -> None:
    ids = table.column("record_id")
    if pc.count_distinct(ids).as_py() != table.num_rows:
        raise TrainingError("record_id must be unique among the training records")


def _positive_labels(labels: pa.Table, table: pa.Table) -> list[dict[str, Any]]:
    """The labelled pairs that estimate m (score 0.5 or more), checked against the records.

    Checked before any training so that a bad labels file fails at once, not after EM.
    """
    missing = {"record_id_l", "record_id_r", "clerical_match_score"} - set(labels.column_names)
    if missing:
        raise TrainingError(f"labels lack column(s): {', '.join(sorted(missing))}")
    known = set(table.column("record_id").to_pylist())
    rows = [
        row
        for row in labels.select(["record_id_l", "record_id_r", "clerical_match_score"]).to_pylist()
        if row["clerical_match_score"] is not None and float(row["clerical_match_score"]) >= 0.5
    ]
    unknown = [r for r in rows if r["record_id_l"] not in known or r["record_id_r"] not in known]
    if unknown:
        raise TrainingError(
            f"{len(unknown)} labelled pair(s) name records absent from the training data "
            f"(first: {unknown[0]['record_id_l']} / {unknown[0]['record_id_r']})"
        )
    return rows


def _train_on_labels(linker: Linker, db_api: Any, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    positives = pa.Table.from_pylist(
        [
            {
                "record_id_l": str(r["record_id_l"]),
                "record_id_r": str(r["record_id_r"]),
                "clerical_match_score": float(r["clerical_match_score"]),
            }
            for r in rows
        ]
    )
    frame = register(db_api, positives)
    linker.training.estimate_m_from_pairwise_labels(frame)
    return len(rows)


def _probability(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not math.isnan(value) else None


def _parameters_from_linker(
    linker: Linker,
    comparisons: tuple[ComparisonSpec, ...],
    settings: TrainingSettings,
    notes: list[str],
) -> tuple[tuple[LevelParameters, ...], ...]:
    trained = linker.misc.save_model_to_json()
    by_name: Mapping[str, Any] = {c["output_column_name"]: c for c in trained["comparisons"]}
    # A level never seen among the u sample is rarer than one pair in the sample.
    u_floor = 1.0 / settings.u_max_pairs
    result = []
    for spec in comparisons:
        levels = by_name[spec.name]["comparison_levels"]
        params = []
        for level, raw in zip(spec.levels, levels, strict=True):
            if level.null_level:
                params.append(LevelParameters(m=None, u=None))
                continue
            if level.fixed_weight is not None:
                params.append(fixed_parameters(level.fixed_weight))
                continue
            m = _probability(raw.get("m_probability"))
            u = _probability(raw.get("u_probability"))
            if u is None or u <= 0.0:
                notes.append(f"{spec.name} / {level.label}: u not observed, set to {u_floor:g}")
                u = u_floor
            if m is None:
                # EM saw no pair at this level: keep it neutral rather than invent evidence.
                notes.append(f"{spec.name} / {level.label}: m not estimated, set to u")
                m = u
            if level.m_min is not None and m < level.m_min:
                notes.append(f"{spec.name} / {level.label}: m {m:.3g} raised to {level.m_min:g}")
                m = level.m_min
            if level.m_max is not None and m > level.m_max:
                notes.append(f"{spec.name} / {level.label}: m {m:.3g} capped to {level.m_max:g}")
                m = level.m_max
            if m < settings.m_floor:
                notes.append(
                    f"{spec.name} / {level.label}: m {m:.3g} floored to {settings.m_floor:g}"
                )
                m = settings.m_floor
            params.append(LevelParameters(m=m, u=u))
        result.append(tuple(params))
    return tuple(result)


def estimate_matches_per_record(
    model: TrainedModel,
    table: pa.Table,
    *,
    sample_records: int,
    seed: int,
    iterations: int = 200,
) -> float:
    """Expected number of other records of the same person per record (see docstring)."""
    from matching.model.prediction import score_sample_against_all

    n = table.num_rows
    weights = score_sample_against_all(model, table, sample_records=sample_records, seed=seed)
    sample = min(sample_records, n)
    if weights.size == 0:
        return 1.0 / max(n - 1, 1)
    mu = 1.0
    for _ in range(iterations):
        prior = min(0.5, mu / (n - 1))
        log_odds = weights + math.log2(prior / (1.0 - prior))
        probabilities = 1.0 / (1.0 + np.exp2(-log_odds))
        updated = float(probabilities.sum()) / sample
        if abs(updated - mu) <= 1e-9 * max(mu, 1e-12):
            mu = updated
            break
        mu = max(updated, 1e-9)
    return mu
