"""Logging out of the review pages ends the session on the server: a cookie captured before
``POST /revue/deconnexion`` opens nothing afterwards (it used to work for up to 8 hours)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from page_helpers import bearer, hidden, login
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.web.models import ReviewWebSession
from identity.web.session import SESSION_COOKIE


def test_a_cookie_replayed_after_logout_opens_nothing(
    client: TestClient, token: Callable[..., dict[str, str]], db_session: Session
) -> None:
    assert login(client, bearer(token, "reviewer", "alice")).status_code == 303
    captured = client.cookies.get(SESSION_COOKIE, path="/revue")
    assert captured
    queue = client.get("/revue/")
    assert queue.status_code == 200
    # The server keeps a digest of the session id, never the cookie or the id itself.
    row = db_session.scalars(select(ReviewWebSession)).one()
    assert row.subject == "alice"
    assert row.ended_at is None
    assert row.id not in captured

    out = client.post(
        "/revue/deconnexion",
        data={"csrf_token": hidden(queue.text, "csrf_token")},
        follow_redirects=False,
    )
    assert out.status_code == 303
    db_session.expire_all()
    assert db_session.scalars(select(ReviewWebSession)).one().ended_at is not None

    # Replaying the captured cookie, as an attacker who copied it would.
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, captured, path="/revue")
    replay = client.get("/revue/", follow_redirects=False)
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/revue/connexion")


def test_logging_out_ends_only_that_session(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    login(client, bearer(token, "reviewer", "alice"))
    first = client.cookies.get(SESSION_COOKIE, path="/revue")
    client.cookies.clear()
    login(client, bearer(token, "reviewer", "alice"))  # the same reviewer on another computer
    page = client.get("/revue/")
    client.post("/revue/deconnexion", data={"csrf_token": hidden(page.text, "csrf_token")})
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, first or "", path="/revue")
    assert client.get("/revue/").status_code == 200


def test_a_cookie_without_a_server_side_session_opens_nothing(
    client: TestClient, token: Callable[..., dict[str, str]], db_session: Session
) -> None:
    login(client, bearer(token, "reviewer", "alice"))
    db_session.query(ReviewWebSession).delete()  # e.g. purged, or a cookie forged elsewhere
    db_session.flush()
    assert client.get("/revue/", follow_redirects=False).status_code == 303
