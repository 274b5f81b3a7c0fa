"""``GET /v1/changes``: the change feed of an application's records (role ``application``).

| endpoint        | application | reviewer | statistician | admin |
|-----------------|-------------|----------|--------------|-------|
| GET /v1/changes | yes         | no       | no           | no    |
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from identity.api_support import IdentityRoute
from identity.changes import (
    HEAD,
    MAX_CHANGES,
    ChangeFeed,
    InvalidChangeCursorError,
    parse_cursor,
)
from identity.deps import CryptoDep, RegistrySettingsDep
from identity.repository.changes import ChangeRepository
from identity.schemas import ChangesOut
from identity.sources import writable_sources
from srj.auth import Principal, Role, require_roles
from srj.deps import run_unit_of_work
from srj.problems import PROBLEM_JSON, ProblemError

router = APIRouter(prefix="/v1", route_class=IdentityRoute)

_problem: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


@router.get(
    "/changes",
    tags=["records"],
    summary="What changed for your application's records: ordered, resumable, paginated",
    response_model=ChangesOut,
    responses={
        400: {"description": "`after` is not a cursor the feed handed out", **_problem},
        401: {"description": "No or invalid bearer token", **_problem},
        403: {
            "description": "The token lacks the application role, or carries no source "
            "application (its sources claim, SRJ_REGISTRY_SOURCES_BY_SUBJECT)",
            **_problem,
        },
        503: {"description": "The database is unavailable", **_problem},
    },
)
async def get_changes(
    request: Request,
    principal: Annotated[Principal, Depends(require_roles(Role.APPLICATION))],
    crypto: CryptoDep,
    config: RegistrySettingsDep,
    after: Annotated[
        str | None,
        Query(
            max_length=40,
            description="The next_cursor of the previous page; `head` for the cursor of "
            "the latest change (no change returned: start from now, after a full "
            "synchronisation); omit it to start from the beginning of the history",
            examples=["812734.1048576"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES, description="Changes per page")] = 100,
) -> ChangesOut:
    """The changes that concern records of the applications your token writes for (its
    sources), oldest first, each whole: why (`cause`: auto, relink, reviewer with its
    `decision_id`, retention), your records concerned by `source`/`source_ref` with their
    person before and after, the identifiers that now redirect (`redirects`), the persons
    created. Other applications' records never show.

    Store `next_cursor` once you have applied a page, and pass it as `after`: the feed
    resumes exactly there (at least once: apply changes idempotently). `has_more` says
    whether to ask again now. A change appears once every transaction older than it has
    finished, so none can appear behind your cursor. Nothing deletes the history: a cursor
    stays valid however long you were away.
    """
    sources = writable_sources(principal, config)
    if not sources:
        raise ProblemError(
            403,
            "No source application",
            "The feed shows the changes of your application's records: this token carries "
            "no source (a sources claim, or its subject in SRJ_REGISTRY_SOURCES_BY_SUBJECT).",
        )
    try:
        position = None if after == HEAD else parse_cursor(after)
    except InvalidChangeCursorError as exc:
        raise ProblemError(400, "Invalid cursor", str(exc)) from None

    def read(session: Session) -> ChangesOut:
        feed = ChangeFeed(ChangeRepository(session), crypto)
        return feed.head(sources) if after == HEAD else feed.page(sources, position, limit)

    return await run_unit_of_work(request, read, write=False)
