"""Web glue shared by the reference-data routers: error mapping, read cache, bulk store.

:class:`RefdataRoute` turns the domain errors of :mod:`refdata.errors` into RFC 9457 problems
(routers use it as ``route_class``), so services raise domain errors and stay free of HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from refdata.errors import ImportRejectedError, InvalidParameterError, RefdataError
from refdata.read_cache import ReadCache
from refdata.storage import BulkStore
from srj.problems import PROBLEM_BASE, ProblemError
from srj.settings import Settings, get_settings


def problem_from(exc: RefdataError) -> ProblemError:
    if isinstance(exc, ImportRejectedError):
        return ProblemError(
            exc.status,
            exc.title,
            str(exc),
            type_=PROBLEM_BASE + "file-rejected",
            encoding=exc.encoding,
            problems=[p.as_dict() for p in exc.problems],
        )
    if isinstance(exc, InvalidParameterError):
        return ProblemError(
            exc.status,
            exc.title,
            str(exc),
            type_=PROBLEM_BASE + "invalid-parameter",
            parameter=exc.parameter,
        )
    return ProblemError(exc.status, exc.title, str(exc))


class RefdataRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RefdataError as exc:
                raise problem_from(exc) from None

        return handle


def get_read_cache(request: Request) -> ReadCache:
    cache: ReadCache | None = getattr(request.app.state, "refdata_read_cache", None)
    if cache is None:
        cache = ReadCache()
        request.app.state.refdata_read_cache = cache
    return cache


def cached_json(request: Request, key: tuple[Any, ...]) -> Response | None:
    """The cached body for ``key`` as a response, when the cache is fresh (no I/O at all)."""
    body = get_read_cache(request).peek(key)
    return Response(body, media_type="application/json") if body is not None else None


def read_through(
    request: Request, key: tuple[Any, ...], make: Callable[[Session, ReadCache], bytes]
) -> Response:
    """Build (or fetch) the body for ``key`` with a read session; run in the threadpool.

    Reads do not go through ``SessionDep``: a cache hit must not pay for a session, and a miss
    only reads, so the session is simply closed (the pool rolls the connection back).
    """
    cache = get_read_cache(request)
    session = request.app.state.session_factory()
    try:
        cache.sync(session)
        body = cache.body(key, lambda: make(session, cache))
    finally:
        session.close()
    return Response(body, media_type="application/json")


async def cached_read(
    request: Request, key: tuple[Any, ...], make: Callable[[Session, ReadCache], bytes]
) -> Response:
    hit = cached_json(request, key)
    if hit is not None:
        return hit
    return await run_in_threadpool(read_through, request, key, make)


def get_bulk_store(settings: Annotated[Settings, Depends(get_settings)]) -> BulkStore:
    return BulkStore(settings.data_dir / "downloads")


BulkStoreDep = Annotated[BulkStore, Depends(get_bulk_store)]

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status"],
}
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "File too large",
    422: "Invalid parameter",
}


def problem(description: str, example_detail: str, status: int) -> dict[str, Any]:
    """An OpenAPI response entry: an ``application/problem+json`` body, with an example."""
    title = TITLES.get(status, "Error")
    example = {
        "type": PROBLEM_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": example_detail,
        "instance": "/v1/...",
    }
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA, "example": example}},
    }
