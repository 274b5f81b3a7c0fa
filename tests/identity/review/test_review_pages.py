"""The review pages through the HTTP stack: login, CSRF, queue, decision, stale page, undo."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from page_helpers import bearer as _bearer
from page_helpers import hidden as _hidden
from page_helpers import login

from identity.web.session import SESSION_COOKIE


def test_pages_need_a_session_and_login_sets_a_strict_httponly_cookie(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    anonymous = client.get("/revue/", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/revue/connexion")
    response = login(client, _bearer(token, "reviewer", "alice"))
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/revue" in cookie
    queue = client.get("/revue/")
    assert queue.status_code == 200
    assert "File de revue" in queue.text
    assert queue.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in queue.headers["content-security-policy"]


def test_login_refuses_bad_tokens_missing_csrf_and_roles_without_pages(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    assert login(client, "not-a-token").status_code == 401
    assert login(client, _bearer(token, "application", "app")).status_code == 401
    forged = client.post(
        "/revue/connexion",
        data={"token": _bearer(token, "reviewer", "alice"), "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    # Open redirects are refused: the next page is always one of ours.
    response = login(client, _bearer(token, "reviewer", "alice"), suite="https://evil.example/")
    assert response.headers["location"] == "/revue/"


def test_statistician_reads_statistics_but_not_the_queue(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    response = login(client, _bearer(token, "statistician", "sam"))
    assert response.headers["location"] == "/revue/statistiques"
    assert client.get("/revue/statistiques").status_code == 200
    assert client.get("/revue/").status_code == 403


def test_deciding_on_the_page_records_the_reviewer_and_opens_the_next_suggestion(
    web: TestClient, make_pair: Callable[..., Any], token: Callable[..., dict[str, str]]
) -> None:
    first, second = make_pair("W1", nom="ALPHA"), make_pair("W2", nom="BETA")
    queue = web.get("/revue/")
    assert f"/revue/suggestions/{first['id']}" in queue.text
    page = web.get(f"/revue/suggestions/{first['id']}")
    assert page.status_code == 200
    assert "ALPHA" in page.text
    assert "Les indices du modèle" in page.text
    response = web.post(
        f"/revue/suggestions/{first['id']}/decision",
        data={
            "decision": "same",
            "reason": "",
            "version": _hidden(page.text, "version"),
            "csrf_token": _hidden(page.text, "csrf_token"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/revue/suggestions/{second['id']}?")
    decisions = web.get(
        f"/v1/reviews/{first['id']}", headers=token("reviewer", subject="bob")
    ).json()["decisions"]
    assert [(d["decision"], d["reviewer"]) for d in decisions] == [("same", "alice")]


def test_a_form_without_the_csrf_token_changes_nothing(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("C1")
    page = web.get(f"/revue/suggestions/{pair['id']}")
    response = web.post(
        f"/revue/suggestions/{pair['id']}/decision",
        data={"decision": "same", "version": _hidden(page.text, "version"), "csrf_token": "x"},
    )
    assert response.status_code == 403
    assert "rien n'a été enregistré" in html.unescape(response.text)
    assert "À traiter" in response.text  # still pending


def test_a_stale_page_gets_409_and_an_explanation(
    web: TestClient, make_pair: Callable[..., Any], token: Callable[..., dict[str, str]]
) -> None:
    pair = make_pair("ST")
    page = web.get(f"/revue/suggestions/{pair['id']}")
    bob = token("reviewer", subject="bob")
    version = web.get(f"/v1/reviews/{pair['id']}", headers=bob).json()["version"]
    web.post(
        f"/v1/reviews/{pair['id']}/decision",
        json={"decision": "unsure", "version": version, "reason": "je ne sais pas"},
        headers=bob,
    )
    response = web.post(
        f"/revue/suggestions/{pair['id']}/decision",
        data={
            "decision": "same",
            "version": _hidden(page.text, "version"),
            "csrf_token": _hidden(page.text, "csrf_token"),
        },
    )
    assert response.status_code == 409
    assert "a changé depuis que vous l'avez ouverte" in html.unescape(response.text)
    assert "checked" not in response.text  # the reviewer chooses again, on the current state
    assert "je ne sais pas" in response.text  # the current state: bob's escalation


def test_different_without_reason_is_refused_with_the_reason_field_explained(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("R0")
    page = web.get(f"/revue/suggestions/{pair['id']}")
    response = web.post(
        f"/revue/suggestions/{pair['id']}/decision",
        data={
            "decision": "different",
            "version": _hidden(page.text, "version"),
            "csrf_token": _hidden(page.text, "csrf_token"),
        },
    )
    assert response.status_code == 422
    assert "Un motif est obligatoire" in response.text


def test_person_page_shows_history_and_undoes_a_merge(
    web: TestClient, make_pair: Callable[..., Any], token: Callable[..., dict[str, str]]
) -> None:
    pair = make_pair("H1")
    bob = token("reviewer", subject="bob")
    version = web.get(f"/v1/reviews/{pair['id']}", headers=bob).json()["version"]
    merged = web.post(
        f"/v1/reviews/{pair['id']}/decision",
        json={"decision": "same", "version": version},
        headers=bob,
    ).json()
    survivor, gone = merged["survivor_person_id"], merged["merged_person_id"]
    redirect = web.get(f"/revue/personnes/{gone}", follow_redirects=False)
    assert redirect.status_code == 303
    assert (
        redirect.headers["location"] == f"/revue/personnes/{quote(survivor)}?depuis={quote(gone)}"
    )
    page = web.get(f"/revue/personnes/{survivor}")
    assert page.status_code == 200
    assert gone in page.text
    assert "Annuler la fusion" in page.text
    missing_reason = web.post(
        f"/revue/personnes/{survivor}/annulation",
        data={
            "merged_person_id": gone,
            "reason": "",
            "csrf_token": _hidden(page.text, "csrf_token"),
        },
    )
    assert missing_reason.status_code == 422
    done = web.post(
        f"/revue/personnes/{survivor}/annulation",
        data={
            "merged_person_id": gone,
            "reason": "homonyme",
            "csrf_token": _hidden(page.text, "csrf_token"),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/revue/personnes/{quote(survivor)}?annule={quote(gone)}"
    assert web.get(f"/revue/personnes/{gone}", follow_redirects=False).status_code == 200


def test_static_files_are_served_and_nothing_else(web: TestClient) -> None:
    assert web.get("/revue/static/review.css").status_code == 200
    assert web.get("/revue/static/review.js").headers["content-type"].startswith("text/javascript")
    assert web.get("/revue/static/..%2Fpages.py").status_code == 404
    assert web.get("/revue/static/pages.py").status_code == 404


def test_refused_decisions_write_the_error_next_to_its_field_without_javascript(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("E1")
    page = web.get(f"/revue/suggestions/{pair['id']}")
    base = {
        "version": _hidden(page.text, "version"),
        "csrf_token": _hidden(page.text, "csrf_token"),
    }
    no_choice = web.post(f"/revue/suggestions/{pair['id']}/decision", data=base)
    assert no_choice.status_code == 422
    fieldset = no_choice.text.split('id="choix-decision"', 1)[1].split("</fieldset>", 1)[0]
    assert 'id="choix-erreur"' in fieldset
    assert "Choisissez une décision" in fieldset
    assert 'href="#choix-decision"' in no_choice.text  # the summary at the top links to it

    no_reason = web.post(
        f"/revue/suggestions/{pair['id']}/decision", data={**base, "decision": "different"}
    )
    assert no_reason.status_code == 422
    group = no_reason.text.split('id="motif-groupe"', 1)[1].split("</textarea>", 2)
    assert 'aria-invalid="true"' in group[0]
    assert 'id="reason-erreur"' in group[1].split("</div>", 1)[0]
    assert "Un motif est obligatoire" in group[1]
    assert 'value="different" data-key="d" checked' in no_reason.text  # the choice is kept
