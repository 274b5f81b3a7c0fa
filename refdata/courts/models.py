"""Tables of the courts: court versions, hierarchy and territorial jurisdiction (ressort).

A court keeps one stable identifier (``tj-agen``) across its versions: the tribunal de grande
instance d'Agen and the tribunal judiciaire d'Agen (from 2020-01-01) are two versions of
``tj-agen``. Versions and ressort rows are valid over ``[valid_from, valid_to)`` and carry
their source and the basis of their start date (see ``refdata.tariffs.models`` for the
vocabulary: ``in_force``, ``attested``, ``unverified``).

A ressort row says that a court is competent for a whole département (``granularity =
departement``) or for one commune (``commune``). ``scope = enclave`` marks a territory the
court holds inside another court's département (airport grounds), which does not make the
département ambiguous.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from srj.db import Base

COURT_TYPES = (
    "cour_appel",
    "tribunal_superieur_appel",
    "tribunal_grande_instance",
    "tribunal_judiciaire",
    "tribunal_premiere_instance",
    "chambre_detachee",
    "section_detachee",
)
# Courts of first instance in general jurisdiction: their ressorts partition the territory.
FIRST_INSTANCE_TYPES = (
    "tribunal_grande_instance",
    "tribunal_judiciaire",
    "tribunal_premiere_instance",
)
APPEAL_TYPES = ("cour_appel", "tribunal_superieur_appel")
GRANULARITIES = ("departement", "commune")
SCOPES = ("territory", "enclave")


class CourtVersion(Base):
    __tablename__ = "court_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    seat_code_insee: Mapped[str] = mapped_column(String(5), default="")
    # Name of the seat commune in the COG the curated file was built against.
    seat_commune: Mapped[str] = mapped_column(String(120), default="")
    parent_id: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_from_basis: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("court_id", "valid_from"),
        Index("ix_court_version_type", "type"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
        CheckConstraint("valid_from_basis IN ('in_force', 'attested', 'unverified')", name="basis"),
    )


class CourtRessort(Base):
    __tablename__ = "court_ressort"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(64))
    granularity: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(5))
    scope: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_from_basis: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("court_id", "granularity", "code", "scope", "valid_from"),
        Index("ix_court_ressort_granularity_code", "granularity", "code"),
        Index("ix_court_ressort_court_id", "court_id"),
        CheckConstraint("granularity IN ('departement', 'commune')", name="granularity"),
        CheckConstraint("scope IN ('territory', 'enclave')", name="scope"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
        CheckConstraint("valid_from_basis IN ('in_force', 'attested', 'unverified')", name="basis"),
    )
