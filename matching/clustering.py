"""Clustering scored pairs into persons, with hard constraints and no chaining.

Splink clusters by connected components: one wrong link above the threshold joins two
whole persons, and A–B, B–C above the threshold join A and C even when A and C are
obviously different people. Here a cluster must be both

- connected through pairs at or above ``auto_link`` (or must-links), and
- consistent: every two of its records score at least ``review`` (they are at least
  plausibly the same person), and no two of them are cannot-linked.

Connected components that already satisfy this (nearly all of them) are kept as they are.
The others are rebuilt greedily: their auto-link pairs are taken from the strongest down,
and two sub-clusters merge only if every cross pair is consistent. Pairs the scored table
does not hold (never blocked together, or scored below its threshold) are scored with the
model when one is given (the online scorer gives Splink's exact weights); without a model,
an unscored pair counts as consistent.

Must-links merge first and are never undone; a must-link chain that joins a cannot-linked
pair is a contradiction in the reviewers' decisions and raises `ConstraintConflictError`.
Auto-link pairs that end up in different clusters are returned as ``held_back`` (with the
reason), for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matching.model.artefact import TrainedModel
from matching.model.thresholds import Thresholds


class ClusteringError(ValueError):
    """The inputs of a clustering do not fit together (says which record)."""


class ConstraintConflictError(ClusteringError):
    """Must-links join two records that a cannot-link separates."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(
            f"must-link decisions join records {left} and {right}, which a cannot-link "
            "decision separates: one of these decisions must be revised"
        )
        self.left = left
        self.right = right


@dataclass(frozen=True)
class ClusterResult:
    """``clusters``: record_id, cluster_id (every record exactly once; the cluster id is
    the smallest record id of the cluster). ``summary``: one row per cluster of two or
    more records. ``held_back``: auto-link pairs left in different clusters, with why."""

    clusters: pa.Table
    summary: pa.Table
    held_back: pa.Table


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = np.arange(size, dtype=np.int64)

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = int(parent[root])
        while parent[item] != root:
            parent[item], item = root, int(parent[item])
        return root

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
        return min(ra, rb)

    def roots(self) -> np.ndarray:
        labels = self.parent.copy()
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                return labels
            labels = jumped


