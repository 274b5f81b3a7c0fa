"""``GET /v1/tariffs/...``: fixed fines, maximum fines, the child-support scale and estimate.

Every read takes ``as_of`` (default today); list reads take ``history=true`` for every version.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from refdata.api_support import problem
from refdata.communes.api import IsoDate
from refdata.tariffs import service
from refdata.tariffs.schemas import (
    ChildSupportEstimateOut,
    ChildSupportRateListOut,
    ChildSupportRateOut,
    FixedFineListOut,
    FixedFineOut,
    FixedFineScheduleOut,
    MaxFineListOut,
    MaxFineOut,
    MinimumVitalListOut,
    MinimumVitalOut,
)
from srj.deps import SessionDep
from srj.problems import ProblemError

router = APIRouter(prefix="/v1/tariffs", tags=["tariffs"])

AsOfQuery = Annotated[
    IsoDate | None, Query(description="Amounts in force on this date (default: today)")
]
HistoryQuery = Annotated[bool, Query(description="Every version, ignoring as_of")]
ClasseQuery = Annotated[int | None, Query(ge=1, le=5, description="Contravention class 1-5")]
ClassePath = Annotated[int, Path(ge=1, le=5, description="Contravention class 1-5", examples=[4])]
Custody = Literal["reduite", "classique", "alternee"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: problem(
        "Nothing recorded for that date",
        "no amende forfaitaire is recorded for class 5 (general) on 2020-03-28",
        404,
    ),
    422: problem("Invalid parameter", "the justice-2010 scale covers 1 to 6 children (got 7)", 422),
}


def _problem(exc: service.TariffLookupError) -> ProblemError:
    extensions: dict[str, Any] = {"parameter": exc.parameter} if exc.parameter else {}
    return ProblemError(exc.status, exc.title, str(exc), **extensions)


@router.get("", summary="The tariffs this service publishes")
def index() -> dict[str, Any]:
    return {
        "tariffs": [
            {
                "path": "/v1/tariffs/fixed-fines",
                "description": "Amendes forfaitaires minorées, forfaitaires et majorées "
                "(art. R49, R49-7, R49-9 du code de procédure pénale)",
            },
            {
                "path": "/v1/tariffs/max-fines",
                "description": "Maximum des amendes contraventionnelles par classe "
                "(art. 131-13 du code pénal)",
            },
            {
                "path": "/v1/tariffs/child-support/rates",
                "description": "Table de référence des pensions alimentaires (barème indicatif)",
            },
            {
                "path": "/v1/tariffs/child-support/minimum-vital",
                "description": "Minimum vital déduit du revenu (RSA pour une personne seule)",
            },
            {
                "path": "/v1/tariffs/child-support/estimate",
                "description": "Estimation d'une contribution à l'entretien des enfants",
            },
        ]
    }


@router.get(
    "/fixed-fines",
    summary="Amendes forfaitaires by class, category and kind",
    response_model=FixedFineListOut,
    responses=_ERRORS,
)
def list_fixed_fines(
    session: SessionDep,
    classe: ClasseQuery = None,
    category: Annotated[str | None, Query(max_length=32, examples=["general"])] = None,
    kind: Annotated[Literal["minoree", "forfaitaire", "majoree"] | None, Query()] = None,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> FixedFineListOut:
    on = as_of or date.today()
    try:
        rows = service.list_fixed_fines(
            session, on=None if history else on, classe=classe, category=category, kind=kind
        )
    except service.TariffLookupError as exc:
        raise _problem(exc) from None
    return FixedFineListOut(
        as_of=None if history else on,
        count=len(rows),
        items=[FixedFineOut.of(r) for r in rows],
    )


@router.get(
    "/fixed-fines/{classe}",
    summary="The minorée / forfaitaire / majorée amounts of one class on a date",
    response_model=FixedFineScheduleOut,
    responses=_ERRORS,
)
def get_fixed_fines(
    session: SessionDep,
    classe: ClassePath,
    category: Annotated[str, Query(max_length=32)] = "general",
    as_of: AsOfQuery = None,
) -> FixedFineScheduleOut:
    on = as_of or date.today()
    try:
        schedule = service.fixed_fines_for_class(session, classe, on, category=category)
    except service.TariffLookupError as exc:
        raise _problem(exc) from None
    if schedule is None:
        raise ProblemError(
            404,
            "No tariff recorded",
            f"no amende forfaitaire is recorded for class {classe} ({category}) on "
            f"{on.isoformat()}",
        )
    return FixedFineScheduleOut.of(schedule, on)


@router.get(
    "/max-fines",
    summary="Maximum contravention fines per class (art. 131-13 Code pénal)",
    response_model=MaxFineListOut,
    responses=_ERRORS,
)
def list_max_fines(
    session: SessionDep,
    classe: ClasseQuery = None,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> MaxFineListOut:
    on = as_of or date.today()
    rows = service.list_max_fines(session, on=None if history else on, classe=classe)
    return MaxFineListOut(
        as_of=None if history else on, count=len(rows), items=[MaxFineOut.of(r) for r in rows]
    )


@router.get(
    "/max-fines/{classe}",
    summary="The maximum fine of one class on a date",
    response_model=MaxFineOut,
    responses=_ERRORS,
)
def get_max_fine(session: SessionDep, classe: ClassePath, as_of: AsOfQuery = None) -> MaxFineOut:
    on = as_of or date.today()
    rows = service.list_max_fines(session, on=on, classe=classe)
    if not rows:
        raise ProblemError(
            404,
            "No tariff recorded",
            f"no maximum fine is recorded for class {classe} on {on.isoformat()}",
        )
    return MaxFineOut.of(rows[0])


@router.get(
    "/child-support/rates",
    summary="The child-support reference table (rate by children and custody)",
    response_model=ChildSupportRateListOut,
    responses=_ERRORS,
)
def list_child_support_rates(
    session: SessionDep,
    scale: Annotated[str | None, Query(max_length=32, examples=["justice-2010"])] = None,
    children: Annotated[int | None, Query(ge=1, le=20)] = None,
    custody: Annotated[Custody | None, Query()] = None,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> ChildSupportRateListOut:
    on = as_of or date.today()
    rows = service.list_child_support_rates(
        session, on=None if history else on, scale=scale, children=children, custody=custody
    )
    return ChildSupportRateListOut(
        as_of=None if history else on,
        count=len(rows),
        items=[ChildSupportRateOut.of(r) for r in rows],
    )


@router.get(
    "/child-support/minimum-vital",
    summary="The minimum vital deducted from the debtor's income (RSA, single person)",
    response_model=MinimumVitalListOut,
    responses=_ERRORS,
)
def list_minimum_vital(
    session: SessionDep, as_of: AsOfQuery = None, history: HistoryQuery = False
) -> MinimumVitalListOut:
    on = as_of or date.today()
    rows = service.list_minimum_vital(session, on=None if history else on)
    return MinimumVitalListOut(
        as_of=None if history else on,
        count=len(rows),
        items=[MinimumVitalOut.of(r) for r in rows],
    )


@router.get(
    "/child-support/estimate",
    summary="Estimate a child-support contribution from the reference table",
    response_model=ChildSupportEstimateOut,
    responses=_ERRORS,
)
def estimate_child_support(
    session: SessionDep,
    income: Annotated[
        Decimal,
        Query(
            ge=0,
            le=1_000_000,
            max_digits=12,
            decimal_places=2,
            description="Debtor's monthly income in euros",
            examples=["1600"],
        ),
    ],
    children: Annotated[int, Query(ge=1, le=20, description="Number of children", examples=[2])],
    custody: Annotated[
        Custody,
        Query(
            description="Visiting and accommodation arrangement: reduite, classique or "
            "alternee (shared residence)",
            examples=["classique"],
        ),
    ],
    as_of: AsOfQuery = None,
    scale: Annotated[str, Query(max_length=32)] = service.DEFAULT_CHILD_SUPPORT_SCALE,
) -> ChildSupportEstimateOut:
    """Contribution per child = (monthly income − minimum vital) × rate(children, custody).

    The table is indicative: the family judge is not bound by it. The response flags rates
    that no retrieved source confirms.
    """
    on = as_of or date.today()
    try:
        estimate = service.estimate_child_support(
            session, income_eur=income, children=children, custody=custody, on=on, scale=scale
        )
    except service.TariffLookupError as exc:
        raise _problem(exc) from None
    return ChildSupportEstimateOut.of(estimate)
