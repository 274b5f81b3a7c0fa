"""Tables of the law dataset: article versions, the penalties their alinéas state, what was
not read, and the corpus they come from.

The tables hold ``datasets/penalties_law/`` as committed (the loader makes them equal to the
files, checked against the manifest's checksums). Intervals are half-open ``[valid_from,
valid_to)``, ``valid_to`` NULL meaning "still in force at the end of the corpus", which knows
the law up to ``law_corpus.known_until``.
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
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srj.db import Base


class LawCorpus(Base):
    """The corpus the loaded dataset was built from (one row)."""

    __tablename__ = "law_corpus"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository: Mapped[str] = mapped_column(String(200))
    commit: Mapped[str] = mapped_column(String(40))
    # Texts published after this date are not in the corpus.
    known_until: Mapped[date] = mapped_column(Date)
    known_until_basis: Mapped[str] = mapped_column(Text)
    # SHA-256 of the dataset's manifest: re-loading the same dataset changes nothing.
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class ArticleVersion(Base):
    """One version of one article: dates, provenance and its text, alinéa by alinéa."""

    __tablename__ = "law_article_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100))  # "code-penal"
    article: Mapped[str] = mapped_column(String(40))  # "222-13", "L234-1", "224-1 A"
    # The article number folded for lookups ("l234-1", "224-1-a").
    article_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The corpus's own date when ``valid_from`` was moved to the code's entry into force.
    recorded_from: Mapped[date] = mapped_column(Date)
    in_force_from_basis: Mapped[str] = mapped_column(Text, default="")
    repository: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    commit: Mapped[str] = mapped_column(String(40))
    amended_by: Mapped[str] = mapped_column(Text)
    ended_by_commit: Mapped[str | None] = mapped_column(String(40))
    ended_by: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    alineas: Mapped[list[str]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("code", "article", "version"),
        Index("ix_law_article_version_lookup", "code", "article_key"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
        CheckConstraint("version >= 1", name="version"),
    )


class LawPenalty(Base):
    """One principal penalty an alinéa states, over the dates it applies (one row of
    ``penalties.csv``)."""

    __tablename__ = "law_penalty"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    statement: Mapped[int] = mapped_column(SmallInteger)
    alinea: Mapped[int] = mapped_column(SmallInteger)
    division: Mapped[str] = mapped_column(String(8), default="")
    form: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(32))
    max_months: Mapped[int | None] = mapped_column(Integer)
    life: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    contravention_class: Mapped[int | None] = mapped_column(SmallInteger)
    alternative: Mapped[bool] = mapped_column(Boolean)
    fine_may_exceed: Mapped[bool] = mapped_column(Boolean)
    legal_persons: Mapped[bool] = mapped_column(Boolean)
    quoted: Mapped[bool] = mapped_column(Boolean)
    source_code: Mapped[str] = mapped_column(String(100))
    source_article: Mapped[str] = mapped_column(String(40))
    source_version: Mapped[int] = mapped_column(Integer)
    source_alinea: Mapped[int] = mapped_column(SmallInteger)
    via: Mapped[str] = mapped_column(Text, default="")
    sentence: Mapped[str] = mapped_column(Text)
    source_sentence: Mapped[str] = mapped_column(Text)
    repository: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    commit: Mapped[str] = mapped_column(String(40))
    source_path: Mapped[str] = mapped_column(Text)
    source_commit: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        Index("ix_law_penalty_article", "code", "article", "version"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
        CheckConstraint(
            "kind IN ('emprisonnement', 'reclusion_criminelle', 'detention_criminelle', "
            "'amende', 'amende_contraventionnelle')",
            name="kind",
        ),
        CheckConstraint("currency IS NULL OR currency IN ('EUR', 'FRF')", name="currency"),
    )


class LawUnresolved(Base):
    """A penalty sentence not read, or a reference not followed, with the reason."""

    __tablename__ = "law_unresolved"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(100))
    article: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    alinea: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_law_unresolved_article", "code", "article", "version"),)
