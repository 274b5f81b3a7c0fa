"""The review API end to end on both databases: queue, reading, deciding, undoing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.models import AccessLogEntry, Decision, Link, MatchSuggestion


def test_queue_lists_pending_suggestion_without_traits(
    client: TestClient, reviewer: dict[str, str], make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("Q", nom="ZORGLUB")
    response = client.get("/v1/reviews", headers=reviewer)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["id"] for item in page["items"]] == [pair["id"]]
    item = page["items"][0]
    assert set(item["person_ids"]) == {pair["person_a"], pair["person_b"]}
    assert sorted(item["sources"]) == ["CASSIOPEE", "GENESIS"]
    assert item["sources_in_persons"] == 2
    assert page["counts"] == {"pending": 1, "escalated": 0, "second_opinion": 0}
    assert "ZORGLUB" not in response.text


def test_reading_a_review_shows_both_identities_and_logs_access(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    db_session: Session,
) -> None:
    pair = make_pair("R")
    response = client.get(f"/v1/reviews/{pair['id']}", headers=reviewer)
    assert response.status_code == 200, response.text
    review = response.json()
    assert review["left"]["record"]["source_ref"] == "R-2"
    assert review["right"]["record"]["source_ref"] == "R-1"
    assert review["left"]["traits"]["nom_naissance"] == "MARTIN"
    rows = {row["field"]: row["agreement"] for row in review["comparison"]}
    assert rows["nom_naissance"] == "agree"
    assert rows["lieu_naissance"] == "missing"
    weights = {c["comparison"]: c["weight"] for c in review["contributions"]}
    assert weights == {
        "nom_naissance": 5.0,
        "prenoms": 5.0,
        "date_naissance": 5.0,
        "code_commune_naissance": 0.0,
    }
    assert review["prior_weight"] == -8.0
    logged = db_session.scalars(
        select(AccessLogEntry.person_id).where(
            AccessLogEntry.endpoint == "GET /v1/reviews/{review_id}"
        )
    ).all()
    assert set(logged) == {pair["person_a"], pair["person_b"]}


def test_same_merges_the_two_persons_and_the_other_redirects(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    read_review: Callable[[int], dict[str, Any]],
    db_session: Session,
    token: Callable[..., dict[str, str]],
) -> None:
    pair = make_pair("S")
    version = read_review(pair["id"])["version"]
    response = client.post(
        f"/v1/reviews/{pair['id']}/decision",
        json={"decision": "same", "version": version},
        headers=reviewer,
    )
    assert response.status_code == 200, response.text
    result = response.json()
    survivor, merged = result["survivor_person_id"], result["merged_person_id"]
    assert {survivor, merged} == {pair["person_a"], pair["person_b"]}
    reader = token("reviewer", subject="bob")
    gone = client.get(f"/v1/persons/{merged}", headers=reader, follow_redirects=False)
    assert gone.status_code == 308
    assert gone.json()["merged_into"] == survivor
    person = client.get(f"/v1/persons/{survivor}", headers=reader).json()
    refs = sorted(r["source_ref"] for recs in person["records_by_source"].values() for r in recs)
    assert refs == ["S-1", "S-2"]
    links = db_session.scalars(
        select(Link).where(Link.record_id.in_([pair["record_a"], pair["record_b"]]))
    ).all()
    assert {lk.origin for lk in links} == {"manual"}
    decision = db_session.scalars(
        select(Decision).where(Decision.suggestion_id == pair["id"])
    ).one()
    assert (decision.decision, decision.reviewer) == ("same", "alice")
    assert db_session.get(MatchSuggestion, pair["id"]).status == "closed"
