"""Clustering scored pairs into persons, with hard constraints and no chaining.

Splink clusters by connected components: one wrong link above the threshold joins two
whole persons, and A–B, B–C above the threshold join A and C even when A and C are
obviously different people. Here a cluster must be both

- connected through pairs at or above ``auto_link`` (or must-links), and
- consistent: every two of its records score at least ``review`` (they are at least
  plausibly the same person), and no two of them are cannot-linked.

An auto-link pair counts only if both its records have the minimum evidence of
:mod:`matching.evidence` (a surname, a given name, a year of birth...), the rule
the registry's online resolve applies too: a record without it joins a cluster only through
a must-link, and its auto-link pairs are held back (``insufficient_evidence``) for review.

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

from matching.evidence import auto_link_evidence
from matching.graph import connected_labels
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


class _Consistency:
    """Whether two groups of records may form one cluster.

    Only the components being rebuilt ask, and their groups are small (a few records):
    plain Python on a dict of their pairs' probabilities costs a few microseconds per
    question, where numpy's per-call overhead on arrays of one to ten elements cost tens.
    """

    def __init__(
        self,
        probability: dict[int, float],
        size: int,
        review: float,
        cannot: set[tuple[int, int]],
        scorer: Any,
        standardised: _Rows | None,
    ) -> None:
        # Pair (low, high) of record positions -> match probability, keyed low * size + high:
        # an int key takes a third of a tuple's memory (millions of pairs at 1M records).
        self.probability = probability
        self.size = size
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
        cannot = self.cannot
        if cannot and any((min(x, y), max(x, y)) in cannot for x in xs for y in ys):
            return "cannot_link"
        probability, size = self.probability, self.size
        pairs = len(xs) * len(ys)
        # Probabilities are non-negative, so once the known ones reach the review share of
        # all cross pairs the groups may merge whatever the rest (and, without a scorer,
        # the mean over fewer known pairs is higher still): big groups stop half way.
        enough = self.review_probability * pairs
        known_sum = 0.0
        missing: list[int] = []
        for x in xs:
            for y in ys:
                key = x * size + y if x < y else y * size + x
                p = probability.get(key)
                if p is None:
                    missing.append(key)
                else:
                    known_sum += p
            if known_sum >= enough:
                return None
        if self.scorer is None or self.standardised is None:
            total = pairs - len(missing)  # unscored pairs are left out of the mean
            if total == 0:
                return None
            return None if known_sum >= self.review_probability * total else "weak_link"
        needed = self.review_probability * pairs
        # Decide without scoring when the unscored pairs cannot change the outcome.
        if known_sum >= needed:
            return None
        if known_sum + len(missing) < needed:
            return "weak_link"
        rows, weight_of = self.standardised, self.scorer.match_weight
        scored = _probabilities(
            np.asarray(
                [weight_of(rows[k // size], rows[k % size]) for k in missing], dtype=np.float64
            )
        ).tolist()
        # A pair scored once keeps its probability: a later merge attempt may ask again.
        probability.update(zip(missing, scored, strict=True))
        total_sum = known_sum + sum(scored)
        return None if total_sum >= needed else "weak_link"


class _Rows:
    """Standardised records by position, as dicts, read on first use: when every rebuilt
    component decides from the scored pairs alone, the records are never converted."""

    def __init__(self, records: pa.Table, positions: np.ndarray) -> None:
        self._records = records
        self._positions = positions
        self._columns: dict[str, list[Any]] | None = None
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, dict[str, Any]] = {}

    def __getitem__(self, position: int) -> dict[str, Any]:
        row = self._cache.get(position)
        if row is None:
            if self._columns is None:
                subset = self._records.take(pa.array(self._positions))
                self._columns = {
                    name: subset.column(name).to_pylist() for name in subset.column_names
                }
                self._row_of = {p: i for i, p in enumerate(self._positions.tolist())}
            i = self._row_of[position]
            row = {name: column[i] for name, column in self._columns.items()}
            self._cache[position] = row
        return row


# Edges tested together for "already in one group" in the rebuild pass.
_EDGE_BATCH = 4096


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
    held_back: list[tuple[int, int, float, str]] = []
    evidence = auto_link_evidence(records) if isinstance(records, pa.Table) else None
    if evidence is not None:
        # The same minimum evidence as online resolve (matching.evidence): a pair with a
        # record lacking it is for reviewers, whatever its score.
        lacking = strong & ~(evidence[left] & evidence[right])
        held_back.extend(
            (a, b, w, "insufficient_evidence")
            for a, b, w in zip(
                left[lacking].tolist(),
                right[lacking].tolist(),
                weight[lacking].tolist(),
                strict=True,
            )
        )
        strong &= ~lacking
    must_array = np.asarray(must, dtype=np.int64).reshape(-1, 2)
    labels = connected_labels(
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

    roots = labels.copy()
    if to_rebuild:
        rebuild_mask = np.isin(labels, np.fromiter(to_rebuild, dtype=np.int64))
        members_all = np.flatnonzero(rebuild_mask)
        scorer = None
        standardised: _Rows | None = None
        if (
            model is not None
            and isinstance(records, pa.Table)
            and "nom_std" in records.column_names
        ):
            from matching.online import OnlineScorer

            scorer = OnlineScorer(model, population_size=population_size or size)
            # Only the records of the components to rebuild, not the whole table.
            standardised = _Rows(records, members_all)
        # Probabilities of the scored pairs inside the components to rebuild (the only
        # ones the consistency test reads); the first row wins if a pair comes twice.
        within = np.flatnonzero(rebuild_mask[left] & (labels[left] == labels[right]))
        low = np.minimum(left[within], right[within])
        high = np.maximum(left[within], right[within])
        probability = dict(
            zip(
                reversed((low * np.int64(size) + high).tolist()),
                reversed(_probabilities(weight[within]).tolist()),
                strict=True,
            )
        )
        consistency = _Consistency(
            probability, size, thresholds.review, cannot, scorer, standardised
        )
        edges = within[strong[within]]
        edges = edges[np.lexsort((right[edges], left[edges], -weight[edges]))]
        # Each member's group label (a dict, and an array for vectorised tests) and each
        # group's members. A merge relabels the smaller group.
        label: dict[int, int] = {m: m for m in members_all.tolist()}
        label_array = np.arange(size, dtype=np.int64)
        groups: dict[int, list[int]] = {m: [m] for m in label}

        def merge(ga: int, gb: int) -> None:
            xs, ys = groups.pop(ga), groups.pop(gb)
            keep, moved = (ga, ys) if len(xs) >= len(ys) else (gb, xs)
            for m in moved:
                label[m] = keep
            label_array[moved] = keep
            groups[keep] = xs + ys  # in this order: the consistency sums follow it

        for a, b in must:  # never undone
            if rebuild_mask[a] and label[a] != label[b]:
                merge(label[a], label[b])
        # People with many records make big components whose edges nearly all join two
        # records already grouped: each batch of edges drops those in one vectorised test
        # (against the labels as the batch starts), and only the rest go through Python.
        edge_left, edge_right, edge_weight = left[edges], right[edges], weight[edges]
        for start in range(0, len(edges), _EDGE_BATCH):
            batch = slice(start, start + _EDGE_BATCH)
            open_edges = np.flatnonzero(
                label_array[edge_left[batch]] != label_array[edge_right[batch]]
            )
            for a, b, w in zip(
                edge_left[batch][open_edges].tolist(),
                edge_right[batch][open_edges].tolist(),
                edge_weight[batch][open_edges].tolist(),
                strict=True,
            ):
                ga, gb = label[a], label[b]
                if ga == gb:  # grouped by a merge earlier in this batch
                    continue
                obstacle = consistency.obstacle(groups[ga], groups[gb])
                if obstacle is None:
                    merge(ga, gb)
                else:
                    held_back.append((a, b, w, obstacle))
        # Each group named by its smallest position, as connected components are.
        positions = [m for members in groups.values() for m in members]
        smallest = [min(members) for members in groups.values() for _ in members]
        roots[positions] = smallest
    return _result(ids, roots, left, right, weight, held_back)


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
