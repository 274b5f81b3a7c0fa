"""``POST /v1/sentence-checks``: each rule, its source, and what cannot be checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from refdata.natinf.penalties import import_penalties
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, ROAD, Row
from tests.refdata.natinf_samples import CURATED_PENALTIES as PENALTIES

# The curated penalties cover 6163 and 7536 too: their rows come from the same ANTAI table.
EXTRA: list[Row] = [
    (
        "6163",
        "Délit",
        "CIRCULATION AVEC UN VEHICULE TERRESTRE A MOTEUR SANS ASSURANCE",
        "Art. L. 324-2 §I, art. L. 324-1 du C. de la route. Art. L. 211-1, art. L. 211-26 du C. "
        "des assurances.",
        "Art. L. 324-2, art. L. 224-12 du C. de la route. Art. L. 211-26, art. L. 211-27 du C. "
        "des assurances.",
    ),
    (
        "7536",
        "Délit",
        "CONDUITE D'UN VEHICULE SANS PERMIS",
        "Art. L. 221-2 §I, art. L. 221-1 al. 1, art. R. 221-1 §I du C. de la route.",
        "Art. L. 221-2 du C. de la route.",
    ),
    ("1508", "", "EXECUTION D'UN TRAVAIL DISSIMULE", "", ""),
]


@pytest.fixture
def loaded(
    import_rows: ImportRows, db_session: Session, store: BulkStore, tariffs_loaded: None
) -> None:
    import_rows([*ALL_ROWS, *EXTRA], "2026-01-26")
    import_penalties(db_session, PENALTIES.read_bytes(), published_on=date(2026, 2, 1), store=store)
    db_session.commit()


def check(client: TestClient, natinf: int, on: str, **sentence: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/sentence-checks", json={"natinf": natinf, "date": on, "sentence": sentence}
    )
    assert response.status_code == 200, response.text
    return response.json()


def rules(result: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in result["reasons"]]


def test_legal_sentence_for_a_delit(client: TestClient, loaded: None) -> None:
    result = check(client, 11, "2026-06-01", imprisonment_months=24, fine_eur=15000)
    assert result["legal"] is True
    assert result["complete"] is True
    assert result["reasons"] == []
    assert result["offence"]["natinf"] == 11


def test_above_the_maximum_of_the_repressing_article(client: TestClient, loaded: None) -> None:
    result = check(client, 11, "2026-06-01", imprisonment_months=30, fine_eur=20000)
    assert result["legal"] is False
    assert rules(result) == ["imprisonment_above_maximum", "fine_above_maximum"]
    assert result["reasons"][0]["source"].startswith("Code pénal, art. 227-3, al. 1: «")
    assert "deux ans d'emprisonnement" in result["reasons"][0]["source"]


def test_recidivism_doubles_the_maxima_of_a_delit(client: TestClient, loaded: None) -> None:
    result = check(
        client, 11, "2026-06-01", imprisonment_months=48, fine_eur=30000, recidivism=True
    )
    assert result["legal"] is True
    over = check(client, 11, "2026-06-01", imprisonment_months=49, recidivism=True)
    assert rules(over) == ["imprisonment_above_maximum"]
    assert "Code pénal, art. 132-10" in over["reasons"][0]["source"]


def test_prison_for_a_contravention(client: TestClient, loaded: None) -> None:
    result = check(client, 201, "2026-06-01", imprisonment_months=1)
    assert rules(result) == ["imprisonment_for_contravention"]
    assert result["reasons"][0]["source"] == "Code pénal, art. 131-12"


def test_fine_above_the_class_maximum(client: TestClient, loaded: None) -> None:
    assert check(client, 201, "2026-06-01", fine_eur=750)["legal"] is True
    result = check(client, 201, "2026-06-01", fine_eur=751)
    assert rules(result) == ["fine_above_class_maximum"]
    assert "750 EUR" in result["reasons"][0]["message"]
    assert "131-13" in result["reasons"][0]["source"]


def test_fifth_class_recidivism_uses_its_maximum_with_a_caveat(
    client: TestClient, loaded: None
) -> None:
    assert rules(check(client, 19, "2026-06-01", fine_eur=2000)) == ["fine_above_class_maximum"]
    result = check(client, 19, "2026-06-01", fine_eur=2000, recidivism=True)
    assert result["legal"] is True
    assert result["complete"] is False
    assert [n["rule"] for n in result["notes"]] == ["recidivism_assumed_provided"]


def test_prison_not_provided_by_the_article(client: TestClient, loaded: None) -> None:
    result = check(client, 6163, "2026-06-01", imprisonment_months=1, fine_eur=3750)
    assert rules(result) == ["imprisonment_not_provided"]
    assert "L324-2" in result["reasons"][0]["source"]


def test_more_than_ten_years_for_a_delit(client: TestClient, loaded: None) -> None:
    result = check(client, 7, "2026-06-01", imprisonment_months=121)
    assert "imprisonment_above_delit_scale" in rules(result)
    assert result["reasons"][0]["source"] == "Code pénal, art. 131-4, 1°"
    assert result["complete"] is False  # no curated maximum for code 7


def test_unknown_maxima_are_reported_not_guessed(client: TestClient, loaded: None) -> None:
    result = check(client, 16, "2026-06-01", imprisonment_months=6, fine_eur=100)
    assert result["legal"] is True
    assert result["complete"] is False
    assert [n["rule"] for n in result["notes"]] == [
        "imprisonment_not_checked",
        "fine_not_checked",
    ]
    not_stated = check(client, 1508, "2026-06-01", imprisonment_months=6)
    assert not_stated["notes"][0]["rule"] == "nature_not_stated"


def test_code_not_in_force_on_the_date(
    client: TestClient, loaded: None, import_rows: ImportRows
) -> None:
    import_rows([r for r in [*ALL_ROWS, *EXTRA] if r[0] != "11"], "2026-09-01")
    result = check(client, 11, "2026-10-01", fine_eur=100)
    assert result["legal"] is False
    assert rules(result) == ["not_in_force"]
    assert result["offence"] is None
    assert "2026-01-26 to 2026-09-01" in result["reasons"][0]["message"]
    assert result["reasons"][0]["source"].startswith("Code pénal, art. 112-1")
    # The same sentence on a date when the code was in force is legal.
    assert check(client, 11, "2026-08-01", fine_eur=100)["legal"] is True


def test_dates_before_the_history_are_not_declared_illegal(
    client: TestClient, loaded: None
) -> None:
    result = check(client, 11, "2025-06-01", fine_eur=100)
    assert result["legal"] is True
    assert result["complete"] is False
    assert result["notes"][0]["rule"] == "before_history"


def test_penalties_follow_their_legal_dates(client: TestClient, loaded: None) -> None:
    # The stupéfiants awareness course was verified in force until 2020-03-24 only.
    now = client.get("/v1/offences/180", params={"as_of": "2026-06-01"}).json()
    assert {p["kind"] for p in now["penalties"]} == {"emprisonnement", "amende"}
    # history=true answers before the code's first release, with the penalties of that date.
    then = client.get("/v1/offences/180", params={"as_of": "2019-06-01", "history": True}).json()
    assert then["in_force"] is False
    assert {p["kind"] for p in then["penalties"]} == {
        "emprisonnement",
        "amende",
        "stage_sensibilisation_stupefiants",
    }
    stage = next(p for p in then["penalties"] if p["category"] == "complementaire")
    assert (stage["valid_from"], stage["valid_to"]) == ("2007-03-07", "2020-03-24")


@pytest.mark.parametrize(
    "body",
    [
        {"natinf": 11, "date": "2026-06-01"},
        {"natinf": 11, "date": "2026-02-30", "sentence": {}},
        {"natinf": 11, "date": 0, "sentence": {}},
        {"natinf": 11, "date": "1.5", "sentence": {}},
        {"natinf": "11", "date": "2026-06-01", "sentence": {}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {"fine_eur": "100"}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {"recidivism": "yes"}},
        {"natinf": 0, "date": "2026-06-01", "sentence": {}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {"imprisonment_months": -1}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {"fine_eur": "lots"}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {"death": True}},
        {"natinf": 11, "date": "2026-06-01", "sentence": {}, "extra": 1},
    ],
)
def test_bad_bodies_are_422(client: TestClient, loaded: None, body: dict[str, Any]) -> None:
    response = client.post("/v1/sentence-checks", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_code_is_404(client: TestClient, import_rows: ImportRows) -> None:
    import_rows(OFFICIAL + ROAD, "2026-01-26")
    response = client.post(
        "/v1/sentence-checks", json={"natinf": 99999, "date": "2026-06-01", "sentence": {}}
    )
    assert response.status_code == 404
