"""Mapping a batch clustering onto existing persons so that identifiers survive re-linkage.

Given which person each record belongs to now and which cluster the batch model puts it in,
:func:`reconcile` decides, deterministically:

1. a cluster holding records a reviewer linked by hand to person P is P's (manual links never
   move; the relink job makes sure no cluster holds manual records of two persons);
2. other clusters take, greedily by largest overlap, the existing person that shares the
   most records with them (ties: the older person, then the smaller identifier), each person
   at most once;
3. a cluster left without a person becomes a new person, split from the person it took most
   of its records from;
4. a person left without a cluster has been merged: it redirects to the person now holding
   most of its records.

If the clusters already coincide with the persons, the plan is empty: a second run of the
same model changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime


class ManualConflictError(ValueError):
    """A cluster holds records linked by hand to two different persons."""

    def __init__(self, cluster: str, persons: list[str]) -> None:
        super().__init__(f"cluster {cluster} holds manual links of persons {', '.join(persons)}")
        self.cluster = cluster
        self.persons = persons


@dataclass
class Plan:
    # cluster label -> existing person id, or None for a person to create
    owner: dict[str, str | None] = field(default_factory=dict)
    # record -> (old person, cluster label) for records that change person
    moves: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    # new cluster label -> the person it was split from
    split_from: dict[str, str] = field(default_factory=dict)
    # person -> cluster label whose owner it is merged into
    merged: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.moves and not self.merged and not self.split_from


def _naive_utc(moment: datetime | None) -> datetime:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: compare them as naive UTC.
    if moment is None:
        return datetime.max
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def reconcile(
    current: Mapping[uuid.UUID, str],
    clusters: Mapping[uuid.UUID, str],
    manual: set[uuid.UUID],
    created_at: Mapping[str, datetime],
) -> Plan:
    """The plan that turns the current persons into the clusters (records absent from either
    mapping are ignored)."""
    records = [r for r in clusters if r in current]
    overlap: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        overlap[clusters[r]][current[r]] += 1

    plan = Plan()
    taken: set[str] = set()
    # 1. Manual anchors.
    anchors: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r in manual:
            anchors[clusters[r]].add(current[r])
    for label in sorted(anchors):
        persons = sorted(anchors[label])
        if len(persons) > 1:
            raise ManualConflictError(label, persons)
        plan.owner[label] = persons[0]
        taken.add(persons[0])

    # 2. Greedy by overlap.
    def rank(item: tuple[str, str, int]) -> tuple[int, datetime, str, str]:
        label, person, n = item
        return (-n, _naive_utc(created_at.get(person)), person, label)

    candidates = sorted(
        ((label, person, n) for label, c in overlap.items() for person, n in c.items()), key=rank
    )
    for label, person, _ in candidates:
        if label in plan.owner or person in taken:
            continue
        plan.owner[label] = person
        taken.add(person)

    # 3. Clusters without a person become new persons.
    for label in sorted(overlap):
        if label not in plan.owner:
            plan.owner[label] = None
            source, _ = min(overlap[label].items(), key=lambda kv: (-kv[1], kv[0]))
            plan.split_from[label] = source

    # 4. Persons without a cluster redirect to where most of their records go.
    by_person: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        by_person[current[r]][clusters[r]] += 1
    for person in sorted(by_person):
        if person in taken:
            continue
        label, _ = min(
            by_person[person].items(),
            key=lambda kv: (-kv[1], plan.owner[kv[0]] is None, kv[0]),
        )
        plan.merged[person] = label

    for r in records:
        owner = plan.owner[clusters[r]]
        if owner != current[r]:
            plan.moves[r] = (current[r], clusters[r])
    return plan
