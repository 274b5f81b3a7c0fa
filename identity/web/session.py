"""Sessions of the review pages: the same bearer tokens, kept in a signed cookie.

A reviewer pastes a token (``srj auth token --role reviewer --subject NAME`` locally, the
ministry's identity provider in production); the page verifies it exactly as the API does and
answers with a session cookie: a JWT of our own (subject, roles, expiry no later than the
token's, a random CSRF secret), signed with a key derived from the auth secret, ``HttpOnly``
(no script reads it), ``SameSite=Strict`` (no other site's page sends it) and ``Secure`` in
production. Form posts carry a CSRF token derived from the session's secret, checked in
constant time; the login form itself uses a double-submit cookie.

Sessions are also kept server-side (:class:`identity.web.models.ReviewWebSession`, by the
SHA-256 of a random id the cookie carries): a page is served only while the session is open,
and logging out ends it, so a cookie captured before a logout opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from fastapi import Request, Response
from sqlalchemy import delete, update

from identity.review.config import ReviewSettings
from identity.web.models import ReviewWebSession
from srj.auth import InvalidTokenError, Principal, Role, parse_roles, verify_token
from srj.settings import Settings

SESSION_COOKIE = "srj_revue"
LOGIN_CSRF_COOKIE = "srj_revue_login"
COOKIE_PATH = "/revue"
AUDIENCE = "srj-revue-web"
WEB_ROLES = frozenset({Role.REVIEWER, Role.STATISTICIAN, Role.ADMIN})


@dataclass(frozen=True)
class WebSession:
    principal: Principal
    csrf_secret: str
    expires_at: int
    # Random, carried by the cookie; the server keeps only its SHA-256 (``ReviewWebSession``).
    session_id: str = ""

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.csrf_secret.encode(), b"srj-revue-form", hashlib.sha256).hexdigest()

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf_token, submitted or "")


class LoginError(ValueError):
    """The pasted token cannot open a session (the message says why, in French)."""


def _key(settings: Settings) -> str:
    # A key of its own: a session cookie is not a bearer token and must not pass as one.
    return hmac.new(
        settings.secret("auth_secret").encode(), b"srj-revue-session-v1", hashlib.sha256
    ).hexdigest()


def open_session(
    settings: Settings, review_settings: ReviewSettings, bearer: str
) -> tuple[str, WebSession]:
    """Verifies ``bearer`` and returns (cookie value, session)."""
    try:
        principal = verify_token(settings, bearer.strip())
        token_exp = int(jwt.decode(bearer.strip(), options={"verify_signature": False})["exp"])
    except (InvalidTokenError, jwt.PyJWTError, KeyError, ValueError, TypeError):
        raise LoginError("Jeton invalide ou expiré.") from None
    roles = principal.roles & WEB_ROLES
    if not roles:
        raise LoginError(
            "Ce jeton ne donne accès à aucune page de revue "
            "(rôle relecteur, statisticien ou administrateur requis)."
        )
    expires = min(token_exp, int(time.time()) + review_settings.session_hours * 3600)
    session = WebSession(
        principal=Principal(subject=principal.subject, roles=frozenset(roles)),
        csrf_secret=secrets.token_urlsafe(32),
        expires_at=expires,
        session_id=secrets.token_urlsafe(32),
    )
    value = jwt.encode(
        {
            "sub": principal.subject,
            "roles": sorted(r.value for r in roles),
            "csrf": session.csrf_secret,
            "sid": session.session_id,
            "aud": AUDIENCE,
            "exp": expires,
            "iat": int(time.time()),
        },
        _key(settings),
        algorithm="HS256",
    )
    return value, session


def read_session(request: Request, settings: Settings) -> WebSession | None:
    """The session of the request's cookie: well signed, and still open on the server (a
    cookie captured before a logout no longer opens any page)."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    try:
        claims = jwt.decode(
            value,
            _key(settings),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "csrf", "sid"]},
        )
        roles = parse_roles(claims.get("roles", []))
    except (jwt.PyJWTError, InvalidTokenError):
        return None
    session = WebSession(
        principal=Principal(subject=str(claims["sub"]), roles=roles & WEB_ROLES),
        csrf_secret=str(claims["csrf"]),
        expires_at=int(claims["exp"]),
        session_id=str(claims["sid"]),
    )
    return session if _is_open(request, session) else None


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _is_open(request: Request, session: WebSession) -> bool:
    db = request.app.state.session_factory()
    try:
        row = db.get(ReviewWebSession, _digest(session.session_id))
        return (
            row is not None
            and row.ended_at is None
            and row.expires_at > datetime.now(UTC)
            and row.subject == session.principal.subject
        )
    finally:
        db.close()


def remember_session(request: Request, session: WebSession) -> None:
    """Record a session just opened (at login), so that it can be ended server-side; drop
    the rows of sessions expired since (they open nothing any more)."""
    now = datetime.now(UTC)
    db = request.app.state.write_session_factory()
    try:
        db.execute(delete(ReviewWebSession).where(ReviewWebSession.expires_at < now))
        db.add(
            ReviewWebSession(
                id=_digest(session.session_id),
                subject=session.principal.subject,
                created_at=now,
                expires_at=datetime.fromtimestamp(session.expires_at, UTC),
                ended_at=None,
            )
        )
        db.commit()
    finally:
        db.close()


def end_session(request: Request, session: WebSession) -> None:
    """Logout: the session ends on the server; its cookie, even replayed, opens nothing."""
    db = request.app.state.write_session_factory()
    try:
        db.execute(
            update(ReviewWebSession)
            .where(
                ReviewWebSession.id == _digest(session.session_id),
                ReviewWebSession.ended_at.is_(None),
            )
            .values(ended_at=datetime.now(UTC))
        )
        db.commit()
    finally:
        db.close()


def set_session_cookie(
    response: Response, value: str, session: WebSession, review_settings: ReviewSettings
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max(0, session.expires_at - int(time.time())),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=review_settings.cookie_secure,
    )


def clear_session_cookie(response: Response, review_settings: ReviewSettings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=review_settings.cookie_secure,
    )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_login_csrf_cookie(response: Response, value: str, review_settings: ReviewSettings) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        value,
        max_age=3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=review_settings.cookie_secure,
    )


def login_csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(expected and submitted) and hmac.compare_digest(expected or "", submitted or "")
