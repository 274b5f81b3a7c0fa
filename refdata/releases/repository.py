"""Every query of the release machinery: releases, their files, the items curated releases
publish, and the rules every versioned table shares (insert in chunks, close open rows, the rows
a release publishes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, aliased, selectinload

from refdata.releases.models import Release, ReleaseFile, ReleaseItem, ReleaseWithdrawal

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


def _not_withdrawn() -> Any:
    return ~exists().where(ReleaseWithdrawal.release_id == Release.id)


def latest_release(session: Session, dataset: str) -> Release | None:
    """The dataset's latest release in force (a withdrawn release is never the latest)."""
    return session.scalars(
        select(Release)
        .where(Release.dataset == dataset, _not_withdrawn())
        .order_by(Release.sequence.desc())
        .limit(1)
    ).first()


def max_sequence(session: Session, dataset: str) -> int:
    """The highest sequence the dataset used, withdrawn releases included (never reused)."""
    return (
        session.scalar(
            select(func.coalesce(func.max(Release.sequence), 0)).where(Release.dataset == dataset)
        )
        or 0
    )


def first_release(session: Session, any_release_id: str) -> Release | None:
    """The first release (not withdrawn) of the dataset ``any_release_id`` belongs to."""
    release = session.get(Release, any_release_id)
    if release is None:
        return None
    return session.scalars(
        select(Release)
        .where(Release.dataset == release.dataset, _not_withdrawn())
        .order_by(Release.sequence)
        .limit(1)
    ).first()


def withdrawal_of(session: Session, release_id: str) -> ReleaseWithdrawal | None:
    return session.get(ReleaseWithdrawal, release_id)


def add_withdrawal(session: Session, withdrawal: ReleaseWithdrawal) -> None:
    session.add(withdrawal)
    session.flush()


def list_withdrawals(session: Session, dataset: str | None = None) -> Sequence[ReleaseWithdrawal]:
    query = select(ReleaseWithdrawal)
    if dataset:
        query = query.where(ReleaseWithdrawal.dataset == dataset)
    return session.scalars(query.order_by(ReleaseWithdrawal.withdrawn_at.desc())).all()


def release_ids_with_prefix(session: Session, prefix: str) -> set[str]:
    return set(session.scalars(select(Release.id).where(Release.id.startswith(prefix))))


def get_release(session: Session, release_id: str, *, with_files: bool = False) -> Release | None:
    query = select(Release).where(Release.id == release_id)
    if with_files:
        query = query.options(selectinload(Release.files), selectinload(Release.withdrawal))
    return session.scalars(query).first()


def list_releases(session: Session, dataset: str | None = None) -> Sequence[Release]:
    query = select(Release).options(selectinload(Release.files), selectinload(Release.withdrawal))
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
    """Changes whenever a release of any dataset is created or withdrawn: the key of the read
    caches."""
    withdrawals = select(func.count()).select_from(ReleaseWithdrawal).scalar_subquery()
    row = session.execute(
        select(
            func.count(Release.id),
            func.max(Release.created_at),
            func.max(Release.id),
            withdrawals,
        )
    ).one()
    return tuple(row)


# A mapped class whose rows releases open and close, with ``id``, ``introduced_in`` and
# ``retired_in`` columns (``OffenceVersion``, ``PenaltyVersion``, ``ReleaseItem``...). Typed
# loosely on purpose: mypy cannot check a mapped class against a Protocol of its columns (it
# compares the instance types, ``int``, with the class attributes), and naming the classes here
# would make the release machinery depend on every dataset.
VersionedModel = type[Any]
_Query = TypeVar("_Query", bound=Select[Any])


def insert_versioned(session: Session, model: VersionedModel, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(model), rows[start : start + _CHUNK])


def close_versioned(session: Session, model: VersionedModel, ids: list[int], **values: Any) -> None:
    """Close open rows of a versioned table (``retired_in``, and ``valid_to`` for offences);
    rows already closed stay as they are: a release never rewrites another's history."""
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(model)
            .where(model.id.in_(ids[start : start + _CHUNK]), model.retired_in.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def published_by(query: _Query, model: VersionedModel, release: Release) -> _Query:
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
    insert_versioned(session, ReleaseItem, rows)


def close_release_items(session: Session, ids: list[int], *, retired_in: str) -> None:
    close_versioned(session, ReleaseItem, ids, retired_in=retired_in)
