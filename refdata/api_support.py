"""Web glue shared by the reference-data routers: error mapping, bulk store, OpenAPI problems.

:class:`RefdataRoute` turns the domain errors of :mod:`refdata.errors` into RFC 9457 problems
(routers use it as ``route_class``), so services raise domain errors and stay free of HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from refdata.errors import ImportRejectedError, InvalidParameterError, RefdataError
from refdata.releases.storage import BulkStore
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
    410: "Gone",
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
