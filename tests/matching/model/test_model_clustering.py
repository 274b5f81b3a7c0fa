"""Constrained clustering: hard decisions, no chaining through weak links."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.clustering import ClusteringError, ConstraintConflictError, cluster
from matching.model import Thresholds, predict

THRESHOLDS = Thresholds(auto_link=0.999, review=0.5)
STRONG, WEAK, AGAINST = 20.0, 2.0, -15.0


def pairs_table(edges: list[tuple[str, str, float]]) -> pa.Table:
    return pa.table(
        {
            "record_id_l": pa.array([a for a, _, _ in edges], pa.string()),
            "record_id_r": pa.array([b for _, b, _ in edges], pa.string()),
            "match_weight": pa.array([w for _, _, w in edges], pa.float64()),
        }
    )


def groups(result: Any) -> set[frozenset[str]]:
    by_cluster: dict[str, set[str]] = defaultdict(set)
    for row in result.clusters.to_pylist():
        by_cluster[row["cluster_id"]].add(row["record_id"])
    return {frozenset(members) for members in by_cluster.values()}


def test_connected_records_form_one_cluster_named_by_its_smallest_id() -> None:
    result = cluster(
        pairs_table([("B", "C", STRONG), ("C", "A", STRONG)]), ["A", "B", "C", "D"], THRESHOLDS
    )
    assert groups(result) == {frozenset("ABC"), frozenset("D")}
    assert dict(
        zip(
            *(result.clusters.column(c).to_pylist() for c in ("record_id", "cluster_id")),
            strict=True,
        )
    ) == {"A": "A", "B": "A", "C": "A", "D": "D"}
    summary = result.summary.to_pylist()
    assert summary == [
        {
            "cluster_id": "A",
            "size": 3,
            "pairs_scored": 2,
            "pairs_possible": 3,
            "density": 2 / 3,
            "min_match_weight": STRONG,
            "mean_match_probability": pytest.approx(1.0),
        }
    ]
    # Pairs below auto-link never join; between review and auto-link they stay apart too.
    assert groups(cluster(pairs_table([("A", "B", WEAK)]), ["A", "B"], THRESHOLDS)) == {
        frozenset("A"),
        frozenset("B"),
    }


def test_two_persons_chained_by_one_link_are_split() -> None:
    a, b = ["A1", "A2", "A3"], ["B1", "B2", "B3"]
    edges = [
        (x, y, STRONG) for group in (a, b) for i, x in enumerate(group) for y in group[i + 1 :]
    ]
    edges.append(("A3", "B1", STRONG))  # a namesake link above the threshold
    edges += [(x, y, AGAINST) for x in a for y in b if (x, y) != ("A3", "B1")]
    result = cluster(pairs_table(edges), a + b, THRESHOLDS)
    assert groups(result) == {frozenset(a), frozenset(b)}
    assert result.held_back.to_pylist() == [
        {"record_id_l": "A3", "record_id_r": "B1", "match_weight": STRONG, "reason": "weak_link"}
    ]
    # Plain connected components (no evidence against) would have merged them.
    naive = cluster(pairs_table([e for e in edges if e[2] > 0]), a + b, THRESHOLDS)
    assert groups(naive) == {frozenset(a + b)}


def test_one_noisy_record_stays_with_its_person() -> None:
    members = ["P1", "P2", "P3", "P4"]
    edges = [(x, y, STRONG) for i, x in enumerate(members[:3]) for y in members[i + 1 : 3]]
    edges += [("P3", "P4", STRONG), ("P1", "P4", WEAK), ("P2", "P4", AGAINST)]
    result = cluster(pairs_table(edges), members, THRESHOLDS)
    assert groups(result) == {frozenset(members)}


def test_cannot_link_is_never_chained_through() -> None:
    edges = [("A", "B", STRONG), ("B", "C", STRONG)]
    result = cluster(pairs_table(edges), ["A", "B", "C"], THRESHOLDS, cannot_link=[("A", "C")])
    found = groups(result)
    assert not any({"A", "C"} <= g for g in found)
    assert {r["reason"] for r in result.held_back.to_pylist()} == {"cannot_link"}
    direct = cluster(
        pairs_table([("A", "B", STRONG)]), ["A", "B"], THRESHOLDS, cannot_link=[("B", "A")]
    )
    assert groups(direct) == {frozenset("A"), frozenset("B")}


def test_must_link_joins_without_evidence_and_conflicts_are_reported() -> None:
    result = cluster(pairs_table([]), ["A", "B", "C"], THRESHOLDS, must_link=[("A", "B")])
    assert groups(result) == {frozenset("AB"), frozenset("C")}
    with pytest.raises(ConstraintConflictError, match="A and C"):
        cluster(
            pairs_table([]),
            ["A", "B", "C"],
            THRESHOLDS,
            must_link=[("A", "B"), ("B", "C")],
            cannot_link=[("A", "C")],
        )
    # A must-link survives strong evidence against it.
    against = cluster(
        pairs_table([("A", "B", AGAINST), ("B", "C", STRONG), ("A", "C", AGAINST)]),
        ["A", "B", "C"],
        THRESHOLDS,
        must_link=[("A", "B")],
    )
    assert frozenset("AB") <= next(g for g in groups(against) if "A" in g)


def test_unknown_or_duplicate_records_are_refused() -> None:
    with pytest.raises(ClusteringError, match="absent from the records"):
        cluster(pairs_table([("A", "Z", STRONG)]), ["A", "B"], THRESHOLDS)
    with pytest.raises(ClusteringError, match="unique"):
        cluster(pairs_table([]), ["A", "A"], THRESHOLDS)
    with pytest.raises(ClusteringError, match="must-link names record Z"):
        cluster(pairs_table([]), ["A"], THRESHOLDS, must_link=[("A", "Z")])


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str, float]], list, list]:
    n = draw(st.integers(min_value=1, max_value=14))
    ids = [f"R{i:02d}" for i in range(n)]
    possible = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(possible), unique=True)) if possible else []
    edges = [(a, b, draw(st.sampled_from([STRONG, WEAK, AGAINST, 9.0]))) for a, b in chosen]
    person = {i: draw(st.integers(0, 3)) for i in ids}
    must = [
        (a, b)
        for a, b in possible
        if person[a] == person[b] and draw(st.booleans()) and draw(st.booleans())
    ]
    cannot = [
        (a, b)
        for a, b in possible
        if person[a] != person[b] and draw(st.booleans()) and draw(st.booleans())
    ]
    return ids, edges, must, cannot


@given(graphs())
@settings(max_examples=200, deadline=None)
def test_constraints_always_hold(graph: tuple[list[str], list, list, list]) -> None:
    ids, edges, must, cannot = graph
    result = cluster(pairs_table(edges), ids, THRESHOLDS, must_link=must, cannot_link=cannot)
    cluster_of = dict(
        zip(
            result.clusters["record_id"].to_pylist(),
            result.clusters["cluster_id"].to_pylist(),
            strict=True,
        )
    )
    assert sorted(cluster_of) == sorted(ids)  # every record exactly once
    assert all(cluster_of[a] == cluster_of[b] for a, b in must)
    assert all(cluster_of[a] != cluster_of[b] for a, b in cannot)
    # Every cluster is connected through auto-link pairs and must-links.
    links = defaultdict(set)
    for a, b, w in edges:
        if w >= THRESHOLDS.auto_link_weight:
            links[a].add(b)
            links[b].add(a)
    for a, b in must:
        links[a].add(b)
        links[b].add(a)
    for group in groups(result):
        start = min(group)
        seen, frontier = {start}, [start]
        while frontier:
            for nxt in links[frontier.pop()] & group:
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen == group
        assert min(group) == cluster_of[start]


def test_model_scores_the_pairs_the_table_lacks(linkage: Any) -> None:
    table = linkage.standardised
    model = linkage.model
    pairs = predict(model, table)  # at or above the review threshold only
    with_model = cluster(pairs, table, model.thresholds, model=model)
    without = cluster(pairs, table.column("record_id").to_pylist(), model.thresholds)
    assert with_model.clusters.num_rows == without.clusters.num_rows == table.num_rows
    # The model can only split what connected components joined, never join more.
    assert len(groups(with_model)) >= len(groups(without))


def _std(record_id: str, **traits: Any) -> dict[str, Any]:
    from matching.standardise import standardise_record

    return {**standardise_record({"source": "A", **traits}), "record_id": record_id}


def test_a_record_without_the_minimum_evidence_joins_no_cluster() -> None:
    """The issue-8 chain, in batch: GARNIER, a record without a surname, ROUSSEAU. The weak
    record scores at auto-link level with both; it joins neither (matching.evidence), and a
    must-link still puts it where a reviewer said."""
    thibault = {"prenoms": "THIBAULT", "sexe": "M", "date_naissance": "1979-05-17"}
    records = pa.Table.from_pylist(
        [
            _std("G", nom_naissance="GARNIER", code_commune_naissance="44109", **thibault),
            _std("W", **thibault),
            _std("R", nom_naissance="ROUSSEAU", code_commune_naissance="13055", **thibault),
        ]
    )
    edges = [("G", "W", STRONG), ("W", "R", STRONG), ("G", "R", AGAINST)]
    result = cluster(pairs_table(edges), records, THRESHOLDS)
    assert groups(result) == {frozenset("G"), frozenset("W"), frozenset("R")}
    assert sorted(
        (row["record_id_l"], row["record_id_r"], row["reason"])
        for row in result.held_back.to_pylist()
    ) == [("G", "W", "insufficient_evidence"), ("W", "R", "insufficient_evidence")]
    decided = cluster(pairs_table(edges), records, THRESHOLDS, must_link=[("G", "W")])
    assert groups(decided) == {frozenset("GW"), frozenset("R")}
    # Record ids only: nothing to read the evidence from, the scores decide (and the
    # consistency test still keeps GARNIER and ROUSSEAU apart).
    assert groups(cluster(pairs_table(edges), ["G", "W", "R"], THRESHOLDS)) != {
        frozenset("G"),
        frozenset("W"),
        frozenset("R"),
    }
