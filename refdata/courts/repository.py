"""All queries of the courts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from refdata.communes.models import Commune
from refdata.courts.models import CourtRessort, CourtVersion


def _on(model: type[CourtVersion] | type[CourtRessort], on: date) -> ColumnElement[bool]:
    """The model's half-open validity interval contains ``on``."""
    return and_(model.valid_from <= on, or_(model.valid_to.is_(None), model.valid_to > on))


def ressorts_for(
    session: Session, *, commune: str, departement: str, on: date
) -> Sequence[CourtRessort]:
    stmt = select(CourtRessort).where(
        or_(
            and_(CourtRessort.granularity == "commune", CourtRessort.code == commune),
            and_(CourtRessort.granularity == "departement", CourtRessort.code == departement),
        ),
        _on(CourtRessort, on),
    )
    return session.scalars(stmt).all()


def versions_on(session: Session, court_ids: Collection[str], on: date) -> dict[str, CourtVersion]:
    if not court_ids:
        return {}
    stmt = select(CourtVersion).where(CourtVersion.court_id.in_(court_ids), _on(CourtVersion, on))
    return {v.court_id: v for v in session.scalars(stmt)}


def versions_of(session: Session, court_id: str) -> Sequence[CourtVersion]:
    stmt = (
        select(CourtVersion)
        .where(CourtVersion.court_id == court_id)
        .order_by(CourtVersion.valid_from)
    )
    return session.scalars(stmt).all()


def ressorts_of(session: Session, court_id: str, on: date | None) -> Sequence[CourtRessort]:
    stmt = select(CourtRessort).where(CourtRessort.court_id == court_id)
    if on is not None:
        stmt = stmt.where(_on(CourtRessort, on))
    return session.scalars(
        stmt.order_by(CourtRessort.granularity, CourtRessort.code, CourtRessort.valid_from)
    ).all()


def children_on(session: Session, court_id: str, on: date) -> Sequence[CourtVersion]:
    stmt = (
        select(CourtVersion)
        .where(CourtVersion.parent_id == court_id, _on(CourtVersion, on))
        .order_by(CourtVersion.type, CourtVersion.court_id)
    )
    return session.scalars(stmt).all()


def list_versions(
    session: Session,
    *,
    on: date | None,
    types: Collection[str] | None = None,
    court_ids: Collection[str] | None = None,
) -> Sequence[CourtVersion]:
    stmt = select(CourtVersion)
    if on is not None:
        stmt = stmt.where(_on(CourtVersion, on))
    if types:
        stmt = stmt.where(CourtVersion.type.in_(types))
    if court_ids is not None:
        stmt = stmt.where(CourtVersion.court_id.in_(court_ids))
    return session.scalars(
        stmt.order_by(CourtVersion.type, CourtVersion.court_id, CourtVersion.valid_from)
    ).all()


def courts_with_ressort_in(session: Session, departement: str, on: date | None) -> set[str]:
    stmt = select(CourtRessort.court_id).where(
        CourtRessort.granularity == "departement", CourtRessort.code == departement
    )
    if on is not None:
        stmt = stmt.where(_on(CourtRessort, on))
    return set(session.scalars(stmt))


def courts_seated_in_departement(session: Session, departement: str) -> set[str]:
    stmt = (
        select(CourtVersion.court_id)
        .join(Commune, Commune.code_insee == CourtVersion.seat_code_insee)
        .where(Commune.departement == departement, Commune.type == "commune-actuelle")
    )
    return set(session.scalars(stmt))
