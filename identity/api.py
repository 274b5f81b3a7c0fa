"""HTTP routes of the person registry (``/v1/records``, ``/v1/persons``).

Authorisation (no role implies another; the matrix is tested endpoint by endpoint):

| endpoint                               | application | reviewer | statistician | admin |
|----------------------------------------|-------------|----------|--------------|-------|
| POST /v1/records                       | yes         | no       | no           | no    |
| GET  /v1/records/{source}/{source_ref} | yes         | yes      | no           | no    |
| GET  /v1/persons/{id}                  | yes         | yes      | no           | no    |
| GET  /v1/persons/{id}/sources          | yes         | yes      | no           | no    |
| GET  /v1/persons/{id}/export           | no          | no       | no           | yes   |
| POST /v1/records:batch, :match         | see identity/records_api.py                      |

An application token writes only the sources it carries (``identity.sources``: 403 otherwise).
Statisticians work on pseudonymised extracts, never on the registry's traits; the RGPD export
is run by the data-protection staff (admin) on a data subject's request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from identity.answers import resolve_out
from identity.api_support import IdentityRoute
from identity.audit import AccessContext
from identity.deps import CryptoDep, MatcherDep, RegistrySettingsDep, access_context
from identity.repository import RegistryRepository
from identity.resolve import Resolution, Resolver
from identity.schemas import (
    SOURCE_PATTERN,
    PersonExportOut,
    PersonOut,
    PersonSourcesOut,
    RecordIn,
    RecordLookupOut,
    RedirectOut,
    ResolveOut,
)
from identity.service import PersonMergedError, RegistryReader
from identity.sources import check_known, check_writable
from srj.auth import Principal, Role, require_roles
from srj.deps import WriteSessionDep, run_unit_of_work
from srj.problems import PROBLEM_JSON

_WARM_UP_RECORD = {
    "nom_naissance": "MARTIN",
    "prenoms": "JEAN",
    "date_naissance": "1980-01-01",
    "commune_naissance": "PARIS",
    "code_commune_naissance": "75056",
    "pays_naissance": "FRANCE",
    "code_pays_naissance": "99100",
}


@asynccontextmanager
async def _warm_model(app: FastAPI) -> AsyncIterator[None]:
    """Load the linkage model when the service starts, not on the first resolve (seconds)."""
    from identity.config import get_registry_settings
    from identity.linkage import MatcherUnavailableError, load_matcher_cached

    settings = getattr(app.state, "settings", None)
    if settings is not None:
        config = get_registry_settings()
        try:
            matcher = load_matcher_cached(config.resolved_model_path(settings), config)
            # Standardising loads the commune and country tables on first use (~1 s): here,
            # not in the first resolve of each worker.
            matcher.standardise(_WARM_UP_RECORD)
        except MatcherUnavailableError as exc:
            # The service still serves everything else; resolves answer 503 saying why.
            logging.getLogger("srj.identity").warning("linkage model not loaded: %s", exc)
    yield


router = APIRouter(prefix="/v1", lifespan=_warm_model, route_class=IdentityRoute)

READERS = (Role.APPLICATION, Role.REVIEWER)
PERSON_ID = Path(
    description="Person identifier (14 symbols, the last one a check symbol)",
    examples=["3ZGPYX7KRA0928"],
    max_length=32,
)

_problem: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or invalid bearer token", **_problem},
    403: {"description": "The token lacks the required role", **_problem},
}
PERSON_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    308: {
        "description": "The identifier was merged into another person: follow `Location`",
        "model": RedirectOut,
    },
    404: {"description": "Unknown person identifier", **_problem},
    410: {"description": "The person's records were deleted (retention)", **_problem},
    422: {"description": "Malformed identifier (wrong length or check symbol)", **_problem},
}


@router.post(
    "/records",
    tags=["records"],
    summary="Resolve a source record to a person",
    response_model=ResolveOut,
    responses={
        **AUTH_RESPONSES,
        403: {
            "description": "The token lacks the application role, or may not write this "
            "record's source (its sources claim, SRJ_REGISTRY_SOURCES_BY_SUBJECT)",
            **_problem,
        },
        422: {
            "description": "The record breaks the canonical format or the registry's rules "
            "(unknown source, implausible date, control character...)",
            **_problem,
        },
        503: {"description": "No linkage model is configured", **_problem},
    },
)
async def post_record(
    body: RecordIn,
    request: Request,
    principal: Annotated[Principal, Depends(require_roles(Role.APPLICATION))],
    matcher: MatcherDep,
    crypto: CryptoDep,
    config: RegistrySettingsDep,
) -> ResolveOut:
    """Standardise the record, find candidates through the blocking keys, score them with the
    trained model, then link it to a known person (`linked`), or create a person and send the
    close candidates to reviewers (`pending_review`), or create a person (`new`).

    The token must carry the record's `source` (403 otherwise). Posting the same `source` +
    `source_ref` again answers `unchanged` (identical: nothing is
    written) or `updated` (the traits changed and the record was resolved again); it never
    creates a second record. A record a reviewer linked by hand never moves.
    """
    check_known(body.source, config)
    check_writable(body.source, principal, config)

    def resolve(session: Session) -> Resolution:
        repository = RegistryRepository(session)
        return Resolver(repository, matcher, crypto, config, actor=principal.subject).resolve(body)

    # The whole unit of work (session, resolve, commit) in one hop to the thread pool.
    result = await run_unit_of_work(request, resolve)
    return resolve_out(result)


def _reader(session: WriteSessionDep, crypto: CryptoDep) -> RegistryReader:
    return RegistryReader(RegistryRepository(session), crypto)


ReaderDep = Annotated[RegistryReader, Depends(_reader)]


def _redirect(exc: PersonMergedError, request: Request, suffix: str) -> JSONResponse:
    location = f"/v1/persons/{exc.survivor}{suffix}"
    body = RedirectOut(person_id=exc.person_id, merged_into=exc.survivor, location=location)
    return JSONResponse(body.model_dump(), status_code=308, headers={"Location": location})


@router.get(
    "/records/{source}/{source_ref:path}",
    tags=["records"],
    summary="The person a source record belongs to, and how it was linked",
    response_model=RecordLookupOut,
    responses={**AUTH_RESPONSES, 404: {"description": "Unknown record", **_problem}},
)
def get_record(
    reader: ReaderDep,
    ctx: Annotated[
        AccessContext,
        Depends(access_context("GET /v1/records/{source}/{source_ref}", *READERS)),
    ],
    source: Annotated[str, Path(pattern=SOURCE_PATTERN, examples=["CASSIOPEE"])],
    source_ref: Annotated[str, Path(max_length=128, examples=["2024/000123"])],
) -> RecordLookupOut:
    return reader.lookup_record(source, source_ref, ctx)


@router.get(
    "/persons/{person_id}",
    tags=["persons"],
    summary="A person: records by source, best current civil status, history",
    response_model=PersonOut,
    responses=PERSON_RESPONSES,
)
def get_person(
    request: Request,
    reader: ReaderDep,
    ctx: Annotated[AccessContext, Depends(access_context("GET /v1/persons/{person_id}", *READERS))],
    person_id: Annotated[str, PERSON_ID],
) -> Any:
    """Reading a person's civil status is written to the access log (who, when, why: send the
    purpose in an `X-Purpose` header). A merged-away identifier answers 308 with the survivor."""
    try:
        return reader.person(person_id, ctx)
    except PersonMergedError as exc:
        return _redirect(exc, request, "")


@router.get(
    "/persons/{person_id}/sources",
    tags=["persons"],
    summary="Which applications hold records of this person",
    response_model=PersonSourcesOut,
    responses=PERSON_RESPONSES,
)
def get_person_sources(
    request: Request,
    reader: ReaderDep,
    ctx: Annotated[
        AccessContext, Depends(access_context("GET /v1/persons/{person_id}/sources", *READERS))
    ],
    person_id: Annotated[str, PERSON_ID],
    exclude: Annotated[
        str | None,
        Query(pattern=SOURCE_PATTERN, description="Leave out this source (usually the caller's)"),
    ] = None,
) -> Any:
    try:
        return reader.sources(person_id, ctx, exclude)
    except PersonMergedError as exc:
        return _redirect(exc, request, "/sources")


@router.get(
    "/persons/{person_id}/export",
    tags=["persons"],
    summary="Everything held about a person (RGPD right of access)",
    response_model=PersonExportOut,
    responses=PERSON_RESPONSES,
)
def export_person(
    request: Request,
    reader: ReaderDep,
    ctx: Annotated[
        AccessContext,
        Depends(access_context("GET /v1/persons/{person_id}/export", Role.ADMIN)),
    ],
    person_id: Annotated[str, PERSON_ID],
) -> Any:
    """Records with their traits as received and standardised, links and their origin, the
    history (merged identifiers included), decisions, suggestions and the access log."""
    try:
        return reader.export(person_id, ctx)
    except PersonMergedError as exc:
        return _redirect(exc, request, "/export")
