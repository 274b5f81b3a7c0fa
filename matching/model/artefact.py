"""The trained model and its versioned JSON artefact.

One JSON file holds everything needed to score records again, identically, on DuckDB,
on Spark or in the online scorer:

- ``comparisons``: each level's condition (as an expression tree, see `expressions.py`),
  its m and u probabilities and its term-frequency column;
- ``term_frequencies``: the value counts behind every term-frequency adjustment (counts,
  not ratios: ``count / total`` is recomputed bit for bit wherever it is needed);
- ``training``: records, SHA-256 of the training data, ``matches_per_record`` (the prior,
  see `thresholds.py`), the training settings, how many labels were used;
- ``thresholds``, ``blocking_rules``, ``standardisation_version``, ``model_version``
  (a hash of the parameters), ``created_at``;
- ``splink_settings``: the same model as Splink's own settings JSON (DuckDB dialect, prior
  of the training data), which `splink.Linker(df, settings)` loads as is. It is derived
  from the fields above; loading checks that it still agrees with them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
from splink.internals.dialects import SplinkDialect

from matching.blocking import BLOCKING_RULES, BlockingRule, blocking_rules
from matching.model.comparisons import ComparisonSpec
from matching.model.thresholds import Thresholds, prior_for_population
from matching.standardise import STANDARDISATION_VERSION

ARTEFACT_FORMAT: Final = "srj-linkage-model"
ARTEFACT_FORMAT_VERSION: Final = 1


class ModelArtefactError(ValueError):
    """The file is not a usable model artefact (says why)."""


@dataclass(frozen=True)
class LevelParameters:
    """Trained m and u of one level (None for a null level)."""

    m: float | None
    u: float | None

    @property
    def weight(self) -> float:
        """log2(m/u), with Splink's clamp for zero probabilities."""
        if self.m is None or self.u is None:
            return 0.0
        return math.log2(max(self.m, 1e-300) / max(self.u, 1e-300))


@dataclass(frozen=True)
class TermFrequencies:
    """How often each value of a column occurs in the training data."""

    total: int
    counts: Mapping[str, int]

    def frequency(self, value: object) -> float | None:
        count = self.counts.get(value) if isinstance(value, str) else None
        return None if count is None else count / self.total

    def as_arrow(self, column: str) -> pa.Table:
        values = list(self.counts)
        return pa.table(
            {
                column: pa.array(values, pa.string()),
                f"tf_{column}": pa.array(
                    [self.counts[v] / self.total for v in values], pa.float64()
                ),
            }
        )


