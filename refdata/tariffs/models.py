"""Tables of the tariffs: fixed fines, maximum fines, the child-support scale, the minimum vital.

Every row is one *version* of one amount, valid over the half-open interval
``[valid_from, valid_to)`` (``valid_to`` NULL = still in force), the convention of the whole
reference data. Rows carry their legal source and where we read it, plus two honesty fields:

- ``valid_from_basis``: ``in_force`` (the legal entry-into-force date), ``attested`` (a dated
  source shows the amount in force on that date; it may be older) or ``unverified`` (a date we
  could not check, explained in ``note``);
- ``status``: ``confirmed`` (read verbatim in a retrieved source), ``partly_confirmed`` (the
  amount is confirmed but part of the version history is inferred, see ``note``) or
  ``unconfirmed`` (published value we could not check in any retrieved source).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srj.db import Base

VALID_FROM_BASES = ("in_force", "attested", "unverified")
STATUSES = ("confirmed", "partly_confirmed", "unconfirmed")
FIXED_FINE_KINDS = ("minoree", "forfaitaire", "majoree")
CUSTODY_TYPES = ("reduite", "classique", "alternee")


class _VersionedFact:
    """Columns shared by every tariff table."""

    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_from_basis: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20))
    legal_source: Mapped[str] = mapped_column(Text)
    provenance: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")


def _interval_checks() -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="interval"),
        CheckConstraint("valid_from_basis IN ('in_force', 'attested', 'unverified')", name="basis"),
        CheckConstraint(
            "status IN ('confirmed', 'partly_confirmed', 'unconfirmed')", name="status"
        ),
    )


class FixedFine(_VersionedFact, Base):
    """An amende forfaitaire (minorée / forfaitaire / majorée) for a class and category."""

    __tablename__ = "tariff_fixed_fine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    classe: Mapped[int] = mapped_column(SmallInteger)
    # ``general``; ``pietons`` (road-traffic contraventions by pedestrians, R49 1°);
    # ``stationnement`` (parking, 2011-2018).
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    amount_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    __table_args__ = (
        UniqueConstraint("classe", "category", "kind", "valid_from"),
        CheckConstraint("classe BETWEEN 1 AND 5", name="classe"),
        CheckConstraint("kind IN ('minoree', 'forfaitaire', 'majoree')", name="kind"),
        CheckConstraint("amount_eur > 0", name="amount"),
        *_interval_checks(),
    )


class MaxFine(_VersionedFact, Base):
    """The maximum fine of a contravention class (art. 131-13 Code pénal)."""

    __tablename__ = "tariff_max_fine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    classe: Mapped[int] = mapped_column(SmallInteger)
    amount_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # Only where the law provides a higher maximum in recidivism (5th class).
    recidivism_amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

    __table_args__ = (
        UniqueConstraint("classe", "valid_from"),
        CheckConstraint("classe BETWEEN 1 AND 5", name="classe"),
        CheckConstraint("amount_eur > 0", name="amount"),
        *_interval_checks(),
    )


class ChildSupportRate(_VersionedFact, Base):
    """One cell of a child-support scale: the rate for a number of children and a custody type."""

    __tablename__ = "tariff_child_support_rate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scale: Mapped[str] = mapped_column(String(32))
    children: Mapped[int] = mapped_column(SmallInteger)
    custody: Mapped[str] = mapped_column(String(16))
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))

    __table_args__ = (
        UniqueConstraint("scale", "children", "custody", "valid_from"),
        CheckConstraint("children >= 1", name="children"),
        CheckConstraint("custody IN ('reduite', 'classique', 'alternee')", name="custody"),
        CheckConstraint("rate_percent > 0 AND rate_percent < 100", name="rate"),
        *_interval_checks(),
    )


class MinimumVital(_VersionedFact, Base):
    """The minimum vital left to a debtor: the RSA amount for a single person."""

    __tablename__ = "tariff_minimum_vital"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    amount_eur: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    __table_args__ = (
        UniqueConstraint("valid_from"),
        CheckConstraint("amount_eur > 0", name="amount"),
        *_interval_checks(),
    )
