"""``GET /v1/articles/{code}/{article}``: the version in force on a date, its alinéas and the
penalties they state, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from refdata.law.loader import load_law
from refdata.releases.storage import BulkStore
from tests.refdata.law.conftest import MakeDataset


@pytest.fixture
def loaded(db_session: Session, make_law_dataset: MakeDataset, store: BulkStore) -> None:
    load_law(db_session, make_law_dataset(), store=store, published_on=date(2026, 12, 1))
    db_session.commit()


def penalties(body: dict[str, Any], alinea: int = 1) -> list[list[tuple[Any, ...]]]:
    statements = body["version"]["alineas"][alinea - 1]["penalties"]
    return [
        [(p["kind"], p["max_months"], p["amount"], p["currency"]) for p in s["penalties"]]
        for s in statements
    ]


@pytest.mark.usefixtures("loaded")
def test_the_penalty_in_force_on_the_date_of_the_facts(client: TestClient) -> None:
    before = client.get("/v1/articles/code-penal/226-4", params={"as_of": "2001-06-30"})
    after = client.get("/v1/articles/code-penal/226-4", params={"as_of": "2010-06-30"})
    assert before.status_code == after.status_code == 200
    assert penalties(before.json()) == [
        [("emprisonnement", 12, None, None), ("amende", None, 100000.0, "FRF")]
    ]
    assert penalties(after.json()) == [
        [("emprisonnement", 12, None, None), ("amende", None, 15000.0, "EUR")]
    ]
    body = after.json()
    assert body["version"]["version"] == 2
    assert body["version"]["valid_from"] == "2002-01-01"
    assert body["version"]["amended_by"] == "Ordonnance n°2000-916 du 19 septembre 2000"
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["corpus"]["as_of_covered"] is True
    assert "commit" in body["version"]["url"] or body["version"]["url"].startswith("https://")


@pytest.mark.usefixtures("loaded")
def test_after_the_corpus_the_last_known_version_is_marked_not_covered(
    client: TestClient,
) -> None:
    body = client.get("/v1/articles/code-penal/226-4", params={"as_of": "2024-01-01"}).json()
    assert body["corpus"]["known_until"] == "2015-05-07"
    assert body["corpus"]["as_of_covered"] is False
    assert "2015-05-07" in body["corpus"]["warning"]


@pytest.mark.usefixtures("loaded")
def test_a_reference_is_read_through_the_target_at_the_same_dates(client: TestClient) -> None:
    # Code de la route L330-6: "est puni des peines prévues par l'article 434-23 du code
    # pénal"; 434-23's fine changed from francs to euros on 2002-01-01.
    early = client.get("/v1/articles/code-de-la-route/L330-6", params={"as_of": "2001-07-01"})
    late = client.get("/v1/articles/code-de-la-route/L.330-6", params={"as_of": "2012-07-01"})
    statement = early.json()["version"]["alineas"][0]["penalties"][0]
    assert statement["form"] == "reference"
    assert statement["source"]["article"] == "434-23"
    assert (statement["valid_from"], statement["valid_to"]) == ("2001-06-01", "2002-01-01")
    assert [p["currency"] for p in statement["penalties"] if p["kind"] == "amende"] == ["FRF"]
    later = late.json()["version"]["alineas"][0]["penalties"][0]
    assert [(p["amount"], p["currency"]) for p in later["penalties"] if p["kind"] == "amende"] == [
        (75000.0, "EUR")
    ]


@pytest.mark.usefixtures("loaded")
def test_history_gives_every_version_with_its_alineas(client: TestClient) -> None:
    body = client.get("/v1/articles/code-penal/311-4", params={"history": "true"}).json()
    assert len(body["history"]) == len(body["versions"]) >= 2
    for version in body["history"]:
        first = version["alineas"][0]  # "Le vol est puni de cinq ans ..."
        # read, or listed as unread with why (v2 carries an editorial "[*taux*]" mark)
        assert first["penalties"] or first["unresolved"]
    unread = body["history"][1]["alineas"][0]["unresolved"]
    assert unread[0]["reason"]
    assert "[*taux*]" in unread[0]["sentence"]


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/v1/articles/code-penal/226-4?as_of=1990-01-01", 404, "was not in force on 1990-01-01"),
        ("/v1/articles/code-penal/999-9", 404, "no article 999-9"),
        ("/v1/articles/code-civil/1", 404, "not a code this service holds"),
        ("/v1/articles/code-penal/226-4?as_of=2001-13-01", 422, ""),
        ("/v1/articles/code-penal/226-4?as_of=0", 422, ""),
    ],
)
def test_errors_are_problems(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"]


def test_without_a_loaded_dataset_the_read_says_so(client: TestClient) -> None:
    response = client.get("/v1/articles/code-penal/226-4")
    assert response.status_code == 404
    assert "import-law" in response.json()["detail"]
