"""Bearer tokens and roles.

Locally, ``srj auth token`` signs HS256 tokens with the configured secret. In production the
ministry's identity provider signs them and we verify against its JWKS (``SRJ_OIDC_JWKS_URL``);
roles come from the claim named by ``SRJ_OIDC_ROLE_CLAIM``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

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

    def has_any(self, roles: set[Role] | frozenset[Role]) -> bool:
        return bool(self.roles & roles)


class InvalidTokenError(Exception):
    pass


def issue_token(
    settings: Settings, *, subject: str, roles: list[Role], ttl_seconds: int = 8 * 3600
) -> str:
    now = int(time.time())
    claims = {
        "sub": subject,
        "roles": [r.value for r in roles],
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret("auth_secret"), algorithm="HS256")


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
            raw_roles = claims.get(settings.oidc_role_claim, [])
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
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(str(exc)) from exc
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    return Principal(subject=str(claims["sub"]), roles=roles, token_id=claims.get("jti"))


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value:
            return value.strip()
    return None


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
    try:
        principal = verify_token(settings, token)
    except InvalidTokenError:
        raise ProblemError(
            401,
            "Invalid token",
            "The bearer token is invalid or expired.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    request.state.principal = principal
    return principal


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """Dependency: the caller must hold one of ``roles`` (no role implies another)."""
    allowed = frozenset(roles)

    def dependency(
        request: Request, settings: Annotated[Settings, Depends(get_settings)]
    ) -> Principal:
        principal = principal_from_request(request, settings)
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
