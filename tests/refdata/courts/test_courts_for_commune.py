"""``GET /v1/courts?code_commune=``: the courts competent for a commune, as users rely on it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.usefixtures("courts_loaded")
AS_OF = "2026-11-28"


def _lookup(client: TestClient, code: str, **params: str) -> dict[str, Any]:
    response = client.get("/v1/courts", params={"code_commune": code, "as_of": AS_OF, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _ids(body: dict[str, Any], role: str) -> list[str]:
    return sorted(c["court"]["id"] for c in body["courts"] if c["role"] == role)


@pytest.mark.parametrize(
    ("code", "tj", "ca", "match"),
    [
        ("75108", "tj-paris", "ca-paris", "departement"),  # Paris 8e arrondissement
        ("69381", "tj-lyon", "ca-lyon", "commune"),  # Lyon 1er: seat rule in a 2-TJ département
        ("13201", "tj-marseille", "ca-aix-en-provence", "commune"),
        ("01340", "tj-bourg-en-bresse", "ca-lyon", "departement"),  # commune déléguée
        ("01126", "tj-bourg-en-bresse", "ca-lyon", "departement"),  # merged into Valserhône
        ("2A004", "tj-ajaccio", "ca-bastia", "departement"),
        ("2B033", "tj-bastia", "ca-bastia", "departement"),
        ("97105", "tj-basse-terre", "ca-basse-terre", "commune"),
        ("97209", "tj-fort-de-france", "ca-fort-de-france", "departement"),
        ("97302", "tj-cayenne", "ca-cayenne", "departement"),
        ("97411", "tj-saint-denis-la-reunion", "ca-saint-denis", "commune"),
        ("97611", "tj-mamoudzou", "ca-saint-denis", "departement"),
        ("68224", "tj-mulhouse", "ca-colmar", "commune"),
    ],
)
def test_single_competent_court(
    client: TestClient, code: str, tj: str, ca: str, match: str
) -> None:
    body = _lookup(client, code)
    assert body["ambiguous"] is False
    assert body["match"] == match
    assert _ids(body, "first_instance") == [tj]
    assert _ids(body, "appeal") == [ca]


def test_arrondissement_reports_how_the_code_was_resolved(client: TestClient) -> None:
    body = _lookup(client, "75108")
    assert body["commune"]["resolution"] == "arrondissement"
    assert body["commune"]["commune"]["code_insee"] == "75056"
    first = next(c for c in body["courts"] if c["role"] == "first_instance")
    assert first["court"]["name"] == "Tribunal judiciaire de Paris"
    assert first["ressort"]["granularity"] == "departement"


def test_merged_commune_resolves_through_the_cog_history(client: TestClient) -> None:
    body = _lookup(client, "01126")
    assert body["commune"]["resolution"] == "merged"
    assert body["commune"]["commune"]["nom"] == "Valserhône"


@pytest.mark.parametrize(
    ("code", "candidates", "ca"),
    [
        ("13004", ["tj-aix-en-provence", "tj-marseille", "tj-tarascon"], "ca-aix-en-provence"),
        ("97415", ["tj-saint-denis-la-reunion", "tj-saint-pierre-la-reunion"], "ca-saint-denis"),
        ("67462", ["tj-colmar", "tj-saverne", "tj-strasbourg"], "ca-colmar"),
        ("38151", ["tj-bourgoin-jallieu", "tj-grenoble", "tj-vienne"], "ca-grenoble"),
    ],
)
def test_ambiguous_departement_returns_every_candidate_and_one_appeal_court(
    client: TestClient, code: str, candidates: list[str], ca: str
) -> None:
    body = _lookup(client, code)
    assert body["ambiguous"] is True
    assert body["match"] == "departement"
    assert _ids(body, "first_instance") == candidates
    assert _ids(body, "appeal") == [ca]
    appeal = next(c for c in body["courts"] if c["role"] == "appeal")
    assert sorted(appeal["via"]) == candidates


def test_enclave_court_is_listed_apart_and_does_not_make_the_answer_ambiguous(
    client: TestClient,
) -> None:
    body = _lookup(client, "91027")  # Athis-Mons, next to Paris-Orly airport
    assert body["ambiguous"] is False
    assert _ids(body, "first_instance") == ["tj-evry"]
    assert _ids(body, "enclave") == ["tj-creteil"]
    assert _ids(body, "appeal") == ["ca-paris"]
    enclave = next(c for c in body["courts"] if c["role"] == "enclave")
    assert "Orly" in enclave["ressort"]["note"]


def test_enclave_in_another_cour_d_appel(client: TestClient) -> None:
    body = _lookup(
        client, "32013"
    )  # Auch; the Aire-sur-l'Adour aerodrome belongs to Mont-de-Marsan
    assert _ids(body, "first_instance") == ["tj-auch"]
    assert _ids(body, "appeal") == ["ca-agen"]
    assert _ids(body, "enclave") == ["ca-pau", "tj-mont-de-marsan"]


def test_type_filter(client: TestClient) -> None:
    body = _lookup(client, "13004", type="cour_appel")
    assert [c["court"]["id"] for c in body["courts"]] == ["ca-aix-en-provence"]


def test_as_of_before_2020_answers_with_the_tribunal_de_grande_instance(client: TestClient) -> None:
    body = client.get("/v1/courts", params={"code_commune": "47001", "as_of": "2019-06-01"}).json()
    first = next(c for c in body["courts"] if c["role"] == "first_instance")
    assert first["court"]["id"] == "tj-agen"
    assert first["court"]["type"] == "tribunal_grande_instance"
    assert first["court"]["name"] == "Tribunal de grande instance d'Agen"


def test_cayenne_appeals_went_to_fort_de_france_before_2012(client: TestClient) -> None:
    body = client.get("/v1/courts", params={"code_commune": "97302", "as_of": "2011-06-01"}).json()
    assert _ids(body, "appeal") == ["ca-fort-de-france"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"code_commune": "99999"}, 404),
        ({"code_commune": "7510"}, 422),
        ({"code_commune": "ABCDE"}, 422),
        ({"code_commune": "13004", "type": "tribunal_de_police"}, 422),
        ({"code_commune": "13004", "departement": "13"}, 422),
        ({"code_commune": "13004", "history": "true"}, 422),
        ({"code_commune": "13004", "as_of": "2026-02-30"}, 422),
        ({"code_commune": "13004", "as_of": "0"}, 422),  # not read as a Unix timestamp
        ({"departement": "1"}, 422),
        ({"departement": "99"}, 404),
    ],
)
def test_bad_parameters_are_problem_json(
    client: TestClient, params: dict[str, str], status: int
) -> None:
    response = client.get("/v1/courts", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


def test_unknown_commune_message_names_the_code(client: TestClient) -> None:
    detail = client.get("/v1/courts", params={"code_commune": "99999"}).json()["detail"]
    assert "99999" in detail
