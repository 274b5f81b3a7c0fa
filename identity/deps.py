"""Typed FastAPI dependencies of the registry: keys, the linkage model, the access context."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from identity.audit import MAX_PURPOSE, AccessContext
from identity.config import RegistrySettings, get_registry_settings
from identity.crypto import KeyConfigError, RegistryCrypto
from identity.matcher import Matcher
from srj.auth import Principal, Role, require_roles
from srj.problems import ProblemError
from srj.settings import Settings, get_settings

RegistrySettingsDep = Annotated[RegistrySettings, Depends(get_registry_settings)]


@lru_cache(maxsize=4)
def _crypto(pseudonym_keys: str, encryption_keys: str) -> RegistryCrypto:
    return RegistryCrypto.from_specs(pseudonym_keys, encryption_keys)


def crypto_for(settings: Settings) -> RegistryCrypto:
    return _crypto(settings.secret("pseudonym_keys"), settings.secret("encryption_keys"))


# The resolve endpoint's dependencies are coroutines: they do no I/O once the service is up,
# and a plain function would cost a hop to the thread pool each (under concurrent requests a
# hop waits for the GIL, up to the 5 ms switch interval).
async def get_crypto(settings: Annotated[Settings, Depends(get_settings)]) -> RegistryCrypto:
    try:
        return crypto_for(settings)
    except KeyConfigError as exc:
        raise ProblemError(503, "Registry keys misconfigured", str(exc)) from None


_matcher_lock = threading.Lock()


def matcher_for(settings: Settings, config: RegistrySettings) -> Matcher:
    """The linkage model, loaded once per process and reloaded when its file changes."""
    from identity.linkage import MatcherUnavailableError, load_matcher_cached

    with _matcher_lock:
        try:
            return load_matcher_cached(config.resolved_model_path(settings), config)
        except MatcherUnavailableError as exc:
            raise ProblemError(503, "Linkage model unavailable", str(exc)) from None


_in_service: dict[tuple[Path, int, float | None, float | None], Matcher] = {}


async def get_matcher(
    settings: Annotated[Settings, Depends(get_settings)],
    config: RegistrySettingsDep,
) -> Matcher:
    """:func:`matcher_for`; the model in service is found on the event loop (a ``stat`` of
    its file), loading one (seconds, normally when the service starts) goes to the thread
    pool."""
    path = config.resolved_model_path(settings)
    try:
        key = (path, path.stat().st_mtime_ns, config.auto_link_threshold, config.review_threshold)
    except OSError:
        return await run_in_threadpool(matcher_for, settings, config)  # says what is missing
    matcher = _in_service.get(key)
    if matcher is None:
        matcher = await run_in_threadpool(matcher_for, settings, config)
        _in_service.clear()  # one model in service: a retrained file replaces the old one
        _in_service[key] = matcher
    return matcher


CryptoDep = Annotated[RegistryCrypto, Depends(get_crypto)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]


def access_context(endpoint: str, *roles: Role) -> Callable[..., AccessContext]:
    """Dependency factory: the caller must hold one of ``roles``; who reads, why, and through
    which endpoint (the route template, never the raw URL) for the access log."""

    role_dependency = require_roles(*roles)

    # ``principal`` takes its dependency as a default value: with postponed annotations, an
    # ``Annotated[...]`` naming the closure's ``role_dependency`` could not be resolved.
    def dependency(
        request: Request,
        principal: Principal = Depends(role_dependency),
        config: RegistrySettings = Depends(get_registry_settings),
        x_purpose: Annotated[
            str | None,
            Header(
                max_length=MAX_PURPOSE,
                description="Why the data is read (recorded in the access log)",
            ),
        ] = None,
        purpose: Annotated[
            str | None,
            Query(max_length=MAX_PURPOSE, description="Same as the X-Purpose header"),
        ] = None,
    ) -> AccessContext:
        why = (x_purpose or purpose or "").strip() or None
        if why is None and config.require_purpose:
            raise ProblemError(
                400,
                "Purpose required",
                "Reads of identity data must state their purpose: "
                "send an X-Purpose header (or a purpose parameter).",
            )
        return AccessContext(
            principal=principal,
            endpoint=endpoint,
            purpose=why,
            request_id=getattr(request.state, "request_id", None),
        )

    return dependency
