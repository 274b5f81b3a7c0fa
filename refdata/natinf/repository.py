"""Every query of the NATINF domain (offence versions, successors, penalties) lives here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from refdata.natinf.models import OffenceSuccessor, OffenceVersion, PenaltyVersion
from refdata.releases.models import Release
from refdata.releases.repository import close_versioned, insert_versioned, published_by

# --- offences -------------------------------------------------------------------------------


def open_offence_versions(session: Session) -> dict[int, OffenceVersion]:
    rows = session.scalars(select(OffenceVersion).where(OffenceVersion.retired_in.is_(None)))
    return {row.natinf: row for row in rows}


def max_offence_versions(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(OffenceVersion.natinf, func.max(OffenceVersion.version)).group_by(
            OffenceVersion.natinf
        )
    )
    return {natinf: version for natinf, version in rows}


def insert_offence_versions(session: Session, rows: list[dict[str, Any]]) -> None:
    insert_versioned(session, OffenceVersion, rows)


def close_offence_versions(
    session: Session, version_ids: list[int], *, valid_to: date, retired_in: str
) -> None:
    close_versioned(session, OffenceVersion, version_ids, valid_to=valid_to, retired_in=retired_in)


def offence_versions_in_release(session: Session, release: Release) -> Sequence[OffenceVersion]:
    """The versions a release publishes: introduced by it or before, not closed by it or before."""
    query = published_by(select(OffenceVersion), OffenceVersion, release)
    return session.scalars(query.order_by(OffenceVersion.natinf)).all()


def offence_versions(session: Session, natinf: int) -> Sequence[OffenceVersion]:
    return session.scalars(
        select(OffenceVersion)
        .where(OffenceVersion.natinf == natinf)
        .order_by(OffenceVersion.version)
    ).all()


def offence_version_rows(session: Session) -> Sequence[Any]:
    """Every offence version as plain rows (no ORM identity map: several times faster)."""
    table = OffenceVersion.__table__
    return session.execute(select(table).order_by(table.c.natinf, table.c.version)).all()


def current_penalty_rows(session: Session) -> Sequence[Any]:
    table = PenaltyVersion.__table__
    return session.execute(
        select(table).where(table.c.retired_in.is_(None)).order_by(table.c.natinf, table.c.id)
    ).all()


def all_offence_versions(session: Session) -> Sequence[OffenceVersion]:
    return session.scalars(select(OffenceVersion).order_by(OffenceVersion.id)).all()


def successors_of(session: Session, natinf: int) -> list[int]:
    return list(
        session.scalars(
            select(OffenceSuccessor.successor)
            .where(OffenceSuccessor.natinf == natinf)
            .order_by(OffenceSuccessor.successor)
        )
    )


def successor_pairs(session: Session) -> set[tuple[int, int]]:
    rows = session.execute(select(OffenceSuccessor.natinf, OffenceSuccessor.successor))
    return {(natinf, successor) for natinf, successor in rows}


def add_successors(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(OffenceSuccessor), rows)


def known_natinf_codes(session: Session) -> set[int]:
    return set(session.scalars(select(OffenceVersion.natinf).distinct()))


# --- penalties ------------------------------------------------------------------------------


def current_penalties(session: Session) -> Sequence[PenaltyVersion]:
    return session.scalars(
        select(PenaltyVersion)
        .where(PenaltyVersion.retired_in.is_(None))
        .order_by(PenaltyVersion.natinf, PenaltyVersion.id)
    ).all()


def penalties_in_force(session: Session, natinf: int, on: date) -> Sequence[PenaltyVersion]:
    return session.scalars(
        select(PenaltyVersion)
        .where(
            PenaltyVersion.natinf == natinf,
            PenaltyVersion.retired_in.is_(None),
            PenaltyVersion.valid_from <= on,
            or_(PenaltyVersion.valid_to.is_(None), PenaltyVersion.valid_to > on),
        )
        .order_by(PenaltyVersion.category.desc(), PenaltyVersion.kind)
    ).all()


def penalties_in_release(session: Session, release: Release) -> Sequence[PenaltyVersion]:
    query = published_by(select(PenaltyVersion), PenaltyVersion, release)
    return session.scalars(
        query.order_by(PenaltyVersion.natinf, PenaltyVersion.category.desc(), PenaltyVersion.kind)
    ).all()


def insert_penalties(session: Session, rows: list[dict[str, Any]]) -> None:
    insert_versioned(session, PenaltyVersion, rows)


def retire_penalties(session: Session, ids: list[int], *, retired_in: str) -> None:
    close_versioned(session, PenaltyVersion, ids, retired_in=retired_in)
