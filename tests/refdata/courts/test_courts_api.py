"""``GET /v1/courts/{id}`` and the court list: versions, hierarchy, ressort, history."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.usefixtures("courts_loaded")


def test_court_detail_with_parent_children_and_ressort(client: TestClient) -> None:
    body = client.get("/v1/courts/tj-lons-le-saunier", params={"as_of": "2026-01-15"}).json()
    assert body["court"]["name"] == "Tribunal judiciaire de Lons-le-Saunier"
    assert body["court"]["seat"] == {"code_insee": "39300", "nom": "Lons-le-Saunier"}
    assert body["parent"]["id"] == "ca-besancon"
    assert [c["id"] for c in body["children"]] == ["cd-dole"]
    assert [(r["granularity"], r["code"]) for r in body["ressort"]] == [("departement", "39")]


def test_cour_d_appel_lists_its_tribunaux(client: TestClient) -> None:
    body = client.get("/v1/courts/ca-agen").json()
    assert body["court"]["type"] == "cour_appel"
    assert sorted(c["id"] for c in body["children"]) == ["tj-agen", "tj-auch", "tj-cahors"]


def test_history_of_a_court(client: TestClient) -> None:
    body = client.get("/v1/courts/tj-agen", params={"history": "true"}).json()
    versions = body["versions"]
    assert [v["type"] for v in versions] == ["tribunal_grande_instance", "tribunal_judiciaire"]
    assert versions[0]["valid_to"] == versions[1]["valid_from"] == "2020-01-01"
    assert versions[0]["valid_from_basis"] == "attested"
    assert versions[1]["valid_from_basis"] == "in_force"


def test_recreated_tribunal_starts_in_2014(client: TestClient) -> None:
    before = client.get("/v1/courts/tj-tulle", params={"as_of": "2014-08-31"})
    after = client.get("/v1/courts/tj-tulle", params={"as_of": "2014-09-01"})
    assert before.status_code == 404
    assert "2014-09-01" in before.json()["detail"]
    assert after.json()["court"]["name"] == "Tribunal de grande instance de Tulle"


def test_unknown_court_is_404(client: TestClient) -> None:
    response = client.get("/v1/courts/tj-atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_malformed_court_id_is_422(client: TestClient) -> None:
    assert client.get("/v1/courts/TJ AGEN").status_code == 422


def test_counts_of_current_courts(client: TestClient) -> None:
    body = client.get("/v1/courts", params={"as_of": "2026-06-01"}).json()
    by_type: dict[str, int] = {}
    for court in body["courts"]:
        by_type[court["type"]] = by_type.get(court["type"], 0) + 1
    assert by_type["cour_appel"] == 36
    assert by_type["tribunal_judiciaire"] == 164
    assert "tribunal_grande_instance" not in by_type
    assert body["count"] == len(body["courts"])


def test_list_by_departement_and_type(client: TestClient) -> None:
    body = client.get(
        "/v1/courts", params={"departement": "13", "type": "tribunal_judiciaire"}
    ).json()
    assert sorted(c["id"] for c in body["courts"]) == [
        "tj-aix-en-provence",
        "tj-marseille",
        "tj-tarascon",
    ]
    with_ca = client.get("/v1/courts", params={"departement": "2A"}).json()
    assert sorted(c["id"] for c in with_ca["courts"]) == ["ca-bastia", "tj-ajaccio"]


def test_list_history_returns_every_version(client: TestClient) -> None:
    body = client.get("/v1/courts", params={"type": "cour_appel", "history": "true"}).json()
    assert body["as_of"] is None
    assert len({c["id"] for c in body["courts"]}) == 36
