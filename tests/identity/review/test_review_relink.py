"""Reviewers' decisions against re-linkage: what a reviewer decided, ``srj registry relink``
keeps (same, different, an undone merge), and merges made by re-linkage can be undone."""

from __future__ import annotations

from registry_fakes import FieldsMatcher
from registry_helpers import make_record, person_of, resolve, shared_factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.matcher import Thresholds
from identity.models import Decision, MatchSuggestion, Person
from identity.relink import Relinker
from identity.review.config import ReviewSettings
from identity.review.repository import ReviewRepository
from identity.review.schemas import DecisionIn
from identity.review.service import ReviewService
from srj.auth import Principal, Role

# Three agreeing fields and one missing (weight 7) are linked by this model, not by the strict one.
LENIENT = Thresholds(auto_link=0.99, review=0.5)
ALICE = Principal("alice", frozenset({Role.REVIEWER}))


def _relink(session: Session, matcher: FieldsMatcher, crypto: RegistryCrypto) -> None:
    factory = shared_factory(session)
    Relinker(factory, factory, matcher, crypto).run()
    session.expire_all()


def _service(session: Session, crypto: RegistryCrypto) -> ReviewService:
    return ReviewService(ReviewRepository(session), crypto, ReviewSettings(second_opinion_rate=0))


def _pair(session: Session, crypto: RegistryCrypto, nom: str) -> tuple[object, object, int]:
    strict = FieldsMatcher()
    a = resolve(session, strict, crypto, make_record(f"{nom}-1", nom=nom))
    b = resolve(session, strict, crypto, make_record(f"{nom}-2", nom=nom, commune=None))
    assert b.status.value == "pending_review"
    sid = session.scalars(
        select(MatchSuggestion.id).where(MatchSuggestion.record_id == b.record_id)
    ).one()
    return a, b, sid


def _decide(session: Session, crypto: RegistryCrypto, sid: int, decision: str) -> None:
    service = _service(session, crypto)
    version = service._pair_state(sid).version
    service.decide(
        sid, DecisionIn(decision=decision, reason="vu au dossier", version=version), ALICE
    )
    session.flush()


def test_relink_keeps_a_cannot_link_and_a_merge_decided_by_reviewers(
    db_session: Session, crypto: RegistryCrypto
) -> None:
    a, b, apart = _pair(db_session, crypto, "ALPHA")
    c, d, together = _pair(db_session, crypto, "BETA")
    _decide(db_session, crypto, apart, "different")
    _decide(db_session, crypto, together, "same")
    # A lenient model would link the ALPHA records and keep the BETA ones; strict splits nothing.
    for matcher in (FieldsMatcher(LENIENT), FieldsMatcher()):
        _relink(db_session, matcher, crypto)
        assert person_of(db_session, a.record_id) != person_of(db_session, b.record_id)
        assert person_of(db_session, c.record_id) == person_of(db_session, d.record_id)


def test_a_merge_made_by_relink_can_be_undone_and_stays_undone(
    db_session: Session, crypto: RegistryCrypto
) -> None:
    a, b, _ = _pair(db_session, crypto, "GAMMA")
    _relink(db_session, FieldsMatcher(LENIENT), crypto)
    survivor = person_of(db_session, a.record_id)
    assert person_of(db_session, b.record_id) == survivor
    gone = b.person_id if survivor == a.person_id else a.person_id
    assert db_session.get(Person, gone).status == "merged"

    out = _service(db_session, crypto).split(survivor, gone, "deux personnes distinctes", ALICE)
    db_session.flush()
    db_session.expire_all()
    assert out.restored_person_id == gone
    assert out.revoked_decision_id is None  # re-linkage merged them: no "same" to revoke
    assert db_session.get(Person, gone).status == "active"
    assert {person_of(db_session, a.record_id), person_of(db_session, b.record_id)} == {
        survivor,
        gone,
    }
    undo = db_session.get(Decision, out.decision_id)
    assert undo.decision == "different"
    assert {undo.record_a_id, undo.record_b_id} == {a.record_id, b.record_id}

    _relink(db_session, FieldsMatcher(LENIENT), crypto)
    assert person_of(db_session, a.record_id) != person_of(db_session, b.record_id)
    assert db_session.get(Person, gone).status == "active"
