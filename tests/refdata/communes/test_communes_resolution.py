"""Resolving commune codes: current, délégué, associé, arrondissement, merged, and bad codes."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from refdata.communes.service import (
    CommuneNotFoundError,
    InvalidCommuneCodeError,
    resolve_commune,
)

pytestmark = pytest.mark.usefixtures("cog_loaded")
TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("code", "resolution", "commune", "nom"),
    [
        ("14712", "current", "14712", "Troarn"),
        ("14114", "associe", "14712", "Troarn"),  # Bures-sur-Dives, associated with Troarn
        ("01126", "merged", "01033", "Valserhône"),
        ("01340", "delegue", "01015", "Arboys en Bugey"),  # Saint-Bois
        ("01015", "current", "01015", "Arboys en Bugey"),  # code kept by the commune nouvelle
        ("01120", "associe", None, None),
        ("75108", "arrondissement", "75056", "Paris"),
        ("69381", "arrondissement", "69123", "Lyon"),
        ("13201", "arrondissement", "13055", "Marseille"),
        ("2A004", "current", "2A004", "Ajaccio"),
        ("2b033", "current", "2B033", "Bastia"),
        ("97105", "current", "97105", "Basse-Terre"),
        ("97611", "current", "97611", "Mamoudzou"),
    ],
)
def test_resolution(
    db_session: Session, code: str, resolution: str, commune: str | None, nom: str | None
) -> None:
    resolved = resolve_commune(db_session, code, TODAY)
    assert resolved.resolution == resolution
    assert resolved.commune.type == "commune-actuelle"
    if commune is not None:
        assert resolved.commune.code_insee == commune
        assert resolved.commune.nom == nom
    assert resolved.cog_millesime == date(2026, 1, 1)


def test_delegated_commune_reports_the_entry_it_matched(db_session: Session) -> None:
    resolved = resolve_commune(db_session, "01340", TODAY)
    assert resolved.matched is not None
    assert resolved.matched.nom == "Saint-Bois"
    assert resolved.matched.type == "commune-deleguee"


def test_merged_code_reports_the_succession(db_session: Session) -> None:
    resolved = resolve_commune(db_session, "01126", TODAY)
    assert [(s.old_code, s.successor_code) for s in resolved.successions] == [("01126", "01033")]


@pytest.mark.parametrize("code", ["7510", "ABCDE", "2C004", "751080", ""])
def test_malformed_codes_are_rejected(db_session: Session, code: str) -> None:
    with pytest.raises(InvalidCommuneCodeError):
        resolve_commune(db_session, code, TODAY)


def test_unknown_code_is_not_found(db_session: Session) -> None:
    with pytest.raises(CommuneNotFoundError, match="99999"):
        resolve_commune(db_session, "99999", TODAY)


def test_date_before_the_loaded_cog_is_not_found_unless_clamped(db_session: Session) -> None:
    with pytest.raises(CommuneNotFoundError, match="starts on 2026-01-01"):
        resolve_commune(db_session, "14712", date(2019, 5, 1))
    clamped = resolve_commune(db_session, "14712", date(2019, 5, 1), clamp_to_earliest=True)
    assert clamped.commune.code_insee == "14712"


def test_api_resolves_a_merged_code(client: TestClient) -> None:
    response = client.get("/v1/communes/01126")
    assert response.status_code == 200
    body = response.json()
    assert body["resolution"] == "merged"
    assert body["commune"]["code_insee"] == "01033"
    assert body["commune"]["nom"] == "Valserhône"
    assert body["successions"][0]["successor_code"] == "01033"


def test_api_arrondissement(client: TestClient) -> None:
    body = client.get("/v1/communes/75108").json()
    assert body["resolution"] == "arrondissement"
    assert body["matched"]["nom"] == "Paris 8e Arrondissement"
    assert body["commune"]["nom"] == "Paris"


def test_api_history_lists_every_entry_with_the_code(client: TestClient) -> None:
    body = client.get("/v1/communes/50129", params={"history": "true"}).json()
    types = sorted(v["type"] for v in body["versions"])
    assert types == ["commune-actuelle", "commune-deleguee"]
    assert all(v["valid_from"] == "2026-01-01" for v in body["versions"])


@pytest.mark.parametrize("code", ["7510", "ABCDE", "750561"])
def test_api_malformed_code_is_422_problem(client: TestClient, code: str) -> None:
    response = client.get(f"/v1/communes/{code}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_api_unknown_code_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/communes/99999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "99999" in response.json()["detail"]


def test_api_as_of_before_the_cog_history(client: TestClient) -> None:
    response = client.get("/v1/communes/14712", params={"as_of": "2015-01-01"})
    assert response.status_code == 404
    assert "2026-01-01" in response.json()["detail"]
