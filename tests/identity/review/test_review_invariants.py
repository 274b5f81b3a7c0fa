"""Properties of decisions and undos, whatever their order (hypothesis, both databases).

A small registry of persons, records and suggestions is built directly; then a random sequence
of reviewers' acts (same / different / unsure on a suggestion, undo of a merge) runs through the
service, and after every act:
- every record belongs to exactly one active person, and every merged-away identifier
  redirects to an active person;
- every "same" in force joins its two records, every "different" in force keeps them apart;
- no pending suggestion remains inside one person (a decision closes what it settles);
- an undone merge brings the merged-away identifier back, active, with records.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.ids import new_person_id
from identity.models import Decision, Link, MatchSuggestion, Person, PersonEvent
from identity.review.config import ReviewSettings
from identity.review.repository import ReviewRepository
from identity.review.schemas import DecisionIn
from identity.review.service import (
    ReviewRuleError,
    ReviewService,
    SplitConflictError,
    StaleReviewError,
)
from srj.auth import Principal, Role

REVIEWER = Principal("prop-reviewer", frozenset({Role.REVIEWER}))


def build(session: Session, sizes: list[int], pairs: list[tuple[int, int]]) -> list[int]:
    """Persons with ``sizes`` records each; suggestions between the records of ``pairs``."""
    repo = ReviewRepository(session).registry
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    persons, records, links = [], [], []
    owner: list[tuple[uuid.UUID, str]] = []
    for i, size in enumerate(sizes):
        pid = new_person_id()
        at = t0 + timedelta(minutes=i)
        persons.append(
            {
                "id": pid,
                "status": "active",
                "merged_into_id": None,
                "created_at": at,
                "updated_at": at,
            }
        )
        for _ in range(size):
            rid = uuid.uuid4()
            owner.append((rid, pid))
            records.append(
                {
                    "id": rid,
                    "source": "CASSIOPEE",
                    "ref_hmac": rid.bytes * 2,
                    "ref_key_id": "k",
                    "sealed": b"-",
                    "seal_key_id": "k",
                    "traits_digest": rid.bytes * 2,
                    "std": "{}",
                    "std_version": "t",
                    "record_date": None,
                    "retain_until": datetime(2060, 1, 1).date(),
                    "created_at": at,
                    "updated_at": at,
                }
            )
            links.append(
                {
                    "record_id": rid,
                    "person_id": pid,
                    "origin": "auto",
                    "match_probability": None,
                    "match_weight": None,
                    "model_version": "t",
                    "decision_id": None,
                    "linked_at": at,
                }
            )
    repo.persons.insert_persons(persons)
    repo.records.insert_records(records)
    repo.persons.insert_links(links)
    suggestions = []
    seen = set()
    for i, j in pairs:
        a, pa = owner[i % len(owner)]
        b, pb = owner[j % len(owner)]
        if pa == pb or frozenset((a, b)) in seen:
            continue
        seen.add(frozenset((a, b)))
        suggestions.append(
            {
                "record_id": a,
                "candidate_record_id": b,
                "match_probability": 0.95,
                "match_weight": 4.2,
                "contributions": "{}",
                "model_version": "t",
                "status": "pending",
                "version": 1,
                "created_at": t0,
                "updated_at": t0,
            }
        )
    repo.suggestions.insert_suggestions(suggestions)
    session.flush()
    return list(session.scalars(select(MatchSuggestion.id).order_by(MatchSuggestion.id)))


def check(session: Session, restored: set[str]) -> None:
    registry = ReviewRepository(session).registry
    statuses = {pid: st for pid, st in session.execute(select(Person.id, Person.status))}
    person_of = {rid: pid for rid, pid in session.execute(select(Link.record_id, Link.person_id))}
    for record, person in person_of.items():
        assert statuses[person] == "active", (record, person)
    for person, status in statuses.items():
        if status == "merged":
            survivor = registry.persons.survivor_of(person)
            assert survivor is not None
            assert statuses[survivor] == "active"
    for d in session.scalars(select(Decision).where(Decision.revoked_by_id.is_(None))):
        if d.decision == "same":
            assert person_of[d.record_a_id] == person_of[d.record_b_id], d.id
        elif d.decision == "different":
            assert person_of[d.record_a_id] != person_of[d.record_b_id], d.id
    for a, b in session.execute(
        select(MatchSuggestion.record_id, MatchSuggestion.candidate_record_id).where(
            MatchSuggestion.status == "pending"
        )
    ):
        assert person_of[a] != person_of[b]
    for person in restored:
        if statuses[person] == "active":
            assert person in set(person_of.values())
    # Every event a decision or an undo wrote belongs to one change and names the decision
    # (what a change feed reads: the events of one change share its decision and moment).
    changes: dict[str, set[tuple[int | None, datetime]]] = defaultdict(set)
    for e in session.scalars(select(PersonEvent)):
        assert e.change_id
        assert e.cause == "reviewer"
        assert e.decision_id is not None
        changes[e.change_id].add((e.decision_id, e.at))
    assert all(len(moments) == 1 for moments in changes.values())


acts = st.lists(
    st.one_of(
        st.tuples(
            st.just("decide"), st.integers(0, 30), st.sampled_from(["same", "different", "unsure"])
        ),
        st.tuples(st.just("split"), st.integers(0, 30), st.just("")),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=5),
    pairs=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), min_size=1, max_size=8),
    script=acts,
)
def test_decisions_and_undos_keep_the_registry_consistent(
    db_session: Session,
    crypto: RegistryCrypto,
    sizes: list[int],
    pairs: list[tuple[int, int]],
    script: list[tuple[str, int, str]],
) -> None:
    savepoint = db_session.begin_nested()
    try:
        suggestion_ids = build(db_session, sizes, pairs)
        if not suggestion_ids:
            return
        service = ReviewService(
            ReviewRepository(db_session), crypto, ReviewSettings(second_opinion_rate=0)
        )
        restored: set[str] = set()
        for act, index, decision in script:
            if act == "decide":
                sid = suggestion_ids[index % len(suggestion_ids)]
                try:
                    version = service._pair_state(sid).version
                    service.decide(
                        sid,
                        DecisionIn(decision=decision, reason="motif du test", version=version),
                        REVIEWER,
                    )
                except (StaleReviewError, ReviewRuleError) as exc:
                    event(f"refused: {type(exc).__name__}")
                else:
                    event(f"decided {decision}")
            else:
                merged = sorted(
                    db_session.scalars(select(Person.id).where(Person.status == "merged"))
                )
                if not merged:
                    continue
                gone = merged[index % len(merged)]
                holder = service.repo.registry.persons.survivor_of(gone)
                assert holder is not None
                try:
                    out = service.split(holder, gone, "fusion erronée", REVIEWER)
                except SplitConflictError:
                    event("undo refused")
                else:
                    event("undone")
                    assert out.restored_person_id == gone
                    assert db_session.get(Person, gone).status == "active"
                    restored.add(gone)
            db_session.flush()
            db_session.expire_all()
            check(db_session, restored)
    finally:
        savepoint.rollback()
