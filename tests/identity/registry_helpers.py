"""Builders and shortcuts shared by the registry's tests."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.models import Decision, DecisionKind, Link, LinkOrigin
from identity.repository import RegistryRepository
from identity.schemas import RecordIn


def make_record(
    ref: str = "R1",
    *,
    source: str = "CASSIOPEE",
    nom: str | None = "MARTIN",
    prenoms: str | None = "JEAN",
    dn: str | None = "1980-01-02",
    commune: str | None = "75056",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": source,
        "source_ref": ref,
        "nom_naissance": nom,
        "prenoms": prenoms,
        "date_naissance": dn,
        "code_commune_naissance": commune,
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


def record_id_of(session: Session, crypto: RegistryCrypto, source: str, ref: str) -> uuid.UUID:
    hmacs = [h for _, h in crypto.pseudonymiser.ref_hmacs(source, ref)]
    found = RegistryRepository(session).records.record_with_link(source, hmacs)
    assert found is not None
    return found[0].id


def link_manually(
    session: Session, record_id: uuid.UUID, person_id: str, *, partner: uuid.UUID | None = None
) -> int:
    """What a reviewer's "same" decision leaves behind: a decision and a manual link.

    (The review workflow that makes them is issue 5's; the registry must honour them.)
    """
    now = datetime.now(UTC)
    decision = Decision(
        record_a_id=record_id,
        record_b_id=partner or record_id,
        decision=DecisionKind.SAME.value,
        reviewer="reviewer-test",
        reason="test",
        decided_at=now,
    )
    session.add(decision)
    session.flush()
    session.execute(
        update(Link)
        .where(Link.record_id == record_id)
        .values(person_id=person_id, origin=LinkOrigin.MANUAL.value, decision_id=decision.id)
    )
    session.flush()
    return decision.id


def decide_different(session: Session, a: uuid.UUID, b: uuid.UUID) -> int:
    decision = Decision(
        record_a_id=a,
        record_b_id=b,
        decision=DecisionKind.DIFFERENT.value,
        reviewer="reviewer-test",
        reason="not the same person",
        decided_at=datetime.now(UTC),
    )
    session.add(decision)
    session.flush()
    return decision.id


def person_of(session: Session, record_id: uuid.UUID) -> str:
    return session.execute(select(Link.person_id).where(Link.record_id == record_id)).scalar_one()


def as_record(body: dict[str, Any]) -> RecordIn:
    return RecordIn.model_validate(body)


def key_spec(n: int = 1) -> str:
    return ",".join(
        f"t{i}:" + base64.urlsafe_b64encode(bytes([i]) * 32).decode() for i in range(n, 0, -1)
    )


class _SharedSession:
    """The test's session, whose commits are savepoints and which jobs may not close."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def shared_factory(session: Session) -> Any:
    """A session factory for jobs (relink, retention...) running inside the test transaction."""
    return lambda: _SharedSession(session)


def resolve(session: Session, matcher: Any, crypto: RegistryCrypto, body: dict[str, Any]) -> Any:
    from identity.config import RegistrySettings
    from identity.resolve import Resolver

    resolver = Resolver(
        RegistryRepository(session), matcher, crypto, RegistrySettings(), actor="test-app"
    )
    result = resolver.resolve(as_record(body))
    session.flush()
    return result