def _components(size: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components, each node labelled by its smallest node (vectorised).

    Min-label propagation with pointer jumping: a few dozen numpy passes for millions of
    edges, where a Python union-find loop takes seconds per million.
    """
    labels = np.arange(size, dtype=np.int64)
    if len(left) == 0:
        return labels
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            return labels


def _record_ids(records: Any) -> list[str]:
    if isinstance(records, pa.Table):
        column = records.column("record_id")
        if column.null_count:
            raise ClusteringError("every record needs a record_id")
        ids = [str(v) for v in column.to_pylist()]
    else:
        ids = [str(v) for v in records]
    if len(set(ids)) != len(ids):
        raise ClusteringError("record_id must be unique among the records to cluster")
    return ids


def _column_positions(ids: pa.Array, column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Positions of a column's record ids among ``ids`` (vectorised; every id must exist)."""
    values = column.cast(pa.string())
    positions = pc.index_in(values, value_set=ids)
    if positions.null_count:
        missing = pc.filter(values, pc.is_null(positions))
        raise ClusteringError(
            f"a scored pair names record {missing[0].as_py()}, absent from the records"
        )
    return positions.to_numpy(zero_copy_only=False).astype(np.int64)


class _LazyIndex:
    """record_id -> position, built only if constraints need it."""

    def __init__(self, ids: list[str]) -> None:
        self._ids = ids
        self._index: dict[str, int] | None = None

    def get(self, record_id: str) -> int | None:
        if self._index is None:
            self._index = {value: position for position, value in enumerate(self._ids)}
        return self._index.get(record_id)


def _constraint_pairs(
    index: _LazyIndex, pairs: Iterable[tuple[str, str]], what: str
) -> list[tuple[int, int]]:
    out = []
    for pair in pairs:
        positions = []
        for value in pair:
            position = index.get(str(value))
            if position is None:
                raise ClusteringError(f"{what} names record {value}, absent from the records")
            positions.append(position)
        a, b = positions
        if a != b:
            out.append((min(a, b), max(a, b)))
    return out


class _PairWeights:
    """Weights of the scored pairs, looked up by record positions (unordered)."""

    def __init__(self, left: np.ndarray, right: np.ndarray, weight: np.ndarray, size: int) -> None:
        keys = np.minimum(left, right) * np.int64(size) + np.maximum(left, right)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.weights = weight[order]
        self.size = np.int64(size)

    def lookup(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(weights, found) for each pair (a[i], b[i]); weights are NaN where not found."""
        keys = np.minimum(a, b) * self.size + np.maximum(a, b)
        if len(self.keys) == 0:
            return np.full(len(keys), np.nan), np.zeros(len(keys), dtype=bool)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[at] == keys
        return np.where(found, self.weights[at], np.nan), found


class _Consistency:
    """Whether two groups of records may form one cluster."""

    def __init__(
        self,
        weights: _PairWeights,
        review: float,
        cannot: set[tuple[int, int]],
        scorer: Any,
        standardised: dict[int, dict[str, Any]] | None,
    ) -> None:
        self.weights = weights
        self.review_probability = review
        self.cannot = cannot
        self.scorer = scorer
        self.standardised = standardised

    def obstacle(self, xs: list[int], ys: list[int]) -> str | None:
        """``cannot_link``, ``weak_link`` or None when the groups may merge.

        Average linkage: the mean match probability of the cross pairs must reach the
        review threshold. One noisy record of a person scores low with a few of its
        records and high with most; two persons chained through one twin or namesake
        link score low with each other across the board.
        """
        if self.cannot and any((min(x, y), max(x, y)) in self.cannot for x in xs for y in ys):
            return "cannot_link"
        a = np.repeat(np.asarray(xs, dtype=np.int64), len(ys))
        b = np.tile(np.asarray(ys, dtype=np.int64), len(xs))
        known, found = self.weights.lookup(a, b)
        known_sum = float(_probabilities(known[found]).sum())
        missing = int((~found).sum())
        if self.scorer is None or self.standardised is None:
            total = len(known) - missing  # unscored pairs are left out of the mean
            if total == 0:
                return None
            return None if known_sum >= self.review_probability * total else "weak_link"
        needed = self.review_probability * len(known)
        # Decide without scoring when the unscored pairs cannot change the outcome.
        if known_sum >= needed:
            return None
        if known_sum + missing < needed:
            return "weak_link"
        records, weight_of = self.standardised, self.scorer.match_weight
        scored = np.asarray(
            [
                weight_of(records[x], records[y])
                for x, y in zip(a[~found].tolist(), b[~found].tolist(), strict=True)
            ],
            dtype=np.float64,
        )
        total_sum = known_sum + float(_probabilities(scored).sum())
        return None if total_sum >= needed else "weak_link"


def cluster(
    pairs: pa.Table,
    records: pa.Table | Sequence[str],
    thresholds: Thresholds,
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    model: TrainedModel | None = None,
    population_size: int | None = None,
) -> ClusterResult:
    """Cluster records from scored pairs (see the module docstring).

    ``pairs``: record_id_l, record_id_r, match_weight (as `matching.model.predict` returns).
    ``records``: the record ids, or the standardised records (needed, with ``model``, to
    score the pairs the table lacks; ``population_size`` sets their prior and defaults to
    the number of records, as in `predict`).
    """
    ids = _record_ids(records)
    size = len(ids)
    id_array = pa.array(ids, pa.string())
    index = _LazyIndex(ids)
    left = _column_positions(id_array, pairs.column("record_id_l"))
    right = _column_positions(id_array, pairs.column("record_id_r"))
    weight = pairs.column("match_weight").to_numpy(zero_copy_only=False).astype(np.float64)
    weights = _PairWeights(left, right, weight, size)
    must = _constraint_pairs(index, must_link, "a must-link")
    cannot = set(_constraint_pairs(index, cannot_link, "a cannot-link"))

    # Decisions first: must-links that chain a cannot-linked pair together contradict.
    decided = _UnionFind(size)
    for a, b in must:
        decided.union(a, b)
    for a, b in sorted(cannot):
        if decided.find(a) == decided.find(b):
            raise ConstraintConflictError(ids[a], ids[b])

    strong = weight >= thresholds.auto_link_weight
    must_array = np.asarray(must, dtype=np.int64).reshape(-1, 2)
    labels = _components(
        size,
        np.concatenate([left[strong], must_array[:, 0]]),
        np.concatenate([right[strong], must_array[:, 1]]),
    )

    # Components whose every pair is known and consistent (and that hold no cannot-linked
    # pair) stay as they are: that is nearly all of them.
    review = thresholds.review_weight
    component_size = np.bincount(labels, minlength=size)
    inside = labels[left] == labels[right]
    consistent_pairs = np.bincount(labels[left[inside & (weight >= review)]], minlength=size)
    complete = consistent_pairs == component_size * (component_size - 1) // 2
    to_rebuild = {int(root) for root in np.flatnonzero((component_size > 2) & ~complete)}
    to_rebuild |= {int(labels[a]) for a, b in cannot if labels[a] == labels[b]}

    final = _UnionFind(size)
    final.parent = labels.copy()
    held_back: list[tuple[int, int, float, str]] = []
    if to_rebuild:
        rebuild_mask = np.isin(labels, np.fromiter(to_rebuild, dtype=np.int64))
        members_all = np.flatnonzero(rebuild_mask)
        scorer = None
        standardised: dict[int, dict[str, Any]] | None = None
        if (
            model is not None
            and isinstance(records, pa.Table)
            and "nom_std" in records.column_names
        ):
            from matching.online import OnlineScorer

            scorer = OnlineScorer(model, population_size=population_size or size)
            # Only the records of the components to rebuild, not the whole table.
            rows = records.take(pa.array(members_all)).to_pylist()
            standardised = dict(zip(members_all.tolist(), rows, strict=True))
        consistency = _Consistency(weights, thresholds.review, cannot, scorer, standardised)
        final.parent[members_all] = members_all
        edge_mask = strong & rebuild_mask[left] & (labels[left] == labels[right])
        edges = np.flatnonzero(edge_mask)
        edges = edges[np.lexsort((right[edges], left[edges], -weight[edges]))]
        groups: dict[int, list[int]] = {int(m): [int(m)] for m in members_all}

        def merge(a: int, b: int) -> None:
            ga, gb = final.find(a), final.find(b)
            if ga != gb:
                joined = groups.pop(ga) + groups.pop(gb)
                groups[final.union(ga, gb)] = joined

        for a, b in must:  # never undone
            if rebuild_mask[a]:
                merge(a, b)
        for edge in edges.tolist():
            a, b = int(left[edge]), int(right[edge])
            ga, gb = final.find(a), final.find(b)
            if ga == gb:
                continue
            obstacle = consistency.obstacle(groups[ga], groups[gb])
            if obstacle is None:
                merge(a, b)
            else:
                held_back.append((a, b, float(weight[edge]), obstacle))
    return _result(ids, final.roots(), left, right, weight, held_back)


def _probabilities(weights: np.ndarray) -> np.ndarray:
    """Match probabilities of match weights (Splink's stable formula, vectorised)."""
    with np.errstate(over="ignore"):
        positive = 1.0 / (1.0 + np.exp2(-np.maximum(weights, 0.0)))
        odds = np.exp2(np.minimum(weights, 0.0))
    return np.where(weights >= 0, positive, odds / (1.0 + odds))


def _result(
    ids: list[str],
    roots: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    weight: np.ndarray,
    held_back: list[tuple[int, int, float, str]],
) -> ClusterResult:
    id_array = pa.array(ids, pa.string())
    # Cluster id: the smallest record id of the cluster (stable, readable, not a trait).
    unique_roots, group = np.unique(roots, return_inverse=True)
    smallest = (
        pa.table({"group": pa.array(group, pa.int64()), "record_id": id_array})
        .group_by("group")
        .aggregate([("record_id", "min")])
        .sort_by("group")
        .column("record_id_min")
    )
    cluster_ids = smallest.take(pa.array(group, pa.int64()))
    clusters = pa.table({"record_id": id_array, "cluster_id": cluster_ids.combine_chunks()})

    sizes = np.bincount(group, minlength=len(unique_roots))
    same = roots[left] == roots[right]
    owner = group[left[same]]
    scored = np.bincount(owner, minlength=len(unique_roots))
    minimum = np.full(len(unique_roots), np.inf)
    np.minimum.at(minimum, owner, weight[same])
    probability_sum = np.bincount(
        owner, weights=_probabilities(weight[same]), minlength=len(unique_roots)
    )
    multi = np.flatnonzero(sizes >= 2)
    possible = sizes[multi] * (sizes[multi] - 1) // 2
    has_scores = scored[multi] > 0
    summary = pa.table(
        {
            "cluster_id": smallest.take(pa.array(multi, pa.int64())).combine_chunks(),
            "size": pa.array(sizes[multi], pa.int64()),
            "pairs_scored": pa.array(scored[multi], pa.int64()),
            "pairs_possible": pa.array(possible, pa.int64()),
            "density": pa.array(scored[multi] / np.maximum(possible, 1), pa.float64()),
            "min_match_weight": pa.array(
                np.where(has_scores, minimum[multi], np.nan), pa.float64(), mask=~has_scores
            ),
            "mean_match_probability": pa.array(
                probability_sum[multi] / np.maximum(scored[multi], 1),
                pa.float64(),
                mask=~has_scores,
            ),
        }
    )
    held = [
        {"record_id_l": ids[a], "record_id_r": ids[b], "match_weight": w, "reason": reason}
        for a, b, w, reason in held_back
        if roots[a] != roots[b]
    ]
    held_schema = pa.schema(
        [
            ("record_id_l", pa.string()),
            ("record_id_r", pa.string()),
            ("match_weight", pa.float64()),
            ("reason", pa.string()),
        ]
    )
    return ClusterResult(
        clusters=clusters,
        summary=summary,
        held_back=pa.Table.from_pylist(held, schema=held_schema),
    )
