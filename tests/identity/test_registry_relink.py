"""Re-linkage: the batch model over the registry, identifiers kept, decisions honoured,
idempotent. (Clustering here is the transparent test matcher's; the real model's run is in
test_linkage_registry.py.)"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_fakes import FieldsMatcher
from registry_helpers import (
    decide_different,
    link_manually,
    make_record,
    person_of,
    record_id_of,
    resolve,
    shared_factory,
)
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.matcher import Thresholds
from identity.models import (
    BlockingKey,
    Decision,
    Link,
    LinkOrigin,
    MatchSuggestion,
    Person,
    PersonEvent,
    SourceRecord,
)
from identity.relink import Relinker

LENIENT = Thresholds(auto_link=0.99, review=0.5)  # three agreeing fields and one missing link


def relink(session: Session, matcher: Any, crypto: RegistryCrypto) -> Any:
    factory = shared_factory(session)
    return Relinker(factory, factory, matcher, crypto).run()


def test_relink_merges_keeps_ids_and_is_idempotent(
    db_session: Session, crypto: RegistryCrypto
) -> None:
    strict = FieldsMatcher()
    a1 = resolve(db_session, strict, crypto, make_record("A1"))
    a2 = resolve(db_session, strict, crypto, make_record("A2", source="GENESIS"))
    b1 = resolve(db_session, strict, crypto, make_record("B1", commune=None))
    d1 = resolve(db_session, strict, crypto, make_record("D1", nom="DURAND", prenoms="LUC"))
    assert a1.person_id == a2.person_id
    assert b1.status.value == "pending_review"

    summary = relink(db_session, FieldsMatcher(LENIENT), crypto)
    assert summary.merged_persons == 1
    assert summary.moved_records == 1
    assert summary.new_persons == 0
    assert summary.suggestions_closed == 1  # B1's suggestion is settled by the merge
    assert person_of(db_session, b1.record_id) == a1.person_id
    assert person_of(db_session, d1.record_id) == d1.person_id
    merged = db_session.get(Person, b1.person_id)
    assert merged is not None
    db_session.refresh(merged)
    assert merged.status == "merged"
    assert merged.merged_into_id == a1.person_id
    kinds = set(
        db_session.scalars(select(PersonEvent.kind).where(PersonEvent.person_id == b1.person_id))
    )
    assert {"merged_into", "record_unlinked"} <= kinds

    again = relink(db_session, FieldsMatcher(LENIENT), crypto)
    assert not again.changed


def test_a_different_decision_splits_and_holds(db_session: Session, crypto: RegistryCrypto) -> None:
    lenient = FieldsMatcher(LENIENT)
    a1 = resolve(db_session, lenient, crypto, make_record("A1"))
    resolve(db_session, lenient, crypto, make_record("A2"))
    b1 = resolve(db_session, lenient, crypto, make_record("B1", commune=None))
    assert b1.person_id == a1.person_id  # lenient model: linked online
    a2_id = record_id_of(db_session, crypto, "CASSIOPEE", "A2")
    decide_different(db_session, a2_id, b1.record_id)

    summary = relink(db_session, lenient, crypto)
    assert summary.new_persons == 1
    b_person = person_of(db_session, b1.record_id)
    assert b_person != a1.person_id
    assert person_of(db_session, a2_id) == a1.person_id  # the larger side keeps the id
    split = db_session.scalars(
        select(PersonEvent.kind).where(PersonEvent.person_id == b_person)
    ).all()
    assert "split_from" in split
    assert not relink(db_session, lenient, crypto).changed
    # And online: re-posting B1 as an exact copy of A1 does not put it back.
    again = resolve(db_session, lenient, crypto, make_record("B1"))
    assert again.person_id == b_person


def test_manual_links_survive_relink(db_session: Session, crypto: RegistryCrypto) -> None:
    strict = FieldsMatcher()
    a1 = resolve(db_session, strict, crypto, make_record("A1"))
    a2 = resolve(db_session, strict, crypto, make_record("A2"))
    d1 = resolve(db_session, strict, crypto, make_record("D1", nom="DURAND", prenoms="LUC"))
    # B1 looks like MARTIN but a reviewer decided it is DURAND's.
    b1 = resolve(db_session, strict, crypto, make_record("B1", commune=None))
    link_manually(db_session, b1.record_id, d1.person_id, partner=d1.record_id)

    summary = relink(db_session, strict, crypto)
    assert person_of(db_session, b1.record_id) == d1.person_id
    assert person_of(db_session, a1.record_id) == a1.person_id
    assert person_of(db_session, a2.record_id) == a1.person_id
    assert not summary.merged_persons
    assert not relink(db_session, strict, crypto).changed
    # A model that would link B1 to MARTIN does not move it either.
    relink(db_session, FieldsMatcher(LENIENT), crypto)
    assert person_of(db_session, b1.record_id) == d1.person_id


# -- property: whatever the registry and the decisions, relink keeps its promises ----------------

NAMES = st.sampled_from(["MARTIN", "DURAND"])
FIRST = st.sampled_from(["JEAN", "LUC"])
DATES = st.sampled_from(["1980-01-02", None])
PLACES = st.sampled_from(["75056", "13055", None])


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 9))
    bodies = [
        make_record(
            f"R{i}", nom=draw(NAMES), prenoms=draw(FIRST), dn=draw(DATES), commune=draw(PLACES)
        )
        for i in range(n)
    ]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    return {
        "bodies": bodies,
        "different": draw(st.lists(pairs, max_size=3)),
        "manual": draw(st.lists(pairs, max_size=2)),
        "lenient_first": draw(st.booleans()),
    }


def _reset(session: Session) -> None:
    for model in (MatchSuggestion, BlockingKey, Link, Decision, SourceRecord, PersonEvent):
        session.execute(delete(model))
    session.execute(delete(Person).where(Person.merged_into_id.is_not(None)))
    session.execute(delete(Person))
    session.flush()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_relink_properties(
    db_session: Session, crypto: RegistryCrypto, scenario: dict[str, Any]
) -> None:
    _reset(db_session)
    online = FieldsMatcher(LENIENT if scenario["lenient_first"] else None)
    batch = FieldsMatcher(None if scenario["lenient_first"] else LENIENT)
    ids = [resolve(db_session, online, crypto, b).record_id for b in scenario["bodies"]]
    for a, b in scenario["different"]:
        decide_different(db_session, ids[a], ids[b])
    manual: dict[uuid.UUID, str] = {}
    forbidden = {frozenset((ids[a], ids[b])) for a, b in scenario["different"]}
    for a, b in scenario["manual"]:
        if frozenset((ids[a], ids[b])) in forbidden or ids[a] in manual:
            continue
        target = person_of(db_session, ids[b])
        link_manually(db_session, ids[a], target, partner=ids[b])
        manual[ids[a]] = target
    persons_before = {person_of(db_session, r) for r in ids}

    relink(db_session, batch, crypto)
    after = {r: person_of(db_session, r) for r in ids}

    for record, person in manual.items():
        assert after[record] == person  # manual links never move
    for a, b in scenario["different"]:
        if ids[a] not in manual and ids[b] not in manual:
            assert after[ids[a]] != after[ids[b]]  # cannot-links hold
    for person in set(after.values()):
        row = db_session.get(Person, person)
        assert row is not None
        db_session.refresh(row)
        assert row.status == "active"
    for person in persons_before - set(after.values()):
        row = db_session.get(Person, person)
        assert row is not None
        db_session.refresh(row)
        assert row.merged_into_id in set(after.values())  # gone ids redirect to live ones
    links = db_session.scalars(select(Link).where(Link.origin == LinkOrigin.MANUAL.value)).all()
    assert {link.record_id for link in links} == set(manual)
    assert not relink(db_session, batch, crypto).changed  # idempotent
