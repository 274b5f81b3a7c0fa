"""Business rules of the tariffs: lookups by date and the child-support estimate.

``max_fine_for_class`` and ``fixed_fines_for_class`` are the interface the sentence checks
use; they return ``None`` when no rule is recorded for the date rather than guessing.
Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from refdata.tariffs import repository
from refdata.tariffs.models import (
    CUSTODY_TYPES,
    FIXED_FINE_KINDS,
    ChildSupportRate,
    FixedFine,
    MaxFine,
    MinimumVital,
)

CONTRAVENTION_CLASSES = (1, 2, 3, 4, 5)
DEFAULT_CHILD_SUPPORT_SCALE = "justice-2010"
CENT = Decimal("0.01")


class TariffLookupError(Exception):
    """A lookup that cannot be answered; ``status`` is the HTTP status the API answers with."""

    status = 422
    title = "Invalid parameter"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class TariffNotFoundError(TariffLookupError):
    status = 404
    title = "No tariff recorded"


@dataclass(frozen=True)
class MaxFineRule:
    """The maximum fine of a contravention class on a date, with its legal source."""

    classe: int
    amount_eur: Decimal
    recidivism_amount_eur: Decimal | None
    source: str
    valid_from: date
    valid_to: date | None
    status: str


@dataclass(frozen=True)
class FixedFineAmount:
    amount_eur: Decimal
    source: str
    valid_from: date
    valid_to: date | None
    status: str


@dataclass(frozen=True)
class FixedFineSchedule:
    """The amendes forfaitaires of one class and category on a date (None where not recorded)."""

    classe: int
    category: str
    minoree: FixedFineAmount | None
    forfaitaire: FixedFineAmount | None
    majoree: FixedFineAmount | None


@dataclass(frozen=True)
class ChildSupportEstimate:
    income_eur: Decimal
    children: int
    custody: str
    scale: str
    on: date
    minimum_vital: MinimumVital
    rate: ChildSupportRate
    per_child_eur: Decimal
    total_eur: Decimal
    warnings: tuple[str, ...]


def check_classe(classe: int) -> None:
    if classe not in CONTRAVENTION_CLASSES:
        raise TariffLookupError(
            f"contravention class must be 1 to 5 (got {classe})", parameter="classe"
        )


def max_fine_for_class(session: Session, classe: int, on: date) -> MaxFineRule | None:
    """Art. 131-13 Code pénal maximum for ``classe`` in force on ``on``; None if none recorded."""
    check_classe(classe)
    rows = repository.max_fines(session, on=on, classe=classe)
    if not rows:
        return None
    row = rows[0]
    return MaxFineRule(
        classe=row.classe,
        amount_eur=row.amount_eur,
        recidivism_amount_eur=row.recidivism_amount_eur,
        source=row.legal_source,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        status=row.status,
    )


def fixed_fines_for_class(
    session: Session, classe: int, on: date, category: str = "general"
) -> FixedFineSchedule | None:
    """The minorée / forfaitaire / majorée amounts of ``classe`` on ``on``; None if none at all."""
    check_classe(classe)
    rows = repository.fixed_fines(session, on=on, classe=classe, category=category)
    if not rows:
        return None
    by_kind: dict[str, FixedFineAmount] = {}
    for row in rows:
        by_kind[row.kind] = FixedFineAmount(
            amount_eur=row.amount_eur,
            source=row.legal_source,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            status=row.status,
        )
    return FixedFineSchedule(
        classe=classe,
        category=category,
        minoree=by_kind.get("minoree"),
        forfaitaire=by_kind.get("forfaitaire"),
        majoree=by_kind.get("majoree"),
    )


def list_fixed_fines(
    session: Session,
    *,
    on: date | None,
    classe: int | None = None,
    category: str | None = None,
    kind: str | None = None,
) -> list[FixedFine]:
    if classe is not None:
        check_classe(classe)
    if kind is not None and kind not in FIXED_FINE_KINDS:
        raise TariffLookupError(
            f"kind must be one of {', '.join(FIXED_FINE_KINDS)}", parameter="kind"
        )
    return list(repository.fixed_fines(session, on=on, classe=classe, category=category, kind=kind))


def list_max_fines(
    session: Session, *, on: date | None, classe: int | None = None
) -> list[MaxFine]:
    if classe is not None:
        check_classe(classe)
    return list(repository.max_fines(session, on=on, classe=classe))


def list_child_support_rates(
    session: Session,
    *,
    on: date | None,
    scale: str | None = None,
    children: int | None = None,
    custody: str | None = None,
) -> list[ChildSupportRate]:
    return list(
        repository.child_support_rates(
            session, on=on, scale=scale, children=children, custody=custody
        )
    )


def list_minimum_vital(session: Session, *, on: date | None) -> list[MinimumVital]:
    return list(repository.minimum_vital(session, on=on))


def estimate_child_support(
    session: Session,
    *,
    income_eur: Decimal,
    children: int,
    custody: str,
    on: date,
    scale: str = DEFAULT_CHILD_SUPPORT_SCALE,
) -> ChildSupportEstimate:
    """Contribution per child = (debtor's monthly income − minimum vital) × rate of the scale.

    The scale is indicative; the estimate says so, and flags cells of the scale that no
    retrieved source confirms. Amounts are rounded to the cent (half up) per child, and the
    total is the rounded per-child amount times the number of children.
    """
    if income_eur < 0:
        raise TariffLookupError("income must be zero or positive", parameter="income")
    if custody not in CUSTODY_TYPES:
        raise TariffLookupError(
            f"custody must be one of {', '.join(CUSTODY_TYPES)}", parameter="custody"
        )
    if children < 1:
        raise TariffLookupError("children must be at least 1", parameter="children")
    rates = repository.child_support_rates(
        session, on=on, scale=scale, children=children, custody=custody
    )
    if not rates:
        covered = repository.child_support_rates(session, on=on, scale=scale)
        if covered:
            most = max(rate.children for rate in covered)
            raise TariffLookupError(
                f"the {scale} scale covers 1 to {most} children (got {children})",
                parameter="children",
            )
        raise TariffNotFoundError(
            f"no child-support scale '{scale}' is recorded for {on.isoformat()}",
            parameter="as_of",
        )
    minima = repository.minimum_vital(session, on=on)
    if not minima:
        raise TariffNotFoundError(
            f"no minimum vital (RSA amount) is recorded for {on.isoformat()}",
            parameter="as_of",
        )
    rate, vital = rates[0], minima[0]
    base = max(income_eur - vital.amount_eur, Decimal(0))
    per_child = (base * rate.rate_percent / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    warnings = [
        "Barème indicatif : le juge aux affaires familiales apprécie chaque situation "
        "et n'est pas tenu par ce montant."
    ]
    if income_eur <= vital.amount_eur:
        warnings.append(
            "Le revenu ne dépasse pas le minimum vital : le barème ne propose aucune contribution."
        )
    if rate.status != "confirmed":
        warnings.append(
            f"Le taux de {rate.rate_percent} % ({children} enfant(s), résidence {custody}) "
            "n'a été confirmé par aucune source consultée : à vérifier sur la table officielle."
        )
    if vital.status != "confirmed":
        warnings.append(
            f"Le minimum vital de {vital.amount_eur} € n'a pas été lu dans le texte officiel."
        )
    return ChildSupportEstimate(
        income_eur=income_eur,
        children=children,
        custody=custody,
        scale=scale,
        on=on,
        minimum_vital=vital,
        rate=rate,
        per_child_eur=per_child,
        total_eur=per_child * children,
        warnings=tuple(warnings),
    )
