"""Tables of the NATINF domain: offence versions, successors, curated penalties.

Versioning model (see docs/refdata.md):

- An *offence version* is one state of one NATINF code. Rows are never updated except to
  close them: when a newer release changes a code, the open version gets ``valid_to`` and
  ``retired_in`` and a new version opens; a code absent from a newer release is closed the same
  way and never deleted; a code that comes back opens a new version.
- The official NATINF file carries no dates, so an offence version's interval is the
  publication interval: ``valid_from`` is the ``published_on`` of the release that introduced
  it, ``valid_to`` (exclusive) that of the release that closed it.
- Penalties are curated facts with *legal* validity dates (the version of the article that
  provides them); each penalties release records which rows it introduced or withdrew.

Releases themselves (``refdata_release``) are the release machinery's (``refdata.releases``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from refdata.releases.models import AutoId
from srj.db import Base


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
