"""A transparent matcher for testing the registry's rules with scores the test controls.

The registry's own rules (upsert, manual links never move, cannot-links never linked,
reconciliation, audit) must hold whatever the model says; these tests need scores they can
predict. Each of four fields adds +5 when both records agree, -5 when they disagree, 0 when
one is missing; the prior is -8. So: all four agree -> weight 12 (linked); three agree and
one missing -> 7 (review); three agree and one differs -> 2 (new). The tests of the real
linkage model live next to these (test_linkage_*.py).
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from identity.matcher import CandidateScore, Clustering, ScoredPair, Thresholds

FIELDS = ("nom_naissance", "prenoms", "date_naissance", "code_commune_naissance")
PRIOR = -8.0
STEP = 5.0


def probability(weight: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -weight))


class FieldsMatcher:
    model_version = "test-fields-1"
    standardisation_version = "test-1"

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds(auto_link=0.999, review=0.9)
        self.scored: list[tuple[dict[str, Any], int]] = []  # (record, number of candidates)

    def standardise(self, canonical: Mapping[str, str | None]) -> dict[str, Any]:
        return {f: (canonical.get(f) or "").strip().upper() or None for f in FIELDS}

    def blocking_keys(self, standardised: Mapping[str, Any]) -> list[str]:
        keys = []
        if standardised.get("nom_naissance"):
            keys.append("n:" + standardised["nom_naissance"])
        if standardised.get("date_naissance"):
            keys.append("d:" + standardised["date_naissance"])
        return keys

    def pair(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[float, dict[str, float]]:
        contributions = {}
        for f in FIELDS:
            if a.get(f) and b.get(f):
                contributions[f] = STEP if a[f] == b[f] else -STEP
            else:
                contributions[f] = 0.0
        return PRIOR + sum(contributions.values()), contributions

    def score(
        self,
        standardised: Mapping[str, Any],
        candidates: Sequence[tuple[uuid.UUID, Mapping[str, Any]]],
    ) -> list[CandidateScore]:
        self.scored.append((dict(standardised), len(candidates)))
        out = []
        for cid, cand in candidates:
            weight, contributions = self.pair(standardised, cand)
            out.append(CandidateScore(cid, weight, probability(weight), contributions))
        return out

    def calibrate(self, registry_size: Any) -> None:
        self.registry_size = registry_size()

    def fix_population_size(self, size: int | None) -> None:
        self.fixed_size = size

    def cluster(
        self,
        records: pa.Table,
        *,
        must_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
        cannot_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
    ) -> Clustering:
        rows = {uuid.UUID(r["record_id"]): r for r in records.to_pylist()}
        parent = {r: r for r in rows}
        members = {r: {r} for r in rows}
        forbidden = {frozenset(p) for p in cannot_link}

        def find(x: uuid.UUID) -> uuid.UUID:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: uuid.UUID, b: uuid.UUID) -> None:
            ra, rb = find(a), find(b)
            if ra == rb:
                return
            if any(frozenset((x, y)) in forbidden for x in members[ra] for y in members[rb]):
                return
            parent[rb] = ra
            members[ra] |= members.pop(rb)

        for a, b in must_link:
            if a in rows and b in rows:
                union(a, b)
        pairs = []
        for a, b in itertools.combinations(sorted(rows), 2):
            weight, _ = self.pair(rows[a], rows[b])
            p = probability(weight)
            if p >= self.thresholds.review:
                pairs.append(ScoredPair(a, b, weight, p))
        for pair in sorted(pairs, key=lambda p: (-p.match_weight, p.record_l, p.record_r)):
            if pair.match_probability >= self.thresholds.auto_link:
                union(pair.record_l, pair.record_r)
        cluster_of = {r: str(find(r)) for r in rows}
        return Clustering(cluster_of, pairs, self.model_version)
