"""All queries of the communes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from refdata.communes.models import CogMillesime, Commune, CommuneSuccession


def entries_history(session: Session, code: str) -> Sequence[Commune]:
    stmt = (
        select(Commune).where(Commune.code_insee == code).order_by(Commune.type, Commune.valid_from)
    )
    return session.scalars(stmt).all()


def successions_history(session: Session, old_code: str) -> Sequence[CommuneSuccession]:
    stmt = (
        select(CommuneSuccession)
        .where(CommuneSuccession.old_code == old_code)
        .order_by(CommuneSuccession.valid_from)
    )
    return session.scalars(stmt).all()


def millesimes(session: Session) -> Sequence[CogMillesime]:
    return session.scalars(select(CogMillesime).order_by(CogMillesime.millesime)).all()


def open_commune_rows(session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
    """The open versions as plain rows (id, key, identity and statistics columns)."""
    stmt = select(
        Commune.id,
        Commune.code_insee,
        Commune.type,
        Commune.valid_from,
        Commune.nom,
        Commune.departement,
        Commune.region,
        Commune.parent_code,
        Commune.zone,
        Commune.population,
        Commune.codes_postaux,
    ).where(Commune.valid_to.is_(None))
    return session.execute(stmt).all()


def open_successions(session: Session) -> Sequence[CommuneSuccession]:
    return session.scalars(
        select(CommuneSuccession).where(CommuneSuccession.valid_to.is_(None))
    ).all()