@dataclass(frozen=True)
class TrainingInfo:
    records: int
    data_sha256: str
    matches_per_record: float
    labels: int = 0
    settings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainedModel:
    """A trained linkage model (see the module docstring for the artefact)."""

    comparisons: tuple[ComparisonSpec, ...]
    parameters: tuple[tuple[LevelParameters, ...], ...]
    term_frequencies: Mapping[str, TermFrequencies]
    training: TrainingInfo
    thresholds: Thresholds = field(default_factory=Thresholds)
    blocking: tuple[BlockingRule, ...] = BLOCKING_RULES
    standardisation_version: str = STANDARDISATION_VERSION
    created_at: str = ""
    # The version read from an artefact: its hash covers the file's own JSON, so a file
    # written by an older version of this code keeps its identity (see `model_version`).
    loaded_version: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.parameters) != len(self.comparisons):
            raise ModelArtefactError("one parameter list per comparison is required")
        for spec, params in zip(self.comparisons, self.parameters, strict=True):
            if len(spec.levels) != len(params):
                raise ModelArtefactError(f"comparison {spec.name}: one m/u pair per level")

    # -- priors -----------------------------------------------------------------------

    def prior(self, population_size: int | None = None) -> float:
        """Probability that two random records match in a population of that size."""
        size = population_size or self.training.records
        return prior_for_population(self.training.matches_per_record, size)

    # -- identity -----------------------------------------------------------------------

    @property
    def model_version(self) -> str:
        """A hash of everything that determines scores, as written in the artefact."""
        if self.loaded_version is not None:
            return self.loaded_version
        return _version_of(
            {
                "comparisons": self._comparisons_json(),
                "training": {"matches_per_record": self.training.matches_per_record},
                "term_frequencies_sha256": self.term_frequencies_sha256,
                "standardisation_version": self.standardisation_version,
                "blocking_rules": [_blocking_json(rule) for rule in self.blocking],
            }
        )

    @property
    def term_frequencies_sha256(self) -> str:
        payload = {
            column: {"total": tf.total, "counts": dict(sorted(tf.counts.items()))}
            for column, tf in sorted(self.term_frequencies.items())
        }
        return hashlib.sha256(_canonical(payload).encode()).hexdigest()

    def with_thresholds(self, thresholds: Thresholds) -> TrainedModel:
        return replace(self, thresholds=thresholds)

    # -- Splink settings ------------------------------------------------------------------

    def splink_settings(
        self,
        dialect: str = "duckdb",
        *,
        prior: float | None = None,
        link_type: str = "dedupe_only",
        retain_intermediate: bool = True,
    ) -> dict[str, Any]:
        """Splink settings for this model, rendered for a dialect, with a given prior."""
        return splink_settings_dict(
            self.comparisons,
            self.parameters,
            dialect=dialect,
            prior=self.prior() if prior is None else prior,
            link_type=link_type,
            blocking=self.blocking,
            retain_intermediate=retain_intermediate,
        )

    # -- persistence ----------------------------------------------------------------------

    def _comparisons_json(self) -> list[dict[str, Any]]:
        out = []
        for spec, params in zip(self.comparisons, self.parameters, strict=True):
            data = spec.to_json()
            for level, p in zip(data["levels"], params, strict=True):
                level["m_probability"] = p.m
                level["u_probability"] = p.u
            out.append(data)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ARTEFACT_FORMAT,
            "format_version": ARTEFACT_FORMAT_VERSION,
            "model_version": self.model_version,
            "created_at": self.created_at,
            "standardisation_version": self.standardisation_version,
            "splink_version": _splink_version(),
            "training": {
                "records": self.training.records,
                "data_sha256": self.training.data_sha256,
                "matches_per_record": self.training.matches_per_record,
                "probability_two_random_records_match": self.prior(),
                "labels": self.training.labels,
                "settings": dict(self.training.settings),
                "notes": list(self.training.notes),
            },
            "thresholds": self.thresholds.to_json(),
            "blocking_rules": [_blocking_json(rule) for rule in self.blocking],
            "comparisons": self._comparisons_json(),
            "term_frequencies_sha256": self.term_frequencies_sha256,
            "term_frequencies": {
                column: {"total": tf.total, "counts": dict(tf.counts)}
                for column, tf in self.term_frequencies.items()
            },
            "splink_settings": self.splink_settings("duckdb"),
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the artefact atomically (a crash never leaves half a model)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1, allow_nan=False)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainedModel:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ModelArtefactError(f"no model file at {path}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ModelArtefactError(f"{path} is not a JSON model artefact: {error}") from error
        return cls.from_json(data, source=str(path))

    @classmethod
    def from_json(cls, data: Any, *, source: str = "model") -> TrainedModel:
        if not isinstance(data, dict) or data.get("format") != ARTEFACT_FORMAT:
            raise ModelArtefactError(f"{source} is not a {ARTEFACT_FORMAT} artefact")
        if data.get("format_version") != ARTEFACT_FORMAT_VERSION:
            raise ModelArtefactError(
                f"{source} has format version {data.get('format_version')!r}; "
                f"this code reads version {ARTEFACT_FORMAT_VERSION}"
            )
        if data.get("standardisation_version") != STANDARDISATION_VERSION:
            raise ModelArtefactError(
                f"{source} was trained on standardisation version "
                f"{data.get('standardisation_version')!r}, this code standardises as "
                f"version {STANDARDISATION_VERSION!r}: retrain the model"
            )
        try:
            comparisons = tuple(ComparisonSpec.from_json(c) for c in data["comparisons"])
            parameters = tuple(
                tuple(
                    LevelParameters(
                        m=_optional_float(level.get("m_probability")),
                        u=_optional_float(level.get("u_probability")),
                    )
                    for level in c["levels"]
                )
                for c in data["comparisons"]
            )
            training = data["training"]
            model = cls(
                comparisons=comparisons,
                parameters=parameters,
                term_frequencies={
                    column: TermFrequencies(total=int(tf["total"]), counts=dict(tf["counts"]))
                    for column, tf in data["term_frequencies"].items()
                },
                training=TrainingInfo(
                    records=int(training["records"]),
                    data_sha256=str(training["data_sha256"]),
                    matches_per_record=float(training["matches_per_record"]),
                    labels=int(training.get("labels", 0)),
                    settings=dict(training.get("settings", {})),
                    notes=tuple(training.get("notes", ())),
                ),
                thresholds=Thresholds.from_json(data["thresholds"]),
                blocking=tuple(
                    BlockingRule(
                        name=str(rule["name"]),
                        columns=tuple(rule["columns"]),
                        explode=rule.get("explode"),
                    )
                    for rule in data["blocking_rules"]
                ),
                standardisation_version=str(data["standardisation_version"]),
                created_at=str(data.get("created_at", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelArtefactError(f"{source} is incomplete or malformed: {error!r}") from error
        stored = data.get("model_version")
        if stored is not None:
            if _version_of(data) != stored:
                raise ModelArtefactError(
                    f"{source}: its parameters do not match its model_version "
                    f"{stored!r} (edited by hand?)"
                )
            if data.get("term_frequencies_sha256") != model.term_frequencies_sha256:
                raise ModelArtefactError(
                    f"{source}: its term frequencies do not match their SHA-256 (edited?)"
                )
            model = replace(model, loaded_version=str(stored))
        if "splink_settings" in data and _splink_parameters(data["splink_settings"]) != (
            _splink_parameters(model.splink_settings("duckdb"))
        ):
            raise ModelArtefactError(
                f"{source}: splink_settings disagree with the comparisons' parameters"
            )
        return model


def splink_settings_dict(
    comparisons: tuple[ComparisonSpec, ...],
    parameters: tuple[tuple[LevelParameters, ...], ...] | None,
    *,
    dialect: str,
    prior: float,
    link_type: str = "dedupe_only",
    blocking: tuple[BlockingRule, ...] = BLOCKING_RULES,
    retain_intermediate: bool = True,
) -> dict[str, Any]:
    """Splink's settings dictionary for these comparisons (untrained if no parameters)."""
    splink_dialect = SplinkDialect.from_string(dialect)
    rendered = []
    for index, spec in enumerate(comparisons):
        levels = []
        for position, level in enumerate(spec.levels):
            entry: dict[str, Any] = {
                "sql_condition": level.condition.sql(splink_dialect),
                "label_for_charts": level.label,
            }
            if level.null_level:
                entry["is_null_level"] = True
            if level.tf_column:
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = 1.0
                # Our conditions are wrapped for null safety, so Splink cannot recognise
                # exact-match levels: each TF level uses its own u (the same number for an
                # exact-match level, the natural one for a fuzzy level).
                entry["disable_tf_exact_match_detection"] = True
            if level.fixed_weight is not None:
                fixed = fixed_parameters(level.fixed_weight)
                entry["m_probability"] = fixed.m
                entry["u_probability"] = fixed.u
                entry["fix_m_probability"] = True
                entry["fix_u_probability"] = True
            elif parameters is not None and not level.null_level:
                p = parameters[index][position]
                if p.m is not None:
                    entry["m_probability"] = p.m
                if p.u is not None:
                    entry["u_probability"] = p.u
            levels.append(entry)
        rendered.append(
            {
                "output_column_name": spec.name,
                "comparison_description": spec.description,
                "comparison_levels": levels,
            }
        )
    return {
        "link_type": link_type,
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            rule.create_blocking_rule_dict(dialect) for rule in blocking_rules(blocking)
        ],
        "comparisons": rendered,
        "retain_matching_columns": retain_intermediate,
        "retain_intermediate_calculation_columns": retain_intermediate,
        "additional_columns_to_retain": [],
        "sql_dialect": dialect,
    }


def fixed_parameters(weight: float) -> LevelParameters:
    """m and u of a level that must weigh exactly ``weight`` bits (m = 2^weight, u = 1)."""
    return LevelParameters(m=2.0**weight, u=1.0)


def data_sha256(table: pa.Table) -> str:
    """SHA-256 of a table's Arrow IPC serialisation (column order and rows included)."""
    digest = hashlib.sha256()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    # Hashed in place: an Arrow buffer exposes its memory (to_pybytes copied ~1 GB at 1M).
    digest.update(memoryview(sink.getvalue()))
    return digest.hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _splink_parameters(settings: Any) -> list[list[tuple[Any, Any]]]:
    try:
        return [
            [
                (level.get("m_probability"), level.get("u_probability"))
                for level in c["comparison_levels"]
            ]
            for c in settings["comparisons"]
        ]
    except (KeyError, TypeError) as error:
        raise ModelArtefactError(f"splink_settings are malformed: {error!r}") from error


def _version_of(data: Mapping[str, Any]) -> str:
    """The model version of an artefact's JSON: a hash of what determines scores."""
    payload = {
        "comparisons": data["comparisons"],
        "matches_per_record": data["training"]["matches_per_record"],
        "term_frequencies_sha256": data["term_frequencies_sha256"],
        "standardisation_version": data["standardisation_version"],
        "blocking": data["blocking_rules"],
    }
    digest = hashlib.sha256(_canonical(payload).encode()).hexdigest()
    return f"m-{digest[:16]}"


def _blocking_json(rule: BlockingRule) -> dict[str, Any]:
    return {"name": rule.name, "columns": list(rule.columns), "explode": rule.explode}


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _splink_version() -> str:
    import splink

    return str(splink.__version__)
