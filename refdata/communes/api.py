"""``GET /v1/communes/{code}``: resolve a commune code, current or historical."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

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
AsOfQuery = Annotated[
    date | None, Query(description="Read the COG as it stood on this date (default: today)")
]
HistoryQuery = Annotated[
    bool, Query(description="Return every version of the entries with this code instead")
]

_NOT_FOUND = {404: {"description": "Unknown code, or no COG loaded for that date"}}


def as_problem(exc: service.CommuneError) -> ProblemError:
    return ProblemError(exc.status, exc.title, str(exc))


@router.get(
    "/{code}",
    summary="Resolve a commune code (current, déléguée, associée, arrondissement or merged)",
    response_model=CommuneResolutionOut | CommuneHistoryOut,
    responses=_NOT_FOUND,
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
