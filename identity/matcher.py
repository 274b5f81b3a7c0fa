"""What the registry needs from the linkage engine, as one small interface.

The registry never standardises, blocks or scores by itself: :class:`Matcher` is the seam, and
:mod:`identity.linkage` implements it with ``matching`` (the standardisation, blocking keys,
online scorer and constrained clustering of the linkage library). The thresholds are the
library's own (:class:`matching.Thresholds`), re-used here rather than redefined.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from matching import Thresholds


@dataclass(frozen=True)
class CandidateScore:
    """One candidate record's score, as the registry uses it: the candidate's record UUID,
    and its per-comparison weights read lazily (only the pairs sent to reviewers need them;
    :func:`identity.linkage.contribution_weights` builds them from the scorer's
    :class:`matching.Contribution` list)."""

    candidate_id: uuid.UUID
    match_weight: float
    match_probability: float
    # Per comparison: its match weight, or {"label": level, "weight": w} (the reviewers' "why").
    contributions: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredPair:
    record_l: uuid.UUID
    record_r: uuid.UUID
    match_weight: float
    match_probability: float


@dataclass(frozen=True)
class Clustering:
    """A batch run over the whole registry: a cluster label per record, and review-band pairs."""

    cluster_of: Mapping[uuid.UUID, str]
    review_pairs: Sequence[ScoredPair]
    model_version: str


class Matcher(Protocol):
    model_version: str
    standardisation_version: str
    thresholds: Thresholds

    def standardise(self, canonical: Mapping[str, str | None]) -> dict[str, Any]:
        """The standardised form of a canonical record (what is stored and compared)."""
        ...

    def blocking_keys(self, standardised: Mapping[str, Any]) -> list[str]:
        """Keys two records share iff some blocking rule would compare them."""
        ...

    def has_auto_link_evidence(self, standardised: Mapping[str, Any]) -> bool:
        """Whether the record may be linked without a reviewer at all (the minimum evidence
        batch clustering requires too): whatever its scores, a record without it is only ever
        suggested."""
        ...

    def score(
        self,
        standardised: Mapping[str, Any],
        candidates: Sequence[tuple[uuid.UUID, Mapping[str, Any]]],
    ) -> list[CandidateScore]:
        """Scores of one record against candidates, with the trained model's parameters."""
        ...

    def calibrate(self, registry_size: Callable[[], int]) -> None:
        """Match probabilities depend on the population's size (the prior): let the matcher
        learn the registry's (it may cache it for a while)."""
        ...

    def fix_population_size(self, size: int | None) -> None:
        """Use this population size until reset with None (bulk ingest: the final size)."""
        ...

    def cluster(
        self,
        records: pa.Table,
        *,
        must_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
        cannot_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
    ) -> Clustering:
        """The batch model over ``records`` (``record_id`` + standardised columns) with hard
        constraints (re-linkage)."""
        ...
