"""Offence reads served from the per-process read cache (``/v1/offences``).

A hit is answered on the event loop without a session; a miss builds the body in the thread
pool with a read session. The cache (:class:`~refdata.releases.read_cache.ReadCache`) lives on
the application and also watches the contravention class maxima the lookups embed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from refdata.natinf.offence_source import class_maxima_token
from refdata.releases.read_cache import ReadCache


def get_read_cache(request: Request) -> ReadCache:
    cache: ReadCache | None = getattr(request.app.state, "refdata_read_cache", None)
    if cache is None:
        cache = ReadCache(extra_token=class_maxima_token)
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
