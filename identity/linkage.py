"""The registry's :class:`~identity.matcher.Matcher`, built on the linkage library.

Standardisation (``matching.standardise``), blocking keys (``matching.blocking``), the online
scorer (``matching.online``: the trained Splink model's parameters applied in Python, proven
equal to Splink's own weights) and, for re-linkage, Splink's batch prediction with the
constrained clustering of ``matching.clustering``. The registry adds nothing to the scores.

Record identifiers handed to the library are the registry's record UUIDs as strings; the
client's own ``record_id`` is not a matching feature and is not stored in the standardised form.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from identity.config import RegistrySettings
from identity.matcher import CandidateScore, Clustering, ScoredPair
from matching import Thresholds

if TYPE_CHECKING:
    from matching import Contribution, OnlineScorer

PROBE_ID = "__incoming__"
SIZE_TTL_SECONDS = 60.0
SIZE_TOLERANCE = 0.01  # re-derive the prior when the registry grew or shrank by more than 1%


class MatcherUnavailableError(RuntimeError):
    """No usable linkage model (the message says where it was looked for and what to do)."""


def contribution_weights(contributions: Sequence[Contribution]) -> dict[str, Any]:
    """Per comparison, ``{"label": level, "weight": w}`` (the weight alone for a level without
    a label): what the reviewers' "why" waterfall shows."""
    return {
        c.comparison: {"label": c.level, "weight": float(c.weight)} if c.level else float(c.weight)
        for c in contributions
    }


class _LazyContributions(Mapping[str, Any]):
    """A pair's per-comparison weights (:func:`contribution_weights`), computed when first
    read: the same values as the scorer's ``score_pair``, only for the pairs that need them."""

    __slots__ = ("_left", "_right", "_scorer", "_value")

    def __init__(
        self, scorer: OnlineScorer, left: Mapping[str, Any], right: Mapping[str, Any]
    ) -> None:
        self._scorer = scorer
        self._left = left
        self._right = right
        self._value: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._value is None:
            pair = self._scorer.score_pair(self._left, self._right)
            self._value = contribution_weights(pair.contributions)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


