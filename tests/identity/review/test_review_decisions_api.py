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


def _decide(
    client: TestClient,
    headers: dict[str, str],
    review_id: int,
    version: str,
    decision: str,
    reason: str | None = None,
) -> Any:
    body: dict[str, Any] = {"decision": decision, "version": version}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"/v1/reviews/{review_id}/decision", json=body, headers=headers)


def test_different_requires_a_reason_and_records_a_cannot_link(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    read_review: Callable[[int], dict[str, Any]],
    post: Callable[..., dict[str, Any]],
    db_session: Session,
) -> None:
    pair = make_pair("D")
    version = read_review(pair["id"])["version"]
    refused = _decide(client, reviewer, pair["id"], version, "different")
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "motif" in refused.json()["detail"]
    assert db_session.get(MatchSuggestion, pair["id"]).status == "pending"

    ok = _decide(client, reviewer, pair["id"], version, "different", "nés à Lyon et à Oran")
    assert ok.status_code == 200, ok.text
    assert ok.json()["person_ids"] == [pair["person_b"], pair["person_a"]]
    # The second record is posted again, now agreeing on every field: without the decision
    # it would be auto-linked to the first person; the cannot-link forbids it.
    again = post(
        "D-2", source="GENESIS", nom="MARTIN", prenoms="JEAN", dn="1980-01-02", commune="75056"
    )
    assert again["person_id"] == pair["person_b"]
    assert again["status"] == "updated"
    assert again["link_status"] != "linked"


def test_a_stale_version_is_refused_with_409_and_changes_nothing(
    client: TestClient,
    reviewer: dict[str, str],
    token: Callable[..., dict[str, str]],
    make_pair: Callable[..., Any],
    read_review: Callable[[int], dict[str, Any]],
    db_session: Session,
) -> None:
    first, second = make_pair("V1"), make_pair("V2", nom="DUPONT")
    old_first = read_review(first["id"])["version"]
    # Another reviewer escalates the first suggestion meanwhile: its version moves on.
    bob = token("reviewer", subject="bob")
    assert _decide(client, bob, first["id"], old_first, "unsure").status_code == 200
    stale = _decide(client, reviewer, first["id"], old_first, "same")
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["title"] == "Stale review"
    assert problem["current_version"] == read_review(first["id"])["version"]
    assert db_session.get(MatchSuggestion, first["id"]).status == "pending"

    # A decided suggestion: 409 "already closed".
    version = read_review(second["id"])["version"]
    assert _decide(client, bob, second["id"], version, "same").status_code == 200
    closed = _decide(client, reviewer, second["id"], version, "same")
    assert closed.status_code == 409
    assert closed.json()["title"] == "Review already closed"


def test_a_merge_elsewhere_makes_the_page_stale(
    client: TestClient,
    reviewer: dict[str, str],
    post: Callable[..., dict[str, Any]],
    read_review: Callable[[int], dict[str, Any]],
    db_session: Session,
) -> None:
    # One record close to two persons (X-1, X-2 differ on the birthplace): two
    # suggestions share X-3's person. Merging through one changes what the other shows.
    post("X-1", nom="LEROY", prenoms="PAUL", dn="1975-05-05", commune="13055")
    post("X-2", source="APPI", nom="LEROY", prenoms="PAUL", dn="1975-05-05", commune="69123")
    third = post(
        "X-3", source="GENESIS", nom="LEROY", prenoms="PAUL", dn="1975-05-05", commune=None
    )
    assert third["status"] == "pending_review"
    ids = sorted(
        db_session.scalars(
            select(MatchSuggestion.id).where(MatchSuggestion.status == "pending")
        ).all()
    )
    assert len(ids) == 2
    versions = {i: read_review(i)["version"] for i in ids}
    assert _decide(client, reviewer, ids[0], versions[ids[0]], "same").status_code == 200
    stale = _decide(client, reviewer, ids[1], versions[ids[1]], "same")
    assert stale.status_code == 409
    assert stale.json()["title"] == "Stale review"


def test_unsure_escalates_and_leaves_the_pending_queue(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    read_review: Callable[[int], dict[str, Any]],
) -> None:
    pair = make_pair("U")
    version = read_review(pair["id"])["version"]
    response = _decide(client, reviewer, pair["id"], version, "unsure", "à vérifier")
    assert response.status_code == 200
    assert response.json()["status"] == "escalated"
    pending = client.get("/v1/reviews", headers=reviewer).json()
    assert pending["items"] == []
    assert pending["counts"]["escalated"] == 1
    escalated = client.get("/v1/reviews?status=escalated", headers=reviewer).json()
    assert [i["id"] for i in escalated["items"]] == [pair["id"]]
    review = read_review(pair["id"])
    assert [d["decision"] for d in review["decisions"]] == ["unsure"]
    final = _decide(client, reviewer, pair["id"], review["version"], "same")
    assert final.status_code == 200
    assert final.json()["status"] == "closed"


def test_undo_of_a_merge_brings_the_identifier_back(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    read_review: Callable[[int], dict[str, Any]],
    db_session: Session,
) -> None:
    pair = make_pair("U2")
    version = read_review(pair["id"])["version"]
    merged = _decide(client, reviewer, pair["id"], version, "same").json()
    survivor, gone = merged["survivor_person_id"], merged["merged_person_id"]

    no_reason = client.post(
        f"/v1/persons/{survivor}/split",
        json={"merged_person_id": gone, "reason": " "},
        headers=reviewer,
    )
    assert no_reason.status_code == 422
    response = client.post(
        f"/v1/persons/{survivor}/split",
        json={"merged_person_id": gone, "reason": "homonyme : autre lieu de naissance"},
        headers=reviewer,
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["restored_person_id"] == gone
    assert out["records_moved"] == 1
    assert out["revoked_decision_id"] is not None

    back = client.get(f"/v1/persons/{gone}", headers=reviewer, follow_redirects=False)
    assert back.status_code == 200
    assert back.json()["status"] == "active"
    kinds = [e["kind"] for e in back.json()["events"]]
    assert "merged_into" in kinds
    assert "split_from" in kinds
    staying = client.get(f"/v1/persons/{survivor}", headers=reviewer).json()
    assert sum(len(v) for v in staying["records_by_source"].values()) == 1
    # The "same" is revoked and a "different" keeps them apart.
    decisions = db_session.scalars(select(Decision).order_by(Decision.id)).all()
    assert [(d.decision, d.revoked_by_id is not None) for d in decisions] == [
        ("same", True),
        ("different", False),
    ]
    assert {decisions[1].record_a_id, decisions[1].record_b_id} == {
        pair["record_a"],
        pair["record_b"],
    }
    again = client.post(
        f"/v1/persons/{survivor}/split",
        json={"merged_person_id": gone, "reason": "encore"},
        headers=reviewer,
    )
    assert again.status_code == 409


def test_split_rejects_malformed_and_unknown_identifiers(
    client: TestClient, reviewer: dict[str, str], make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("U3")
    malformed = client.post(
        "/v1/persons/NOT-AN-ID/split",
        json={"merged_person_id": pair["person_b"], "reason": "test"},
        headers=reviewer,
    )
    assert malformed.status_code == 422
    not_merged = client.post(
        f"/v1/persons/{pair['person_a']}/split",
        json={"merged_person_id": pair["person_b"], "reason": "test"},
        headers=reviewer,
    )
    assert not_merged.status_code == 409
