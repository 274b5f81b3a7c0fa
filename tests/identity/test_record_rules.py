"""Strict records: what POST /v1/records refuses (422 naming the field, never the value), what it
maps (sexe synonyms), and how it answers a re-post. Every rule runs on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from registry_helpers import make_record

from srj.settings import Settings

Post = Callable[..., dict[str, Any]]
Token = Callable[..., dict[str, str]]

TEXT_FIELDS = (
    "source_ref",
    "record_id",
    "civilite",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "alias",
    "commune_naissance",
    "pays_naissance",
    "nationalite",
)


def _refused(response: Any, field: str) -> dict[str, Any]:
    assert response.status_code == 422, (field, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert field in body["detail"], body
    assert any(field in e["location"] for e in body["errors"]), body
    return body


def _today() -> datetime:
    return datetime.now(UTC)


def test_unknown_source_is_refused_naming_the_known_ones(client: TestClient, token: Token) -> None:
    headers = token("application", subject="app-cassiopee", sources=["CASSIOPEE"])
    response = client.post("/v1/records", json=make_record("R1", source="SIRIUS"), headers=headers)
    body = _refused(response, "source")
    for known in ("CASSIOPEE", "GENESIS", "APPI", "PARCOURS", "WINEUR", "PORTALIS"):
        assert known in body["detail"]
    assert "SIRIUS" not in response.text


def test_sexe_synonyms_are_stored_as_m_or_f_and_others_refused(
    client: TestClient, token: Token
) -> None:
    app_headers = token("application", subject="app-cassiopee", sources=["CASSIOPEE"])
    spellings = {"H": "M", "masculin": "M", "Homme": "M", "1": "M", "FÉMININ": "F", "2": "F"}
    person_ids = {}
    for i, (written, stored) in enumerate(spellings.items()):
        body = make_record(f"S{i}", nom=f"NOM{i}", sexe=written)
        response = client.post("/v1/records", json=body, headers=app_headers)
        assert response.status_code == 200, (written, response.text)
        person_ids[response.json()["person_id"]] = stored
    for pid, stored in person_ids.items():
        export = client.get(f"/v1/persons/{pid}/export", headers=token("admin"))
        assert export.status_code == 200, export.text
        # The traits "as received" are the mapped value: the raw spelling is never stored.
        assert export.json()["records"][0]["traits"]["sexe"] == stored

    for written in ("X", "Z", "INCONNU", "MF"):
        response = client.post(
            "/v1/records", json=make_record("S9", sexe=written), headers=app_headers
        )
        body = _refused(response, "sexe")
        assert written not in body["detail"]
    empty = client.post("/v1/records", json=make_record("S10", sexe=" "), headers=app_headers)
    assert empty.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_naissance", "2999-01-01"),
        ("date_naissance", "1850-05-05"),
        ("date_naissance", "1899"),
        ("date_naissance", str(_today().year + 1)),
        ("date_naissance", (_today() + timedelta(days=40)).strftime("%Y-%m")),
        ("date_deces", "2999-01-01"),
        ("date_deces", "1850"),
        ("record_date", "9999-12-31"),
        ("record_date", (_today() + timedelta(days=10)).date().isoformat()),
    ],
)
def test_implausible_dates_are_refused(
    client: TestClient, token: Token, field: str, value: str
) -> None:
    headers = token("application", subject="app-cassiopee", sources=["CASSIOPEE"])
    response = client.post("/v1/records", json=make_record("D1", **{field: value}), headers=headers)
    body = _refused(response, field)
    assert value not in body["detail"]


def test_plausible_dates_pass(post: Post) -> None:
    tomorrow = (_today() + timedelta(days=1)).date().isoformat()
    assert post("D1", record_date=tomorrow)["status"] == "new"  # a clock or time zone ahead
    assert post("D2", dn="1900", nom="A")["status"] == "new"
    assert post("D3", dn=_today().date().isoformat(), nom="B")["status"] == "new"
    # A day/month swap is an entry error standardisation flags, not a reason to refuse.
    assert post("D4", dn="1985-14-07", nom="C")["status"] == "new"
    assert post("D5", dn="1950-01-01", date_deces="2020-05-01", nom="D")["status"] == "new"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\n", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused_in_every_text_field(
    client: TestClient, token: Token, char: str
) -> None:
    headers = token("application", subject="app-cassiopee", sources=["CASSIOPEE"])
    for field in TEXT_FIELDS:
        body = make_record("C1", **{field: "AB" + char + "CD"})
        # Escaped JSON (\u0000, \ud800...), as a client library sends it.
        response = client.post(
            "/v1/records",
            content=json.dumps(body),
            headers={**headers, "Content-Type": "application/json"},
        )
        problem = _refused(response, field)
        assert "ABCD" not in response.text
        assert "control character" in problem["detail"]


def test_a_token_subject_longer_than_the_columns_is_a_clear_401(
    client: TestClient, settings: Settings
) -> None:
    now = int(_today().timestamp())
    claims = {
        "sub": "app-" + "x" * 200,
        "roles": ["application"],
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "exp": now + 600,
    }
    value = jwt.encode(claims, settings.secret("auth_secret"), algorithm="HS256")
    response = client.post(
        "/v1/records", json=make_record("T1"), headers={"Authorization": f"Bearer {value}"}
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "subject" in response.json()["detail"]
    assert "128" in response.json()["detail"]


def test_a_repost_answers_unchanged_or_updated_never_new(post: Post) -> None:
    first = post("R1")
    assert first["status"] == "new"
    assert first["link_status"] == "new"
    again = post("R1")
    assert again["status"] == "unchanged"
    assert again["person_id"] == first["person_id"]
    assert again["link_status"] == "new"  # still alone on its person, as GET reports it
    assert again.get("previous_person_id") is None

    changed = post("R1", nom_usage="DURAND")  # a new trait, same person
    assert changed["status"] == "updated"
    assert changed["person_id"] == first["person_id"]
    assert changed.get("previous_person_id") is None

    other = post("R2", nom="BERNARD")
    assert other["status"] == "new"
    moved = post("R2")  # corrected: now the same as R1, it moves to R1's person
    assert moved["status"] == "updated"
    assert moved["link_status"] == "linked"
    assert moved["person_id"] == first["person_id"]
    assert moved["previous_person_id"] == other["person_id"]
    assert post("R2")["status"] == "unchanged"