class LinkageMatcher:
    def __init__(self, model: Any, config: RegistrySettings) -> None:
        from matching import (
            STANDARDISATION_VERSION,
            OnlineScorer,
            blocking_keys,
            has_auto_link_evidence,
            standardise_record,
            weight_to_probability,
        )

        self.model = model
        self._base_scorer = OnlineScorer.from_model(model)
        self._scorer = self._base_scorer
        self._population = int(self._base_scorer.population_size)
        self._checked_at = -math.inf
        self._fixed = False
        self._standardise = standardise_record
        self._weight_to_probability = weight_to_probability
        self._blocking_keys = blocking_keys
        self._has_evidence = has_auto_link_evidence
        self.model_version = str(getattr(model, "model_version", "unknown"))[:64]
        self.standardisation_version = str(STANDARDISATION_VERSION)
        trained = model.thresholds
        self.thresholds = Thresholds(
            auto_link=config.auto_link_threshold or float(trained.auto_link),
            review=config.review_threshold or float(trained.review),
        )

    def calibrate(self, registry_size: Callable[[], int]) -> None:
        """Use the registry's size for the prior (as batch prediction uses its table's size),
        re-reading it at most every ``SIZE_TTL_SECONDS``."""
        now = time.monotonic()
        if self._fixed or now - self._checked_at < SIZE_TTL_SECONDS:
            return
        self._checked_at = now
        self._use_size(int(registry_size()))

    def fix_population_size(self, size: int | None) -> None:
        self._fixed = size is not None
        self._checked_at = -math.inf
        if size is not None:
            self._use_size(size)

    def _use_size(self, size: int) -> None:
        size = max(2, size)
        if size != self._population and abs(math.log(size / self._population)) > (
            0 if self._fixed else SIZE_TOLERANCE
        ):
            self._scorer = self._base_scorer.with_population_size(size)
            self._population = size

    @property
    def population_size(self) -> int:
        return self._population

    def standardise(self, canonical: Mapping[str, str | None]) -> dict[str, Any]:
        std = dict(self._standardise(canonical))
        std.pop("record_id", None)
        return std

    def blocking_keys(self, standardised: Mapping[str, Any]) -> list[str]:
        return list(self._blocking_keys(standardised))

    def has_auto_link_evidence(self, standardised: Mapping[str, Any]) -> bool:
        return self._has_evidence(standardised)

    def score(
        self,
        standardised: Mapping[str, Any],
        candidates: Sequence[tuple[uuid.UUID, Mapping[str, Any]]],
    ) -> list[CandidateScore]:
        if not candidates:
            return []
        probe = {**standardised, "record_id": PROBE_ID}
        scorer = self._scorer
        scored = []
        for cid, std in candidates:
            row = {**std, "record_id": str(cid)}
            # The weight alone (the contributions are read only for the few pairs sent to
            # review): building them for every candidate doubled the scoring time.
            weight = float(scorer.match_weight(probe, row))
            scored.append(
                CandidateScore(
                    candidate_id=cid if isinstance(cid, uuid.UUID) else uuid.UUID(str(cid)),
                    match_weight=weight,
                    match_probability=float(self._weight_to_probability(weight)),
                    contributions=_LazyContributions(scorer, probe, row),
                )
            )
        # As the scorer orders them: best first, ties by candidate id.
        scored.sort(key=lambda s: (-s.match_weight, str(s.candidate_id)))
        return scored

    def cluster(
        self,
        records: pa.Table,
        *,
        must_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
        cannot_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
    ) -> Clustering:
        from matching import STANDARDISED_SCHEMA, cluster, predict

        if records.num_rows == 0:
            return Clustering({}, [], self.model_version)
        table = _conform(records, STANDARDISED_SCHEMA)
        pairs = predict(self.model, table, threshold_match_probability=self.thresholds.review)
        result = cluster(
            pairs,
            table,
            self.thresholds,
            must_link=[(str(a), str(b)) for a, b in must_link],
            cannot_link=[(str(a), str(b)) for a, b in cannot_link],
            model=self.model,
        )
        clusters = result.clusters
        cluster_of = {
            uuid.UUID(r): str(c)
            for r, c in zip(
                clusters.column("record_id").to_pylist(),
                clusters.column("cluster_id").to_pylist(),
                strict=True,
            )
        }
        in_band = pairs.filter(
            pc.greater_equal(pairs.column("match_probability"), self.thresholds.review)
        )
        review_pairs = [
            ScoredPair(uuid.UUID(left), uuid.UUID(right), float(weight), float(probability))
            for left, right, weight, probability in zip(
                in_band.column("record_id_l").to_pylist(),
                in_band.column("record_id_r").to_pylist(),
                in_band.column("match_weight").to_pylist(),
                in_band.column("match_probability").to_pylist(),
                strict=True,
            )
        ]
        return Clustering(cluster_of, review_pairs, self.model_version)


def _conform(records: pa.Table, schema: pa.Schema) -> pa.Table:
    """The registry's rows (JSON-decoded) with exactly the library's standardised columns."""
    columns = []
    for field in schema:
        if field.name in records.column_names:
            column = records.column(field.name)
            columns.append(column if column.type == field.type else column.cast(field.type))
        else:
            columns.append(pa.nulls(records.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def load_matcher(path: Path, config: RegistrySettings) -> LinkageMatcher:
    if not path.exists():
        raise MatcherUnavailableError(
            f"no linkage model at {path}: train one with "
            f"`srj link train --input extract.parquet --model {path}` "
            "(or point SRJ_REGISTRY_MODEL_PATH at a trained model)"
        )
    try:
        from matching import TrainedModel

        model = TrainedModel.load(path)
    except Exception as exc:  # any unreadable artefact is reported the same way, with its type
        raise MatcherUnavailableError(
            f"the linkage model at {path} cannot be loaded ({type(exc).__name__}: {exc})"
        ) from exc
    return LinkageMatcher(model, config)


@lru_cache(maxsize=4)
def _cached(path: Path, mtime_ns: int, auto: float | None, review: float | None) -> LinkageMatcher:
    config = RegistrySettings(auto_link_threshold=auto, review_threshold=review)
    return load_matcher(path, config)


def load_matcher_cached(path: Path, config: RegistrySettings) -> LinkageMatcher:
    """The matcher for ``path``, loaded once per file version (a retrained model is picked up)."""
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return load_matcher(path, config)
    return _cached(path, mtime, config.auto_link_threshold, config.review_threshold)
