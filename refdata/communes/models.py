"""Tables of the communes: the Code officiel géographique (COG) with its history.

``commune`` holds one row per *version* of a COG entry — current communes, communes
déléguées and associées, arrondissements municipaux — valid over ``[valid_from, valid_to)``.
``valid_from`` is the COG millésime in which the version was first observed (the COG does not
date every commune's creation), ``valid_to`` the millésime in which it disappeared or changed.

``commune_succession`` keeps the codes that disappeared in a merger (the COG's ``anciens
codes``) pointing to the commune that absorbed them, so a birthplace coded before a merger
still resolves.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srj.db import Base

COMMUNE_TYPES = (
    "commune-actuelle",
    "commune-deleguee",
    "commune-associee",
    "arrondissement-municipal",
)


class Commune(Base):
    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_insee: Mapped[str] = mapped_column(String(5))
    type: Mapped[str] = mapped_column(String(32))
    nom: Mapped[str] = mapped_column(String(120))
    departement: Mapped[str] = mapped_column(String(3))
    region: Mapped[str] = mapped_column(String(3), default="")
    # The current commune a délégué / associé / arrondissement belongs to (NULL for a
    # commune actuelle).
    parent_code: Mapped[str | None] = mapped_column(String(5))
    codes_postaux: Mapped[str] = mapped_column(String(255), default="")
    population: Mapped[int | None] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(8), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("code_insee", "type", "valid_from"),
        Index("ix_commune_code_insee_valid_from", "code_insee", "valid_from"),
        CheckConstraint(
            "type IN ('commune-actuelle', 'commune-deleguee', 'commune-associee', "
            "'arrondissement-municipal')",
            name="type",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
    )


class CommuneSuccession(Base):
    """A code that disappeared (merger) and the commune that absorbed it."""

    __tablename__ = "commune_succession"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    old_code: Mapped[str] = mapped_column(String(5))
    successor_code: Mapped[str] = mapped_column(String(5))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("old_code", "successor_code", "valid_from"),
        Index("ix_commune_succession_old_code", "old_code"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
    )


class CogMillesime(Base):
    """One COG millésime loaded, with the checksum of the file it came from."""

    __tablename__ = "cog_millesime"

    millesime: Mapped[date] = mapped_column(Date, primary_key=True)
    source_sha256: Mapped[str] = mapped_column(String(64))
    communes: Mapped[int] = mapped_column(Integer)


class CuratedDatasetState(Base):
    """The fingerprint of each curated dataset as last loaded (``cog``, ``courts``, ``tariffs``).

    Loaders update it whenever a load changes the tables; the per-process read indexes compare
    it on every request and rebuild when it moved, so an import in one worker is seen by all.
    """

    __tablename__ = "refdata_curated_state"

    dataset: Mapped[str] = mapped_column(String(16), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
