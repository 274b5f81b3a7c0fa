"""All queries of the tariffs: versions valid on a date, or every version (history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from refdata.tariffs.models import ChildSupportRate, FixedFine, MaxFine, MinimumVital

_Row = TypeVar("_Row", FixedFine, MaxFine, ChildSupportRate, MinimumVital)


def _valid_on(stmt: Select[Any], model: Any, on: date | None) -> Select[Any]:
    """Restrict to rows whose half-open interval contains ``on`` (all rows when ``on`` is None)."""
    if on is None:
        return stmt
    return stmt.where(model.valid_from <= on, or_(model.valid_to.is_(None), model.valid_to > on))


def fixed_fines(
    session: Session,
    *,
    on: date | None,
    classe: int | None = None,
    category: str | None = None,
    kind: str | None = None,
) -> Sequence[FixedFine]:
    stmt = select(FixedFine)
    if classe is not None:
        stmt = stmt.where(FixedFine.classe == classe)
    if category is not None:
        stmt = stmt.where(FixedFine.category == category)
    if kind is not None:
        stmt = stmt.where(FixedFine.kind == kind)
    stmt = _valid_on(stmt, FixedFine, on).order_by(
        FixedFine.classe, FixedFine.category, FixedFine.kind, FixedFine.valid_from
    )
    return session.scalars(stmt).all()


def max_fines(session: Session, *, on: date | None, classe: int | None = None) -> Sequence[MaxFine]:
    stmt = select(MaxFine)
    if classe is not None:
        stmt = stmt.where(MaxFine.classe == classe)
    stmt = _valid_on(stmt, MaxFine, on).order_by(MaxFine.classe, MaxFine.valid_from)
    return session.scalars(stmt).all()


def child_support_rates(
    session: Session,
    *,
    on: date | None,
    scale: str | None = None,
    children: int | None = None,
    custody: str | None = None,
) -> Sequence[ChildSupportRate]:
    stmt = select(ChildSupportRate)
    if scale is not None:
        stmt = stmt.where(ChildSupportRate.scale == scale)
    if children is not None:
        stmt = stmt.where(ChildSupportRate.children == children)
    if custody is not None:
        stmt = stmt.where(ChildSupportRate.custody == custody)
    stmt = _valid_on(stmt, ChildSupportRate, on).order_by(
        ChildSupportRate.scale,
        ChildSupportRate.children,
        ChildSupportRate.custody,
        ChildSupportRate.valid_from,
    )
    return session.scalars(stmt).all()


def minimum_vital(session: Session, *, on: date | None) -> Sequence[MinimumVital]:
    stmt = _valid_on(select(MinimumVital), MinimumVital, on).order_by(MinimumVital.valid_from)
    return session.scalars(stmt).all()


def all_rows(session: Session, model: type[_Row]) -> Sequence[_Row]:
    return session.scalars(select(model)).all()
