"""Person events are a change feed's raw material (issue 9 step 1, for issue 10): every change
of a person, whoever makes it, is one group of events (one ``change_id``) saying what changed,
the identifiers before and after, the records and their application, and why (``cause``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from registry_fakes import FieldsMatcher
from registry_helpers import make_record, resolve, shared_factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.matcher import Thresholds
from identity.models import ChangeCause, PersonEvent
from identity.relink import Relinker
from identity.retention import run_retention

LENIENT = Thresholds(auto_link=0.99, review=0.5)


def _events(session: Session) -> list[PersonEvent]:
    return list(session.scalars(select(PersonEvent).order_by(PersonEvent.id)))


def _by_change(events: list[PersonEvent]) -> dict[str, list[PersonEvent]]:
    groups: dict[str, list[PersonEvent]] = defaultdict(list)
    for e in events:
        assert e.change_id, f"{e.kind} event without a change"
        groups[e.change_id].append(e)
    return groups


def test_resolve_relink_and_retention_write_one_group_of_events_per_change(
    db_session: Session, crypto: RegistryCrypto
) -> None:
    strict = FieldsMatcher()
    a1 = resolve(db_session, strict, crypto, make_record("A1"))
    a2 = resolve(db_session, strict, crypto, make_record("A2", source="GENESIS"))
    b1 = resolve(db_session, strict, crypto, make_record("B1", commune=None))
    assert a2.person_id == a1.person_id
    assert b1.person_id != a1.person_id

    online = _by_change(_events(db_session))
    # A new record and its new person: one change; a record joining a person: another.
    kinds = sorted(sorted(e.kind for e in group) for group in online.values())
    assert kinds == [["created", "record_linked"], ["created", "record_linked"], ["record_linked"]]
    assert {e.cause for e in _events(db_session)} == {ChangeCause.AUTO.value}
    joined = next(g for g in online.values() if len(g) == 1)[0]
    assert (joined.person_id, joined.record_id, joined.source) == (
        a1.person_id,
        a2.record_id,
        "GENESIS",
    )
    assert joined.detail is not None
    assert "match_probability" in joined.detail

    factory = shared_factory(db_session)
    Relinker(factory, factory, FieldsMatcher(LENIENT), crypto).run()
    relinked = [e for e in _events(db_session) if e.cause == ChangeCause.RELINK.value]
    groups = _by_change(relinked)
    moved = next(
        g for g in groups.values() if {e.kind for e in g} == {"record_unlinked", "record_linked"}
    )
    # B1 moved from its person to A's: old and new identifiers named both ways, and its
    # application filled in (the re-linkage knows records by id only).
    unlinked = next(e for e in moved if e.kind == "record_unlinked")
    linked = next(e for e in moved if e.kind == "record_linked")
    assert (unlinked.person_id, unlinked.other_person_id) == (b1.person_id, a1.person_id)
    assert (linked.person_id, linked.other_person_id) == (a1.person_id, b1.person_id)
    assert unlinked.record_id == linked.record_id == b1.record_id
    assert unlinked.source == linked.source == "CASSIOPEE"
    merge = next(
        g for g in groups.values() if {e.kind for e in g} == {"merged_into", "merged_from"}
    )
    assert {(e.kind, e.person_id, e.other_person_id) for e in merge} == {
        ("merged_into", b1.person_id, a1.person_id),
        ("merged_from", a1.person_id, b1.person_id),
    }
    assert all(e.detail is not None and "run_id" in e.detail for e in relinked)

    run_retention(factory, today=date(2200, 1, 1))
    retention = [e for e in _events(db_session) if e.cause == ChangeCause.RETENTION.value]
    deleted = [e for e in retention if e.kind == "record_deleted"]
    assert {e.record_id for e in deleted} == {a1.record_id, a2.record_id, b1.record_id}
    assert all(e.source for e in deleted)
    assert {e.kind for e in retention} == {"record_deleted", "emptied"}
    # One change per deleted record, one per emptied person.
    assert all(len(g) == 1 for g in _by_change(retention).values())
    # Every event of the registry belongs to a change and says why.
    causes = {c.value for c in ChangeCause}
    assert all(e.change_id and e.cause in causes for e in _events(db_session))
