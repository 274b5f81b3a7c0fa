"""RFC 9457 problem details for every error the API returns.

Errors never echo request input back: bodies of the person registry carry identity traits,
and a validation message that quoted them would leak personal data into logs and proxies.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sqlalchemy_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
# What a 503 for an unreachable database asks clients to wait: long enough for a failover or
# a restart to be noticed, short enough for an application's synchronisation to carry on.
DATABASE_RETRY_AFTER_SECONDS = 5
PROBLEM_BASE = "https://srj.justice.gouv.fr/problems/"


class ProblemError(Exception):
    """Raise from anywhere in a request to answer with a problem+json document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_ or _default_type(status)
        self.headers = headers or {}
        self.extensions = extensions


def _default_type(status: int) -> str:
    try:
        return PROBLEM_BASE + HTTPStatus(status).phrase.lower().replace(" ", "-")
    except ValueError:
        return "about:blank"


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ or _default_type(status),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        # ``input`` and ``ctx`` may hold the submitted value: keep location, type and message.
        errors.append(
            {
                "location": [str(p) for p in err.get("loc", ())],
                "type": err.get("type"),
                "message": err.get("msg"),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            request,
            exc.status,
            exc.title,
            exc.detail,
            type_=exc.type,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        where = "; ".join(f"{'.'.join(e['location'])}: {e['message']}" for e in errors[:5])
        return problem_response(
            request,
            422,
            "Invalid request",
            f"The request does not satisfy the API contract: {where}",
            type_=PROBLEM_BASE + "validation-error",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = (
            HTTPStatus(exc.status_code).phrase
            if exc.status_code in HTTPStatus._value2member_map_
            else "Error"
        )
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            request, exc.status_code, title, detail, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(sqlalchemy_exc.OperationalError)
    @app.exception_handler(sqlalchemy_exc.InterfaceError)
    @app.exception_handler(sqlalchemy_exc.DisconnectionError)
    @app.exception_handler(sqlalchemy_exc.TimeoutError)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The server is down or restarting, the network cut, the pool exhausted, a lock
        # waited for too long: the client should retry later, which a 500 does not say.
        # Handled here (not by the catch-all below, which Starlette re-raises to the server,
        # closing the client's connection). Logged without the driver's message: it names
        # the host, and a failed statement's parameters could carry personal data.
        import logging

        logging.getLogger("srj.errors").warning(
            "database unavailable: %s",
            type(getattr(exc, "orig", None) or exc).__name__,
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        return problem_response(
            request,
            503,
            "Database unavailable",
            "The database cannot be reached at the moment; nothing was changed. "
            f"Retry in {DATABASE_RETRY_AFTER_SECONDS} seconds.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log under the request id; the client gets no internals.
        import logging

        logging.getLogger("srj.errors").exception(
            "unhandled error", extra={"request_id": getattr(request.state, "request_id", None)}
        )
        return problem_response(
            request,
            500,
            "Internal Server Error",
            "An unexpected error occurred; quote the request id when reporting it.",
        )
