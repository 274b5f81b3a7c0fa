"""Who may do what, the order of the queue and its pages, second opinions and statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from registry_fakes import FieldsMatcher

from identity.matcher import Thresholds
from identity.review.config import ReviewSettings
from identity.review.deps import get_model_for_statistics

ENDPOINTS = [
    ("GET", "/v1/reviews", {"reviewer"}),
    ("GET", "/v1/reviews/statistics", {"reviewer", "statistician", "admin"}),
    ("GET", "/v1/reviews/{id}", {"reviewer"}),
    ("POST", "/v1/reviews/{id}/decision", {"reviewer"}),
    ("POST", "/v1/persons/{person}/split", {"reviewer"}),
]
ROLES = ["application", "reviewer", "statistician", "admin"]


@pytest.mark.parametrize(("method", "path", "allowed"), ENDPOINTS)
def test_each_endpoint_refuses_the_wrong_roles(
    client: TestClient,
    token: Callable[..., dict[str, str]],
    make_pair: Callable[..., Any],
    method: str,
    path: str,
    allowed: set[str],
) -> None:
    pair = make_pair("AUTH")
    url = path.format(id=pair["id"], person=pair["person_a"])
    body: dict[str, Any] | None = None
    if path.endswith("/decision"):
        body = {"decision": "unsure", "version": "1.0000000000"}
    elif path.endswith("/split"):
        body = {"merged_person_id": pair["person_b"], "reason": "test"}
    assert client.request(method, url, json=body).status_code == 401
    for role in ROLES:
        status = client.request(method, url, json=body, headers=token(role)).status_code
        if role in allowed:
            assert status not in {401, 403}, (role, status)
        else:
            assert status == 403, (role, status)


def test_queue_puts_persons_spanning_more_sources_first_and_pages_with_a_cursor(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    post: Callable[..., dict[str, Any]],
) -> None:
    plain = make_pair("P1", nom="ALPHA")
    wide = make_pair("P2", nom="BETA")
    # A third application's record joins the first BETA person (all fields agree) and is
    # suggested against the second: both BETA suggestions now span three sources.
    extra = post(
        "P2-3", source="APPI", nom="BETA", prenoms="JEAN", dn="1980-01-02", commune="75056"
    )
    assert extra["status"] == "linked"
    third = make_pair("P3", nom="GAMMA")
    seen: list[int] = []
    cursor = None
    while True:
        url = "/v1/reviews?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=reviewer).json()
        assert len(page["items"]) <= 1
        seen.extend(i["id"] for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4
    wide_first = seen[:2]
    assert wide["id"] in wide_first
    assert wide_first == sorted(wide_first)  # same sources and uncertainty: oldest first
    assert seen[2:] == [plain["id"], third["id"]]
    assert client.get("/v1/reviews?cursor=bogus", headers=reviewer).status_code == 400


def test_queue_filters_by_source(
    client: TestClient, reviewer: dict[str, str], make_pair: Callable[..., Any]
) -> None:
    genesis = make_pair("F1", nom="ALPHA", source_b="GENESIS")
    appi = make_pair("F2", nom="BETA", source_b="APPI")

    def ids(query: str) -> list[int]:
        return [i["id"] for i in client.get(query, headers=reviewer).json()["items"]]

    assert ids("/v1/reviews?source=APPI") == [appi["id"]]
    assert ids("/v1/reviews?source=GENESIS") == [genesis["id"]]
    assert sorted(ids("/v1/reviews?source=CASSIOPEE")) == sorted([genesis["id"], appi["id"]])
    assert client.get("/v1/reviews?source=bad source", headers=reviewer).status_code == 422


@pytest.fixture
def review_settings() -> ReviewSettings:
    return ReviewSettings(second_opinion_rate=1.0)


def test_second_opinion_goes_blind_to_another_reviewer_and_counts_agreement(
    client: TestClient,
    token: Callable[..., dict[str, str]],
    make_pair: Callable[..., Any],
) -> None:
    alice, bob = token("reviewer", subject="alice"), token("reviewer", subject="bob")
    agreed, disputed = make_pair("O1", nom="ALPHA"), make_pair("O2", nom="BETA")
    for pair, decision in ((agreed, "same"), (disputed, "different")):
        version = client.get(f"/v1/reviews/{pair['id']}", headers=alice).json()["version"]
        result = client.post(
            f"/v1/reviews/{pair['id']}/decision",
            json={"decision": decision, "version": version, "reason": "vu au dossier"},
            headers=alice,
        ).json()
        assert result["second_opinion_requested"] is True

    mine = client.get("/v1/reviews?status=second_opinion", headers=alice).json()
    assert mine["items"] == []
    theirs = client.get("/v1/reviews?status=second_opinion", headers=bob).json()
    assert sorted(i["id"] for i in theirs["items"]) == sorted([agreed["id"], disputed["id"]])

    blind = client.get(f"/v1/reviews/{agreed['id']}", headers=bob).json()
    assert blind["status"] == "second_opinion"
    assert blind["decisions"] == []
    refused = client.post(
        f"/v1/reviews/{agreed['id']}/decision",
        json={"decision": "same", "version": blind["version"]},
        headers=alice,
    )
    assert refused.status_code == 422
    answer = client.post(
        f"/v1/reviews/{agreed['id']}/decision",
        json={"decision": "same", "version": blind["version"]},
        headers=bob,
    ).json()
    assert (answer["kind"], answer["agreement"]) == ("second_opinion", True)

    other = client.get(f"/v1/reviews/{disputed['id']}", headers=bob).json()
    answer = client.post(
        f"/v1/reviews/{disputed['id']}/decision",
        json={"decision": "same", "version": other["version"]},
        headers=bob,
    ).json()
    assert answer["agreement"] is False
    # A second opinion never changes the registry: the persons stay apart.
    assert answer["person_ids"][0] != answer["person_ids"][1]

    stats = client.get("/v1/reviews/statistics", headers=token("statistician")).json()
    assert stats["second_opinions_answered"] == 2
    assert stats["agreement_rate"] == 0.5
    assert stats["disagreements"] == [disputed["id"]]
    assert stats["labels"] == 2
    assert sum(d["same"] + d["different"] for d in stats["decisions_per_day"]) == 2
    assert stats["auto_link_threshold"] == 0.999
    assert stats["scored_by_model"] == "test-fields-1"
    band = next(b for b in stats["precision_by_band"] if b["lower"] == 0.99)
    assert (band["labelled_pairs"], band["same"]) == (2, 1)
    assert stats["auto_link_precision"]["labelled_pairs"] == 0


def test_statistics_score_the_labels_with_the_model_in_service(
    app: FastAPI,
    client: TestClient,
    token: Callable[..., dict[str, str]],
    make_pair: Callable[..., Any],
) -> None:
    alice = token("reviewer", subject="alice")
    for tag, decision in (("M1", "same"), ("M2", "different"), ("M3", "same")):
        pair = make_pair(tag, nom=f"NOM{tag}")
        version = client.get(f"/v1/reviews/{pair['id']}", headers=alice).json()["version"]
        client.post(
            f"/v1/reviews/{pair['id']}/decision",
            json={"decision": decision, "version": version, "reason": "vu au dossier"},
            headers=alice,
        )
    # A retrained, more lenient model would auto-link these pairs (weight 7 >= its threshold):
    # the labels estimate the precision of those auto-links.
    lenient = FieldsMatcher(Thresholds(auto_link=0.99, review=0.5))
    app.dependency_overrides[get_model_for_statistics] = lambda: lenient
    stats = client.get("/v1/reviews/statistics", headers=token("admin")).json()
    auto = stats["auto_link_precision"]
    assert (auto["lower"], auto["labelled_pairs"], auto["same"]) == (0.99, 3, 2)
    assert auto["precision"] == pytest.approx(2 / 3)
    assert auto["wilson_low"] < 2 / 3 < auto["wilson_high"]
    app.dependency_overrides[get_model_for_statistics] = lambda: None
    unscored = client.get("/v1/reviews/statistics", headers=token("admin")).json()
    assert unscored["scored_by_model"] is None
    assert unscored["auto_link_precision"] is None
    assert sum(b["labelled_pairs"] for b in unscored["precision_by_band"]) == 3
