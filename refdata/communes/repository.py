"""All queries of the communes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from refdata.communes.models import CogMillesime, Commune, CommuneSuccession


def entries_on(session: Session, code: str, on: date) -> Sequence[Commune]:
    """Every COG entry (actuelle, déléguée, associée, arrondissement) with ``code`` on ``on``."""
    stmt = select(Commune).where(
        Commune.code_insee == code,
        Commune.valid_from <= on,
        or_(Commune.valid_to.is_(None), Commune.valid_to > on),
    )
    return session.scalars(stmt).all()


def current_commune_on(session: Session, code: str, on: date) -> Commune | None:
    stmt = select(Commune).where(
        Commune.code_insee == code,
        Commune.type == "commune-actuelle",
        Commune.valid_from <= on,
        or_(Commune.valid_to.is_(None), Commune.valid_to > on),
    )
    return session.scalars(stmt).first()


def successors_on(session: Session, old_code: str, on: date) -> Sequence[CommuneSuccession]:
    stmt = select(CommuneSuccession).where(
        CommuneSuccession.old_code == old_code,
        CommuneSuccession.valid_from <= on,
        or_(CommuneSuccession.valid_to.is_(None), CommuneSuccession.valid_to > on),
    )
    return session.scalars(stmt).all()


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


def millesime_on(session: Session, on: date) -> date | None:
    """The latest COG millésime published on or before ``on``."""
    return session.scalar(
        select(func.max(CogMillesime.millesime)).where(CogMillesime.millesime <= on)
    )


def earliest_millesime(session: Session) -> date | None:
    return session.scalar(select(func.min(CogMillesime.millesime)))


def open_commune_rows(session: Session) -> Sequence[Row[Any]]:
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


def current_communes_of_departement(session: Session, departement: str, on: date) -> Sequence[str]:
    stmt = select(Commune.code_insee).where(
        Commune.departement == departement,
        Commune.type == "commune-actuelle",
        Commune.valid_from <= on,
        or_(Commune.valid_to.is_(None), Commune.valid_to > on),
    )
    return session.scalars(stmt).all()
