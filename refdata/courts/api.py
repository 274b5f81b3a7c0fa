"""``GET /v1/courts`` and ``GET /v1/courts/{id}``: courts, hierarchy and ressort."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from refdata.api_support import problem
from refdata.communes.api import IsoDate
from refdata.communes.index import cached_body
from refdata.courts import service
from refdata.courts.schemas import (
    CourtDetailOut,
    CourtHistoryOut,
    CourtListOut,
    CourtOut,
    CourtsForCommuneOut,
    RessortOut,
)
from srj.deps import SessionDep
from srj.problems import ProblemError

router = APIRouter(prefix="/v1/courts", tags=["courts"])

AsOfQuery = Annotated[
    IsoDate | None, Query(description="Answer as things stood on this date (default: today)")
]
HistoryQuery = Annotated[bool, Query(description="Return every version instead")]
TypeQuery = Annotated[
    list[str] | None,
    Query(
        alias="type",
        description="Court type(s), repeatable: cour_appel, tribunal_judiciaire, "
        "tribunal_premiere_instance, tribunal_superieur_appel, chambre_detachee, "
        "section_detachee, tribunal_grande_instance",
        examples=["tribunal_judiciaire"],
    ),
]
CommuneQuery = Annotated[
    str | None,
    Query(
        description="INSEE code of a commune — current, déléguée, associée, arrondissement "
        "municipal or merged (resolved through the COG history)",
        pattern=r"^(?:\d{5}|2[ABab]\d{3})$",
        examples=["75108"],
    ),
]
DepartementQuery = Annotated[
    str | None,
    Query(
        description="Département code (01..95, 2A, 2B, 971..988)",
        pattern=r"^(?:\d{2}|2[ABab]|97\d|98\d)$",
        examples=["13"],
    ),
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: problem(
        "Unknown commune, département or court",
        "no commune, commune déléguée, arrondissement or merged commune has the code 99999 "
        "in the COG of 2026-01-01",
        404,
    ),
    422: problem(
        "Malformed or contradictory parameters",
        "give either code_commune or departement, not both",
        422,
    ),
}


def _problem(exc: service.CourtLookupError) -> ProblemError:
    extensions: dict[str, Any] = {"parameter": exc.parameter} if exc.parameter else {}
    return ProblemError(exc.status, exc.title, str(exc), **extensions)


@router.get(
    "",
    summary="List courts, or find the courts competent for a commune",
    response_model=CourtsForCommuneOut | CourtListOut,
    responses=_ERRORS,
)
def list_courts(
    session: SessionDep,
    type_: TypeQuery = None,
    code_commune: CommuneQuery = None,
    departement: DepartementQuery = None,
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> Response | CourtListOut:
    """With `code_commune`: the tribunal judiciaire (or tribunal de première instance) and
    the cour d'appel competent for the commune.

    Where only département-level facts are held and the département has several tribunaux
    judiciaires, every candidate is returned and `ambiguous` is true. Merged, delegated and
    arrondissement codes resolve through the COG history first.

    Without it: the courts (filtered by `type` and `departement`) as of `as_of`, or all
    their versions with `history=true`.
    """
    on = as_of or date.today()
    try:
        if code_commune is not None:
            if departement is not None:
                raise service.CourtLookupError(
                    "give either code_commune or departement, not both", parameter="departement"
                )
            if history:
                raise service.CourtLookupError(
                    "history is not available with code_commune; use as_of",
                    parameter="history",
                )
            types = tuple(sorted(set(type_))) if type_ else ()

            def body() -> bytes:
                result = service.courts_for_commune(session, code_commune, on, types=list(types))
                return CourtsForCommuneOut.of(result).model_dump_json().encode()

            # The hot path: answers only change when a dataset is loaded, so keep the body.
            content = cached_body(session, ("courts", code_commune.upper(), on, types), body)
            return Response(content=content, media_type="application/json")
        courts = service.list_courts(
            session, on=on, types=type_, departement=departement, history=history
        )
    except service.CourtLookupError as exc:
        raise _problem(exc) from None
    return CourtListOut(
        as_of=None if history else on,
        count=len(courts),
        courts=[CourtOut.of(c) for c in courts],
    )


@router.get(
    "/{court_id}",
    summary="One court: its version on a date, parent, attached courts and ressort",
    response_model=CourtDetailOut | CourtHistoryOut,
    responses=_ERRORS,
)
def get_court(
    session: SessionDep,
    court_id: Annotated[
        str,
        Path(description="Court identifier", pattern=r"^[a-z0-9-]{1,64}$", examples=["tj-agen"]),
    ],
    as_of: AsOfQuery = None,
    history: HistoryQuery = False,
) -> CourtDetailOut | CourtHistoryOut:
    on = as_of or date.today()
    try:
        if history:
            versions, ressorts = service.court_history(session, court_id)
            return CourtHistoryOut(
                id=court_id,
                versions=[CourtOut.of(v) for v in versions],
                ressort=[RessortOut.of(r) for r in ressorts],
            )
        return CourtDetailOut.of(service.court_detail(session, court_id, on), on)
    except service.CourtLookupError as exc:
        raise _problem(exc) from None
