"""Tables of the reference data: releases, NATINF offence versions, penalties, successors.

Versioning model (see docs/refdata.md):

- A *release* is one publication of a dataset (``natinf``, ``penalties``; the courts and
  tariffs packages create their own). It is immutable once committed and carries the
  SHA-256 of the file it was imported from and of every bulk file generated from it.
- An *offence version* is one state of one NATINF code. Rows are never updated except to
  close them: when a newer release changes a code, the open version gets ``valid_to`` and
  ``retired_in`` and a new version opens; a code absent from a newer release is closed the same
  way and never deleted; a code that comes back opens a new version.
- The official NATINF file carries no dates, so an offence version's interval is the
  publication interval: ``valid_from`` is the ``published_on`` of the release that introduced
  it, ``valid_to`` (exclusive) that of the release that closed it.
- Penalties are curated facts with *legal* validity dates (the version of the article that
  provides them); each penalties release records which rows it introduced or withdrew.
- The curated datasets (``courts``, ``tariffs``, ``communes``) keep their own tables, which
  their loaders make equal to the files; what each of their releases *published* is recorded
  in ``refdata_release_item`` (one row per item state, opened and closed by releases like an
  offence version), so any release's content can be read back, diffed and rebuilt.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
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


class OffenceVersion(Base):
    """One state of a NATINF code, valid over a half-open interval of publication dates."""

    __tablename__ = "natinf_offence_version"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    natinf: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    # Canonical label of the official vocabulary ("Délit", "Contravention de 4ème classe"...),
    # NULL where the published file leaves it empty.
    nature: Mapped[str | None] = mapped_column(String(40))
    qualification: Mapped[str] = mapped_column(String(255))
    # The two article columns verbatim ("" when the file leaves them empty) ...
    defined_by: Mapped[str] = mapped_column(Text, default="")
    repressed_by: Mapped[str] = mapped_column(Text, default="")
    # ... and parsed: [{"article": "R. 417-9", "alineas": ["3"], "text": "C.ROUTE", ...}]
    defined_by_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    repressed_by_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    introduced_in: Mapped[str] = mapped_column(ForeignKey("refdata_release.id"))
    retired_in: Mapped[str | None] = mapped_column(ForeignKey("refdata_release.id"))

    __table_args__ = (
        UniqueConstraint("natinf", "version"),
        Index("ix_natinf_offence_version_natinf_valid_from", "natinf", "valid_from"),
        Index("ix_natinf_offence_version_open", "retired_in", "natinf"),
        CheckConstraint("natinf > 0", name="natinf_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="interval"),
        CheckConstraint("(valid_to IS NULL) = (retired_in IS NULL)", name="closed_by_release"),
    )


class OffenceSuccessor(Base):
    """A retired NATINF code and the code(s) that replace it, where a source says so."""

    __tablename__ = "natinf_successor"

    natinf: Mapped[int] = mapped_column(Integer, primary_key=True)
    successor: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Where the correspondence is published (circular, changelog of the file...).
    source: Mapped[str] = mapped_column(Text)
    recorded_in: Mapped[str] = mapped_column(ForeignKey("refdata_release.id"))

    __table_args__ = (CheckConstraint("natinf <> successor", name="not_self"),)


class PenaltyVersion(Base):
    """A penalty an offence carries, as provided by a cited article over its legal validity.

    ``category`` is ``principale`` or ``complementaire``; ``kind`` says which penalty
    (``emprisonnement``, ``reclusion_criminelle``, ``detention_criminelle``, ``amende``, or a
    complementary penalty such as ``suspension_permis``). Rows withdrawn by a later penalties
    release keep their data and get ``retired_in``.
    """

    __tablename__ = "natinf_penalty_version"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    natinf: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(48))
    label: Mapped[str] = mapped_column(String(255))
    max_months: Mapped[int | None] = mapped_column(Integer)
    life: Mapped[bool] = mapped_column(Boolean, default=False)
    max_amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    article: Mapped[str] = mapped_column(String(255))
    citation: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    # Legal validity of the article version that provides the penalty.
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    introduced_in: Mapped[str] = mapped_column(ForeignKey("refdata_release.id"))
    retired_in: Mapped[str | None] = mapped_column(ForeignKey("refdata_release.id"))

    __table_args__ = (
        Index("ix_natinf_penalty_version_natinf", "natinf", "valid_from"),
        # One current row per (code, penalty, start of validity); withdrawn rows stay.
        Index(
            "uq_natinf_penalty_version_current",
            "natinf",
            "category",
            "kind",
            "valid_from",
            unique=True,
            sqlite_where=text("retired_in IS NULL"),
            postgresql_where=text("retired_in IS NULL"),
        ),
        CheckConstraint("category IN ('principale', 'complementaire')", name="category"),
        CheckConstraint("max_months IS NULL OR max_months > 0", name="months_positive"),
        CheckConstraint("max_amount_eur IS NULL OR max_amount_eur > 0", name="amount_positive"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
    )


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
