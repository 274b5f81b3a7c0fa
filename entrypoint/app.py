"""The FastAPI application: routers of every domain, problem+json errors, request ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy import text
from sqlalchemy.engine import Engine

from srj import __version__
from srj.db import make_engine, make_session_factory
from srj.logging_setup import RequestIdMiddleware
from srj.problems import PROBLEM_JSON, ProblemError, install_problem_handlers
from srj.request_guards import RejectNulMiddleware
from srj.schema import check_up_to_date
from srj.settings import Settings, get_settings

DESCRIPTION = """
**Système de référence justice** — the justice reference data (NATINF offence natures and
their penalties, courts and their ressort, tariffs), versioned and public; and the
**pseudonymised person registry** that links the case records of one person across the
justice applications (bearer token with a role required).

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) `application/problem+json`
documents. Every response carries an `X-Request-Id` header; quote it when reporting a problem.
"""

TAGS = [
    {"name": "health", "description": "Liveness and readiness probes."},
    {"name": "offences", "description": "NATINF offence natures, versioned by date."},
    {
        "name": "releases",
        "description": "Immutable publications of the reference data and their diffs.",
    },
    {
        "name": "downloads",
        "description": "Bulk files per release (CSV in the official layout, JSON, Parquet).",
    },
    {
        "name": "courts",
        "description": "Courts, their hierarchy and territorial jurisdiction (ressort).",
    },
    {"name": "tariffs", "description": "Fixed fines, maximum fines, child-support scale."},
    {"name": "sentence-checks", "description": "Is a sentence legal for an offence at a date?"},
    {"name": "records", "description": "Resolve a source record to a person (role `application`)."},
    {"name": "persons", "description": "Persons of the registry and their records."},
    {
        "name": "reviews",
        "description": "Match suggestions reviewed by parquet staff (role `reviewer`).",
    },
]


def _include_domain_routers(app: FastAPI) -> None:
    from identity.api import router as identity_router
    from refdata.api import router as refdata_router

    app.include_router(refdata_router)
    app.include_router(identity_router)
    from identity.changes_api import router as changes_router
    from identity.records_api import router as records_router

    app.include_router(records_router)
    app.include_router(changes_router)
    from identity.review.api import router as review_router

    app.include_router(review_router)
    try:
        from identity.web import router as web_router
    except ImportError:  # the review pages ship with the review workflow
        return
    app.include_router(web_router)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    check_schema: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.effective_database_url)
    if check_schema:
        # Refuse to serve on an outdated schema rather than fail on the first query.
        check_up_to_date(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="SRJ — Système de référence justice",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.write_session_factory = make_session_factory(engine, write=True)

    install_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Last-Modified", "X-Request-Id", "X-Content-SHA256"],
    )
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/health", tags=["health"], summary="Liveness: the process answers")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get(
        "/ready",
        tags=["health"],
        summary="Readiness: the database answers and its schema is current",
        responses={503: {"description": "Database unreachable or schema outdated"}},
    )
    def ready() -> dict[str, Any]:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            check_up_to_date(engine)
        except Exception as exc:
            raise ProblemError(
                503, "Not ready", f"The database is not ready: {type(exc).__name__}."
            ) from None
        return {"status": "ready", "database": engine.dialect.name}

    _include_domain_routers(app)
    _document_problems(app)
    return app


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "array", "items": {"type": "string"}},
                    "type": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def _document_problems(app: FastAPI) -> None:
    """Describe validation errors as what the app really sends: problem+json, not FastAPI's
    default ``application/json`` HTTPValidationError."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in spec.get("paths", {}).values():
            for operation in path_item.values():
                response = operation.get("responses", {}).get("422")
                if not response:
                    continue
                content = response.setdefault("content", {})
                default = content.pop("application/json", None)
                if default is not None or PROBLEM_JSON not in content:
                    content.setdefault(PROBLEM_JSON, {"schema": ref})
        schemas = spec["components"]["schemas"]
        still_used = "HTTPValidationError" in str(spec["paths"])
        if not still_used:
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override hook
