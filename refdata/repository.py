"""Every query of the reference data (offences, penalties, releases) lives here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased, selectinload

from refdata.models import (
    OffenceSuccessor,
    OffenceVersion,
    PenaltyVersion,
    Release,
    ReleaseFile,
)

_CHUNK = 2000  # ids per IN (...) list: well under SQLite's bound-parameter limit


# --- releases ---------------------------------------------------------------------------


def lock_dataset(session: Session, dataset: str) -> None:
    """Serialise writers of one dataset until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock, so a second concurrent import waits and then
    sees the first one's release (and creates nothing if its file is the same). SQLite: writing
    sessions already start with BEGIN IMMEDIATE, which serialises every writer.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": dataset})


def latest_release(session: Session, dataset: str) -> Release | None:
    return session.scalars(
        select(Release).where(Release.dataset == dataset).order_by(Release.sequence.desc()).limit(1)
    ).first()


def first_release(session: Session, any_release_id: str) -> Release | None:
    """The first release of the dataset ``any_release_id`` belongs to."""
    release = session.get(Release, any_release_id)
    if release is None:
        return None
    return session.scalars(
        select(Release)
        .where(Release.dataset == release.dataset)
        .order_by(Release.sequence)
        .limit(1)
    ).first()


def release_ids_with_prefix(session: Session, prefix: str) -> set[str]:
    return set(session.scalars(select(Release.id).where(Release.id.startswith(prefix))))


def get_release(session: Session, release_id: str, *, with_files: bool = False) -> Release | None:
    query = select(Release).where(Release.id == release_id)
    if with_files:
        query = query.options(selectinload(Release.files))
    return session.scalars(query).first()


def list_releases(session: Session, dataset: str | None = None) -> Sequence[Release]:
    query = select(Release).options(selectinload(Release.files))
    if dataset:
        query = query.where(Release.dataset == dataset)
    return session.scalars(
        query.order_by(Release.published_on.desc(), Release.dataset, Release.sequence.desc())
    ).all()


def add_release(session: Session, release: Release) -> None:
    session.add(release)
    session.flush()


def release_files(session: Session, release_id: str) -> Sequence[ReleaseFile]:
    return session.scalars(
        select(ReleaseFile).where(ReleaseFile.release_id == release_id).order_by(ReleaseFile.name)
    ).all()


def add_release_files(session: Session, files: Iterable[ReleaseFile]) -> None:
    session.add_all(list(files))
    session.flush()


def state_token(session: Session) -> tuple[Any, ...]:
    """Changes whenever a release of any dataset is created: the key of the read caches."""
    row = session.execute(
        select(func.count(Release.id), func.max(Release.created_at), func.max(Release.id))
    ).one()
    return tuple(row)


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
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(OffenceVersion), rows[start : start + _CHUNK])


def close_offence_versions(
    session: Session, version_ids: list[int], *, valid_to: date, retired_in: str
) -> None:
    for start in range(0, len(version_ids), _CHUNK):
        chunk = version_ids[start : start + _CHUNK]
        session.execute(
            update(OffenceVersion)
            .where(OffenceVersion.id.in_(chunk), OffenceVersion.retired_in.is_(None))
            .values(valid_to=valid_to, retired_in=retired_in)
            .execution_options(synchronize_session=False)
        )


def offence_versions_in_release(session: Session, release: Release) -> Sequence[OffenceVersion]:
    """The versions a release publishes: introduced by it or before, not closed by it or before."""
    introduced = aliased(Release)
    retired = aliased(Release)
    query = (
        select(OffenceVersion)
        .join(introduced, introduced.id == OffenceVersion.introduced_in)
        .outerjoin(retired, retired.id == OffenceVersion.retired_in)
        .where(
            introduced.dataset == release.dataset,
            introduced.sequence <= release.sequence,
            or_(OffenceVersion.retired_in.is_(None), retired.sequence > release.sequence),
        )
        .order_by(OffenceVersion.natinf)
    )
    return session.scalars(query).all()


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
    introduced = aliased(Release)
    retired = aliased(Release)
    return session.scalars(
        select(PenaltyVersion)
        .join(introduced, introduced.id == PenaltyVersion.introduced_in)
        .outerjoin(retired, retired.id == PenaltyVersion.retired_in)
        .where(
            introduced.sequence <= release.sequence,
            and_(
                introduced.dataset == release.dataset,
                or_(PenaltyVersion.retired_in.is_(None), retired.sequence > release.sequence),
            ),
        )
        .order_by(PenaltyVersion.natinf, PenaltyVersion.category.desc(), PenaltyVersion.kind)
    ).all()


def insert_penalties(session: Session, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(PenaltyVersion), rows[start : start + _CHUNK])


def retire_penalties(session: Session, ids: list[int], *, retired_in: str) -> None:
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(PenaltyVersion)
            .where(PenaltyVersion.id.in_(ids[start : start + _CHUNK]))
            .values(retired_in=retired_in)
            .execution_options(synchronize_session=False)
        )
