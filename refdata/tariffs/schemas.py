"""Response bodies of the tariffs API. Amounts are JSON numbers in euros."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

from refdata.tariffs.models import ChildSupportRate, FixedFine, MaxFine, MinimumVital
from refdata.tariffs.service import ChildSupportEstimate, FixedFineAmount, FixedFineSchedule

Euros = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Percent = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

Basis = Literal["in_force", "attested", "unverified"]
Status = Literal["confirmed", "partly_confirmed", "unconfirmed"]


class Provenance(BaseModel):
    valid_from: date
    valid_to: date | None = Field(None, description="Exclusive; null while in force")
    valid_from_basis: Basis = Field(
        description="in_force: legal entry into force; attested: a dated source shows the "
        "amount in force then (it may be older); unverified: see note"
    )
    status: Status = Field(
        description="confirmed: read verbatim in a retrieved source; partly_confirmed: part "
        "of the version history is inferred (see note); unconfirmed: not found in any "
        "retrieved source"
    )
    legal_source: str
    provenance: str
    note: str = ""


def _provenance(row: FixedFine | MaxFine | ChildSupportRate | MinimumVital) -> dict[str, object]:
    return {
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "valid_from_basis": row.valid_from_basis,
        "status": row.status,
        "legal_source": row.legal_source,
        "provenance": row.provenance,
        "note": row.note,
    }


class FixedFineOut(Provenance):
    classe: int = Field(examples=[4])
    category: str = Field(
        description="general; pietons (road-traffic contraventions by pedestrians); "
        "stationnement (parking, 2011-2018)",
        examples=["general"],
    )
    kind: Literal["minoree", "forfaitaire", "majoree"]
    amount_eur: Euros = Field(examples=[135])

    @classmethod
    def of(cls, row: FixedFine) -> FixedFineOut:
        return cls(
            classe=row.classe,
            category=row.category,
            kind=row.kind,  # type: ignore[arg-type]  # constrained by the table's check
            amount_eur=row.amount_eur,
            **_provenance(row),  # type: ignore[arg-type]  # keys match the fields
        )


class AmountOut(BaseModel):
    amount_eur: Euros
    legal_source: str
    valid_from: date
    valid_to: date | None = None
    status: Status

    @classmethod
    def of(cls, amount: FixedFineAmount | None) -> AmountOut | None:
        if amount is None:
            return None
        return cls(
            amount_eur=amount.amount_eur,
            legal_source=amount.source,
            valid_from=amount.valid_from,
            valid_to=amount.valid_to,
            status=amount.status,  # type: ignore[arg-type]  # constrained by the table's check
        )


class FixedFineScheduleOut(BaseModel):
    classe: int
    category: str
    as_of: date
    minoree: AmountOut | None = Field(
        description="Amende forfaitaire minorée (art. R49-9 CPP); null where none applies or "
        "none is recorded for that date"
    )
    forfaitaire: AmountOut | None = Field(description="Amende forfaitaire (art. R49 CPP)")
    majoree: AmountOut | None = Field(description="Amende forfaitaire majorée (art. R49-7 CPP)")

    @classmethod
    def of(cls, schedule: FixedFineSchedule, as_of: date) -> FixedFineScheduleOut:
        return cls(
            classe=schedule.classe,
            category=schedule.category,
            as_of=as_of,
            minoree=AmountOut.of(schedule.minoree),
            forfaitaire=AmountOut.of(schedule.forfaitaire),
            majoree=AmountOut.of(schedule.majoree),
        )


class MaxFineOut(Provenance):
    classe: int = Field(examples=[5])
    amount_eur: Euros = Field(examples=[1500])
    recidivism_amount_eur: Euros | None = Field(
        None,
        description="Maximum in recidivism where the regulation provides it (5th class)",
        examples=[3000],
    )

    @classmethod
    def of(cls, row: MaxFine) -> MaxFineOut:
        return cls(
            classe=row.classe,
            amount_eur=row.amount_eur,
            recidivism_amount_eur=row.recidivism_amount_eur,
            **_provenance(row),  # type: ignore[arg-type]  # keys match the fields
        )


class ChildSupportRateOut(Provenance):
    scale: str = Field(examples=["justice-2010"])
    children: int = Field(examples=[2])
    custody: Literal["reduite", "classique", "alternee"] = Field(
        description="Amplitude du droit de visite et d'hébergement: réduit, classique, or "
        "résidence alternée"
    )
    rate_percent: Percent = Field(examples=[11.5])

    @classmethod
    def of(cls, row: ChildSupportRate) -> ChildSupportRateOut:
        return cls(
            scale=row.scale,
            children=row.children,
            custody=row.custody,  # type: ignore[arg-type]  # constrained by the table's check
            rate_percent=row.rate_percent,
            **_provenance(row),  # type: ignore[arg-type]  # keys match the fields
        )


class MinimumVitalOut(Provenance):
    amount_eur: Euros = Field(
        description="RSA montant forfaitaire for a single person", examples=[646.52]
    )

    @classmethod
    def of(cls, row: MinimumVital) -> MinimumVitalOut:
        return cls(amount_eur=row.amount_eur, **_provenance(row))  # type: ignore[arg-type]  # keys match the fields


class TariffListOut(BaseModel):
    as_of: date | None = Field(None, description="Null when history=true")
    count: int


class FixedFineListOut(TariffListOut):
    items: list[FixedFineOut]


class MaxFineListOut(TariffListOut):
    items: list[MaxFineOut]


class ChildSupportRateListOut(TariffListOut):
    items: list[ChildSupportRateOut]


class MinimumVitalListOut(TariffListOut):
    items: list[MinimumVitalOut]


class ChildSupportEstimateOut(BaseModel):
    as_of: date
    income_eur: Euros = Field(description="Debtor's monthly income")
    children: int
    custody: Literal["reduite", "classique", "alternee"]
    scale: str
    minimum_vital: MinimumVitalOut
    rate: ChildSupportRateOut
    per_child_eur: Euros = Field(
        description="(income − minimum vital) × rate, rounded to the cent", examples=[129.38]
    )
    total_eur: Euros = Field(description="per_child_eur × children", examples=[258.76])
    formula: str
    warnings: list[str]

    @classmethod
    def of(cls, estimate: ChildSupportEstimate) -> ChildSupportEstimateOut:
        return cls(
            as_of=estimate.on,
            income_eur=estimate.income_eur,
            children=estimate.children,
            custody=estimate.custody,  # type: ignore[arg-type]  # validated by the service
            scale=estimate.scale,
            minimum_vital=MinimumVitalOut.of(estimate.minimum_vital),
            rate=ChildSupportRateOut.of(estimate.rate),
            per_child_eur=estimate.per_child_eur,
            total_eur=estimate.total_eur,
            formula=(
                f"max(0, {estimate.income_eur} − {estimate.minimum_vital.amount_eur}) × "
                f"{estimate.rate.rate_percent} % = {estimate.per_child_eur} € par enfant"
            ),
            warnings=list(estimate.warnings),
        )
