"""Reconciling a batch clustering with existing persons: identifiers survive, manual links hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity.reconcile import ManualConflictError, Plan, reconcile

RECORDS = [uuid.UUID(int=i + 1) for i in range(12)]
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def apply(plan: Plan, current: dict[uuid.UUID, str], clusters: dict[uuid.UUID, str]) -> dict:
    """The persons after the plan (new persons named after their cluster)."""
    owner = {label: (p if p is not None else f"new:{label}") for label, p in plan.owner.items()}
    return {r: owner[clusters[r]] for r in current}


@st.composite
def registries(draw: st.DrawFn) -> tuple[dict, dict, set, dict]:
    n = draw(st.integers(1, len(RECORDS)))
    records = RECORDS[:n]
    current = {r: f"P{draw(st.integers(0, 5))}" for r in records}
    clusters = {r: f"C{draw(st.integers(0, 5))}" for r in records}
    manual = {r for r in records if draw(st.booleans()) and draw(st.booleans())}
    # Keep manual records of one person in one cluster and apart from other persons' (the
    # relink job guarantees it with must-/cannot-link constraints).
    anchor_cluster: dict[str, str] = {}
    used: dict[str, str] = {}
    for r in sorted(manual):
        p = current[r]
        if p not in anchor_cluster:
            label = clusters[r]
            if label in used and used[label] != p:
                label = f"M{p}"
            anchor_cluster[p] = label
            used[label] = p
        clusters[r] = anchor_cluster[p]
    created = {f"P{i}": EPOCH + timedelta(days=i) for i in range(6)}
    return current, clusters, manual, created


@given(registries())
def test_reconciliation_properties(reg: tuple[dict, dict, set, dict]) -> None:
    current, clusters, manual, created = reg
    plan = reconcile(current, clusters, manual, created)
    after = apply(plan, current, clusters)

    # Manual links never move.
    assert all(after[r] == current[r] for r in manual)
    # Each cluster is one person and each person one cluster.
    owners = [p for p in plan.owner.values() if p is not None]
    assert len(owners) == len(set(owners))
    for r, s in ((r, s) for r in current for s in current):
        assert (after[r] == after[s]) == (clusters[r] == clusters[s])
    # A person whose records are exactly a cluster keeps its identifier.
    for label in set(clusters.values()):
        members = {r for r in current if clusters[r] == label}
        for person in set(current.values()):
            if {r for r in current if current[r] == person} == members:
                assert plan.owner[label] == person
    # Persons left without records redirect to a person that exists after the plan.
    survivors = set(after.values())
    for loser, label in plan.merged.items():
        assert loser not in survivors
        target = plan.owner[label]
        assert target is not None
        assert target in survivors
    # Every person that had records either survives or is merged.
    for person in set(current.values()):
        assert person in survivors or person in plan.merged
    # Idempotent: once applied, the same clusters change nothing.
    again = reconcile(after, clusters, manual, created)
    assert again.is_empty
    assert apply(again, after, clusters) == after


def test_ids_survive_a_merge_and_a_split() -> None:
    a, b, c, d, e = RECORDS[:5]
    current = {a: "P1", b: "P1", c: "P2", d: "P3", e: "P3"}
    clusters = {a: "X", b: "X", c: "X", d: "Y", e: "Z"}
    created = {"P1": EPOCH, "P2": EPOCH + timedelta(1), "P3": EPOCH + timedelta(2)}
    plan = reconcile(current, clusters, set(), created)
    assert plan.owner["X"] == "P1"  # largest overlap keeps its id
    assert plan.merged == {"P2": "X"}  # P2 redirects to P1
    assert plan.owner["Y"] == "P3"  # tie: the smaller label first
    assert plan.owner["Z"] is None
    assert plan.split_from == {"Z": "P3"}
    assert set(plan.moves) == {c, e}


def test_manual_records_of_two_persons_in_one_cluster_is_refused() -> None:
    a, b = RECORDS[:2]
    with pytest.raises(ManualConflictError):
        reconcile({a: "P1", b: "P2"}, {a: "X", b: "X"}, {a, b}, {})
