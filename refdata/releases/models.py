"""Tables of the release machinery: releases, their bulk files, the items curated releases publish.

- A *release* is one publication of a dataset (``natinf``, ``penalties``, ``courts``,
  ``tariffs``, ``communes``). It is immutable once committed and carries the SHA-256 of the
  file it was imported from and of every bulk file generated from it.
- The curated datasets (``courts``, ``tariffs``, ``communes``) keep their own tables, which
  their loaders make equal to the files; what each of their releases *published* is recorded
  in ``refdata_release_item`` (one row per item state, opened and closed by releases like an
  offence version), so any release's content can be read back, diffed and rebuilt.

The tables of a dataset that versions its own rows (``refdata.natinf.models``) point to the
release that introduced and retired each row (see docs/refdata.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from srj.db import Base

# SQLite only autoincrements an ``INTEGER PRIMARY KEY``; PostgreSQL gets a 64-bit identity.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class Release(Base):
    """One immutable publication of a dataset."""

    __tablename__ = "refdata_release"

    # Readable, sortable and immutable: ``natinf-2026-10-01`` (``-2``, ``-3``... when a dataset
    # is published more than once on the same day).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(32))
    # 1, 2, 3... within the dataset: the order releases apply in.
    sequence: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("refdata_release.id"))
    # Base name of the imported file (never a local path) and the SHA-256 of its bytes.
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    # e.g. {"encoding": "latin-1", "rows": 17012}
    source_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    item_count: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    retired: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    changelog: Mapped[str] = mapped_column(Text, default="")

    files: Mapped[list[ReleaseFile]] = relationship(
        lazy="raise", order_by="ReleaseFile.name", cascade="all, delete-orphan"
    )
    # Set when an admin withdrew the release (``refdata.releases.withdrawal``).
    withdrawal: Mapped[ReleaseWithdrawal | None] = relationship(
        lazy="raise", uselist=False, foreign_keys="ReleaseWithdrawal.release_id"
    )

    __table_args__ = (
        # Two concurrent imports cannot both become release N of a dataset.
        UniqueConstraint("dataset", "sequence"),
        CheckConstraint(
            "added >= 0 AND changed >= 0 AND retired >= 0 AND unchanged >= 0", name="counts"
        ),
    )


class ReleaseFile(Base):
    """A bulk file generated from a release, with the checksum partners verify."""

    __tablename__ = "refdata_release_file"

    release_id: Mapped[str] = mapped_column(
        ForeignKey("refdata_release.id", ondelete="CASCADE"), primary_key=True
    )
    # ``offences.csv`` (UTF-8), ``offences.latin-1.csv``, ``offences.json``, ``offences.parquet``
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)


class ReleaseItem(Base):
    """One state of one item of a curated dataset, as published by its releases.

    ``kind`` names the table the item comes from (``court``, ``ressort``, ``fixed_fine``,
    ``commune``...), ``item_key`` its natural key rendered as text (``tj-agen|2020-01-01``),
    ``fields`` its published fields as JSON values. A release that changes an item closes the
    open row (``retired_in``) and opens a new one: rows are never updated otherwise, so the
    items of release N are those introduced at or before N and not retired at or before N.
    """

    __tablename__ = "refdata_release_item"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    item_key: Mapped[str] = mapped_column(String(255))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    introduced_in: Mapped[str] = mapped_column(ForeignKey("refdata_release.id"))
    retired_in: Mapped[str | None] = mapped_column(ForeignKey("refdata_release.id"))

    __table_args__ = (
        # At most one open state per item; closed states stay for the older releases.
        Index(
            "uq_refdata_release_item_open",
            "dataset",
            "kind",
            "item_key",
            unique=True,
            sqlite_where=text("retired_in IS NULL"),
            postgresql_where=text("retired_in IS NULL"),
        ),
        Index("ix_refdata_release_item_introduced_in", "introduced_in"),
        Index("ix_refdata_release_item_retired_in", "retired_in"),
    )


class ReleaseWithdrawal(Base):
    """An admin's withdrawal of a wrong release: who, when, why, and what it undid.

    The release row, its files and their checksums stay as published (a release id never
    names other content). What the release changed in the dataset's versioned tables is
    undone — the rows it introduced are removed, the rows it closed are open again — and kept
    in ``undone`` so that the withdrawal itself can be audited (and reversed by hand).
    """

    __tablename__ = "refdata_release_withdrawal"

    release_id: Mapped[str] = mapped_column(
        ForeignKey("refdata_release.id", ondelete="RESTRICT"), primary_key=True
    )
    dataset: Mapped[str] = mapped_column(String(32))
    withdrawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The admin's subject (audit; not published).
    withdrawn_by: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    # The release that is the dataset's latest again (NULL: the dataset has no release left).
    restored_id: Mapped[str | None] = mapped_column(ForeignKey("refdata_release.id"))
    # {table: {"removed": [row, ...], "reopened": [{"id": ..., column: old value}, ...]}}
    undone: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_refdata_release_withdrawal_dataset", "dataset"),)
