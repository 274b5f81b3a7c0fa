"""Every query of the reference data (offences, penalties, releases, release items) lives here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased, selectinload

from refdata.models import (
    OffenceSuccessor,
    OffenceVersion,
    PenaltyVersion,
    Release,
    ReleaseFile,
    ReleaseItem,
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


_Versioned = OffenceVersion | PenaltyVersion | ReleaseItem
_Query = TypeVar("_Query", bound=Select[Any])


def _insert(session: Session, model: type[_Versioned], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(model), rows[start : start + _CHUNK])


def _close(session: Session, model: type[_Versioned], ids: list[int], **values: Any) -> None:
    """Close open rows of a versioned table (``retired_in``, and ``valid_to`` for offences);
    rows already closed stay as they are: a release never rewrites another's history."""
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(model)
            .where(model.id.in_(ids[start : start + _CHUNK]), model.retired_in.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def published_by(query: _Query, model: type[_Versioned], release: Release) -> _Query:
    """Restrict ``query`` to the rows a release publishes: introduced by it or an earlier
    release of its dataset, and not closed by it or an earlier one (the rule every versioned
    table of the reference data shares)."""
    introduced = aliased(Release)
    retired = aliased(Release)
    return (
        query.join(introduced, introduced.id == model.introduced_in)
        .outerjoin(retired, retired.id == model.retired_in)
        .where(
            introduced.dataset == release.dataset,
            introduced.sequence <= release.sequence,
            or_(model.retired_in.is_(None), retired.sequence > release.sequence),
        )
    )


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
    _insert(session, OffenceVersion, rows)


def close_offence_versions(
    session: Session, version_ids: list[int], *, valid_to: date, retired_in: str
) -> None:
    _close(session, OffenceVersion, version_ids, valid_to=valid_to, retired_in=retired_in)


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
    _insert(session, PenaltyVersion, rows)


def retire_penalties(session: Session, ids: list[int], *, retired_in: str) -> None:
    _close(session, PenaltyVersion, ids, retired_in=retired_in)


# --- items of the curated datasets (courts, tariffs, communes) -----------------------------


def open_release_items(session: Session, dataset: str) -> Sequence[Any]:
    """The items the latest release of ``dataset`` publishes: plain rows (id, kind, item_key,
    fields) — a COG release holds ~40,000 of them."""
    table = ReleaseItem.__table__
    return session.execute(
        select(table.c.id, table.c.kind, table.c.item_key, table.c.fields).where(
            table.c.dataset == dataset, table.c.retired_in.is_(None)
        )
    ).all()


def release_items(session: Session, release: Release) -> Sequence[Any]:
    """The items a release publishes, as plain rows (kind, item_key, fields)."""
    query = published_by(
        select(ReleaseItem.kind, ReleaseItem.item_key, ReleaseItem.fields), ReleaseItem, release
    ).where(ReleaseItem.dataset == release.dataset)
    return session.execute(query.order_by(ReleaseItem.kind, ReleaseItem.item_key)).all()


def insert_release_items(session: Session, rows: list[dict[str, Any]]) -> None:
    _insert(session, ReleaseItem, rows)


def close_release_items(session: Session, ids: list[int], *, retired_in: str) -> None:
    _close(session, ReleaseItem, ids, retired_in=retired_in)
