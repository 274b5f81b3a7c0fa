"""Bearer tokens and roles.

Locally, ``srj auth token`` signs HS256 tokens with the configured secret. In production the
ministry's identity provider signs them and we verify against its JWKS (``SRJ_OIDC_JWKS_URL``);
roles come from the claim named by ``SRJ_OIDC_ROLE_CLAIM``. An application token may also
carry the source applications it writes (claim ``SRJ_AUTH_SOURCES_CLAIM``, default
``sources``; the registry decides what they allow).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from srj.problems import ProblemError
from srj.settings import Settings, get_settings


class Role(StrEnum):
    APPLICATION = "application"
    REVIEWER = "reviewer"
    STATISTICIAN = "statistician"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    token_id: str | None = None
    # Source applications named by the token's sources claim (upper case; empty without one).
    sources: frozenset[str] = frozenset()

    def has_any(self, roles: set[Role] | frozenset[Role]) -> bool:
        return bool(self.roles & roles)


class InvalidTokenError(Exception):
    pass


class TokenRefusedError(InvalidTokenError):
    """A well-signed token the service cannot accept; the message says why (no claim value)."""


# The subject is written as the actor of history events, decisions and access-log entries
# (128-character columns): a longer one, or one with control characters, is refused at the
# door (401 saying why) instead of failing as a database error in the middle of a write.
MAX_SUBJECT_LENGTH = 128


def subject_problem(subject: str) -> str | None:
    """Why ``subject`` cannot identify a caller, or None."""
    if not subject:
        return "The token's subject is empty."
    if len(subject) > MAX_SUBJECT_LENGTH:
        return f"The token's subject is longer than {MAX_SUBJECT_LENGTH} characters."
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF for c in subject):
        return "The token's subject contains control characters."
    return None


def _claim_names(raw: Any) -> frozenset[str]:
    """A list claim, or a space-separated string (as OAuth scopes are), upper-cased."""
    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list | tuple):
        return frozenset()
    return frozenset(str(v).strip().upper() for v in raw if str(v).strip())


ROLES_CLAIM_PROBLEM = (
    "The token's roles claim must be a list of role names among "
    + ", ".join(r.value for r in Role)
    + "."
)


def parse_roles(raw: Any) -> frozenset[Role]:
    """The roles a token grants: a list of known role names, nothing else.

    Anything else — a number, nested lists, nulls, an unknown name, an object such as
    ``{"reviewer": true}`` (whose keys would otherwise read as roles) — is refused (401), never
    half-read: a token the identity provider did not mean is not a token we guess at.
    """
    if not isinstance(raw, list) or not all(
        isinstance(r, str) and r in Role._value2member_map_ for r in raw
    ):
        raise TokenRefusedError(ROLES_CLAIM_PROBLEM)
    return frozenset(Role(r) for r in raw)


def local_key_id(settings: Settings) -> str:
    """A short public name of the local signing key (``kid`` of ``srj auth token``'s tokens):
    derived one-way from the secret, so that a token signed with another local key can be told
    apart from a forged or damaged one."""
    secret = settings.secret("auth_secret").encode()
    return hmac.new(secret, b"srj-local-key-id", hashlib.sha256).hexdigest()[:12]


def _other_key_message(settings: Settings, token: str) -> str:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        kid = None
    ours = local_key_id(settings)
    if isinstance(kid, str) and kid != ours:
        return (
            f"The token was signed with another local key (key {kid[:12]}; this service's is "
            f"{ours}): it was issued with another data directory or SRJ_AUTH_SECRET. Issue it "
            "again with the service's settings (SRJ_DATA_DIR, default: the repository's var/)."
        )
    return "The token's signature does not match this service's key."


def issue_token(
    settings: Settings,
    *,
    subject: str,
    roles: list[Role],
    ttl_seconds: int = 8 * 3600,
    sources: Sequence[str] = (),
) -> str:
    problem = subject_problem(subject)
    if problem:
        raise ValueError(problem)
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [r.value for r in roles],
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if sources:
        claims[settings.auth_sources_claim] = sorted(_claim_names(list(sources)))
    return jwt.encode(
        claims,
        settings.secret("auth_secret"),
        algorithm="HS256",
        headers={"kid": local_key_id(settings)},
    )


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def verify_token(settings: Settings, token: str) -> Principal:
    try:
        claims: dict[str, Any]
        if settings.oidc_jwks_url:
            key = _jwks_client(settings.oidc_jwks_url).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256", "ES256", "PS256"],
                audience=settings.auth_audience,
                issuer=settings.oidc_issuer or None,
                options={"require": ["exp", "sub"]},
            )
            raw_roles = claims.get(settings.oidc_role_claim, [])  # absent: no role
        else:
            claims = jwt.decode(
                token,
                settings.secret("auth_secret"),
                algorithms=["HS256"],
                audience=settings.auth_audience,
                issuer=settings.auth_issuer,
                options={"require": ["exp", "sub"]},
            )
            raw_roles = claims.get("roles", [])
    except jwt.InvalidSignatureError as exc:
        if not settings.oidc_jwks_url:
            raise TokenRefusedError(_other_key_message(settings, token)) from exc
        raise InvalidTokenError(str(exc)) from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    roles = parse_roles(raw_roles)
    subject = str(claims["sub"])
    problem = subject_problem(subject)
    if problem:
        raise TokenRefusedError(problem)
    return Principal(
        subject=subject,
        roles=roles,
        token_id=claims.get("jti"),
        sources=_claim_names(claims.get(settings.auth_sources_claim)),
    )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value:
            return value.strip()
    return None


# Tokens already verified: an application sends the same token for hours, and verifying it
# cost ~0.2 ms per request (signature, claims, the secret's file outside production). An
# entry is used for VERIFIED_TTL_SECONDS at most and never past the token's own expiry; the
# key holds every setting verification depends on, so another configuration verifies afresh.
VERIFIED_TTL_SECONDS = 60.0
_VERIFIED_MAX = 1024
_verified: dict[tuple[str, ...], tuple[Principal, float]] = {}


def _verified_key(settings: Settings, token: str) -> tuple[str, ...]:
    return (
        token,
        settings.env,
        str(settings.data_dir),  # where a generated (development) secret lives
        settings.auth_secret,
        settings.auth_issuer,
        settings.auth_audience,
        settings.oidc_jwks_url,
        settings.oidc_issuer,
        settings.oidc_role_claim,
        settings.auth_sources_claim,
    )


def _cached_principal(settings: Settings, token: str) -> Principal | None:
    entry = _verified.get(_verified_key(settings, token))
    if entry is None or entry[1] <= time.time():
        return None
    return entry[0]


def _remember(settings: Settings, token: str, principal: Principal) -> None:
    try:
        expires = float(jwt.decode(token, options={"verify_signature": False})["exp"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return
    if len(_verified) >= _VERIFIED_MAX:
        now = time.time()
        for key in [k for k, (_, until) in _verified.items() if until <= now]:
            del _verified[key]
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
    until = min(expires, time.time() + VERIFIED_TTL_SECONDS)
    _verified[_verified_key(settings, token)] = (principal, until)


def principal_from_request(request: Request, settings: Settings) -> Principal | None:
    """The caller's principal from ``Authorization: Bearer``, or None when absent.

    Raises a 401 problem when a token is present but invalid.
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = _bearer(request)
    if token is None:
        return None
    principal = _cached_principal(settings, token)
    if principal is None:
        try:
            principal = verify_token(settings, token)
        except InvalidTokenError as exc:
            detail = (
                str(exc)
                if isinstance(exc, TokenRefusedError)
                else "The bearer token is invalid or expired."
            )
            raise ProblemError(
                401,
                "Invalid token",
                detail,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None
        _remember(settings, token, principal)
    request.state.principal = principal
    return principal


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold one of ``roles`` (no role implies another).

    A coroutine, so that it costs no hop to the thread pool: a token seen before is found in
    memory; verifying a new one (which may fetch the identity provider's keys) runs in the
    thread pool.
    """
    allowed = frozenset(roles)

    async def dependency(
        request: Request, settings: Annotated[Settings, Depends(get_settings)]
    ) -> Principal:
        token = _bearer(request)
        principal = getattr(request.state, "principal", None)
        if principal is None and token is not None:
            principal = _cached_principal(settings, token)
            if principal is not None:
                request.state.principal = principal
        if principal is None:
            principal = await run_in_threadpool(principal_from_request, request, settings)
        if principal is None:
            raise ProblemError(
                401,
                "Authentication required",
                "This endpoint requires a bearer token.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.has_any(allowed):
            raise ProblemError(
                403,
                "Forbidden",
                "This endpoint requires one of the roles: "
                + ", ".join(sorted(r.value for r in allowed)),
            )
        return principal

    return dependency
