"""A transparent matcher for testing the registry's rules with scores the test controls.

The registry's own rules (upsert, manual links never move, cannot-links never linked,
reconciliation, audit) must hold whatever the model says; these tests need scores they can
predict. Each of four fields adds +5 when both records agree, -5 when they disagree, 0 when
one is missing; the prior is -8. So: all four agree -> weight 12 (linked); three agree and
one missing -> 7 (review); three agree and one differs -> 2 (new). A record may be linked
automatically only with a nom, prénoms and a date (the real rule, ``matching.evidence``, reads
the standardised form of the linkage library). The tests of the real linkage model live next
to these (test_registry_linkage.py).
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

    def has_auto_link_evidence(self, standardised: Mapping[str, Any]) -> bool:
        return all(standardised.get(f) for f in FIELDS[:3])

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
            if (
                pair.match_probability >= self.thresholds.auto_link
                and self.has_auto_link_evidence(rows[pair.record_l])
                and self.has_auto_link_evidence(rows[pair.record_r])
            ):
                union(pair.record_l, pair.record_r)
        cluster_of = {r: str(find(r)) for r in rows}
        return Clustering(cluster_of, pairs, self.model_version)


class TraitsMatcher:
    """Transparent scores on the linkage library's own standardised columns, with the library's
    minimum evidence (``matching.evidence``) and batch clustering (``matching.clustering``):
    what online resolve is compared with, the model aside.

    Four traits (surname, first given name, date of birth, birthplace code): +5 each when both
    records agree, -5 when they differ, 0 when one lacks it; a year of birth alone agreeing
    with a date or a year adds +2; the prior is -3. So three agreeing traits and one missing
    score 12 (above ``auto_link``: a record without a surname would be linked on its score),
    two agreeing and two missing 7 (review), three agreeing and one differing 2 (new). Every
    record shares one blocking key: online resolve sees every earlier record, and batch
    clustering is handed every pair.
    """

    model_version = "test-traits-1"
    standardisation_version = "test-traits-1"

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds(auto_link=0.999, review=0.9)

    def standardise(self, canonical: Mapping[str, str | None]) -> dict[str, Any]:
        def text(name: str) -> str | None:
            return (canonical.get(name) or "").strip().upper() or None

        date = text("date_naissance")
        full = date if date and len(date) == 10 else None
        return {
            "nom_std": text("nom_naissance"),
            "nom_usage_std": None,
            "prenom1_std": (text("prenoms") or "").split(" ")[0] or None,
            "dn": full,
            "dn_annee": int(date[:4]) if date else None,
            "dn_precision": "jour" if full else ("annee" if date else None),
            "dn_presumee": bool(full and full[5:] in ("01-01", "12-31")),
            "lieu_code": text("code_commune_naissance"),
            "lieu_nom": None,
        }

    def blocking_keys(self, standardised: Mapping[str, Any]) -> list[str]:
        return ["all"]

    def has_auto_link_evidence(self, standardised: Mapping[str, Any]) -> bool:
        from matching.evidence import has_auto_link_evidence

        return has_auto_link_evidence(standardised)

    def weight(self, a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
        total = -3.0
        for name in ("nom_std", "prenom1_std", "lieu_code"):
            if a.get(name) and b.get(name):
                total += STEP if a[name] == b[name] else -STEP
        if a.get("dn") and b.get("dn"):
            total += STEP if a["dn"] == b["dn"] else -STEP
        elif a.get("dn_annee") and b.get("dn_annee"):
            total += 2.0 if a["dn_annee"] == b["dn_annee"] else -STEP
        return total

    def score(
        self,
        standardised: Mapping[str, Any],
        candidates: Sequence[tuple[uuid.UUID, Mapping[str, Any]]],
    ) -> list[CandidateScore]:
        out = []
        for cid, cand in candidates:
            weight = self.weight(standardised, cand)
            out.append(CandidateScore(cid, weight, probability(weight), {"total": weight}))
        return out

    def calibrate(self, registry_size: Any) -> None:
        pass

    def fix_population_size(self, size: int | None) -> None:
        pass

    def cluster(
        self,
        records: pa.Table,
        *,
        must_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
        cannot_link: Sequence[tuple[uuid.UUID, uuid.UUID]],
    ) -> Clustering:
        from matching.clustering import cluster
        from matching.model import Thresholds as ModelThresholds

        rows = records.to_pylist()
        pairs = [
            (a["record_id"], b["record_id"], self.weight(a, b))
            for a, b in itertools.combinations(rows, 2)
        ]
        table = pa.table(
            {
                "record_id_l": pa.array([p[0] for p in pairs], pa.string()),
                "record_id_r": pa.array([p[1] for p in pairs], pa.string()),
                "match_weight": pa.array([p[2] for p in pairs], pa.float64()),
            }
        )
        result = cluster(
            table,
            records,
            ModelThresholds(auto_link=self.thresholds.auto_link, review=self.thresholds.review),
            must_link=[(str(a), str(b)) for a, b in must_link],
            cannot_link=[(str(a), str(b)) for a, b in cannot_link],
        )
        cluster_of = {
            uuid.UUID(r): str(c)
            for r, c in zip(
                result.clusters.column("record_id").to_pylist(),
                result.clusters.column("cluster_id").to_pylist(),
                strict=True,
            )
        }
        review = [
            ScoredPair(uuid.UUID(a), uuid.UUID(b), w, probability(w))
            for a, b, w in pairs
            if probability(w) >= self.thresholds.review
        ]
        return Clustering(cluster_of, review, self.model_version)
