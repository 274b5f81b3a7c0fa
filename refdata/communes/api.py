"""``GET /v1/communes/{code}``: resolve a commune code, current or historical."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BeforeValidator

from refdata.api_support import problem
from refdata.communes import service
from refdata.communes.index import cached_body
from refdata.communes.schemas import (
    CommuneHistoryOut,
    CommuneOut,
    CommuneResolutionOut,
    SuccessionOut,
)
from srj.deps import SessionDep
from srj.problems import ProblemError

router = APIRouter(prefix="/v1/communes", tags=["courts"])

CodePath = Annotated[
    str,
    Path(
        description="INSEE code: 5 digits, or 2A/2B + 3 digits in Corsica",
        pattern=r"^(?:\d{5}|2[ABab]\d{3})$",
        examples=["14114"],
    ),
]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object) -> object:
    """Accept only ``YYYY-MM-DD`` for dates in the query string.

    Pydantic would otherwise read a number as a Unix timestamp (``as_of=0`` → 1970-01-01).
    """
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(iso_date)]
AsOfQuery = Annotated[
    IsoDate | None,
    Query(description="Read the COG as it stood on this date (default: today)"),
]
HistoryQuery = Annotated[
    bool, Query(description="Return every version of the entries with this code instead")
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: problem(
        "Unknown code, or no COG loaded for that date",
        "no commune, commune déléguée, arrondissement or merged commune has the code 99999 "
        "in the COG of 2026-01-01",
        404,
    ),
    422: problem(
        "Malformed code or parameter",
        "The request does not satisfy the API contract: path.code: String should match "
        "pattern '^(?:\\d{5}|2[ABab]\\d{3})$'",
        422,
    ),
}


def as_problem(exc: service.CommuneError) -> ProblemError:
    return ProblemError(exc.status, exc.title, str(exc))


@router.get(
    "/{code}",
    summary="Resolve a commune code (current, déléguée, associée, arrondissement or merged)",
    response_model=CommuneResolutionOut | CommuneHistoryOut,
    responses=_ERRORS,
)
def get_commune(
    session: SessionDep,
    code: CodePath,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> Response | CommuneHistoryOut:
    """The current commune a code designates, and how it was resolved.

    A code that disappeared in a merger keeps resolving to the commune that absorbed it
    (`resolution: merged`); a Paris, Lyon or Marseille arrondissement resolves to its city
    (`arrondissement`); a commune déléguée to its commune nouvelle (`delegue`).
    """
    try:
        if history:
            versions, successions = service.commune_history(session, code)
            return CommuneHistoryOut(
                requested_code=code.upper(),
                versions=[CommuneOut.of(v) for v in versions],
                successions=[SuccessionOut.of(s) for s in successions],
            )
        on = as_of or date.today()

        def body() -> bytes:
            resolved = service.resolve_commune(session, code, on)
            return CommuneResolutionOut.of(resolved).model_dump_json().encode()

        content = cached_body(session, ("commune", code.upper(), on), body)
    except service.CommuneError as exc:
        raise as_problem(exc) from None
    return Response(content=content, media_type="application/json")
