"""POST /v1/records:batch (one transaction, all or nothing, per-record answers) and
POST /v1/records:match (what POST /v1/records would do, writing nothing, audit-logged)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_fakes import TraitsMatcher
from registry_helpers import decide_different, make_record, record_id_of
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.deps import get_matcher
from identity.models import (
    AccessLogEntry,
    Link,
    MatchSuggestion,
    Person,
    PersonEvent,
    SourceRecord,
)
from identity.schemas import MAX_BATCH_RECORDS
from matching.records import SOURCES

Post = Callable[..., dict[str, Any]]
Token = Callable[..., dict[str, str]]


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (SourceRecord, Person, Link, MatchSuggestion, PersonEvent)
    )


@pytest.fixture
def writer(token: Token) -> dict[str, str]:
    return token("application", subject="cassiopee-sync", sources=["CASSIOPEE", "GENESIS"])


# -- batch ------------------------------------------------------------------------------------


def test_a_batch_resolves_in_order_and_answers_per_record(
    client: TestClient, writer: dict[str, str], db_session: Session
) -> None:
    records = [
        make_record("B1"),
        make_record("B2", nom="DURAND"),
        make_record("E-1", source="GENESIS"),  # the same person as B1, earlier in the batch
        make_record("B3", commune=None),  # review band against B1's person
    ]
    response = client.post("/v1/records:batch", json={"records": records}, headers=writer)
    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    assert [r["record"]["source_ref"] for r in results] == ["B1", "B2", "E-1", "B3"]
    assert [r["status"] for r in results] == ["new", "new", "linked", "pending_review"]
    assert results[2]["person_id"] == results[0]["person_id"]
    assert body["counts"] == {"linked": 1, "new": 2, "pending_review": 1}

    again = client.post(
        "/v1/records:batch",
        json={"records": [records[0], {**records[1], "nom_usage": "MARTIN"}]},
        headers=writer,
    ).json()
    assert [r["status"] for r in again["results"]] == ["unchanged", "updated"]
    assert again["counts"] == {"unchanged": 1, "updated": 1}
    assert _counts(db_session)[0] == 4


def test_a_batch_is_all_or_nothing_naming_each_bad_record(
    client: TestClient, writer: dict[str, str], db_session: Session
) -> None:
    before = _counts(db_session)
    good = make_record("G1")
    bad = [
        ({**make_record("G2"), "sexe": "Z"}, ["body", "records", "2", "sexe"], 422),
        (make_record("G3", source="SIRIUS"), ["body", "records", "2", "source"], 422),
        (make_record("G4", source="APPI"), ["body", "records", "2", "source"], 403),
        (
            {**make_record("G5"), "record_date": "9999-12-31"},
            ["body", "records", "2", "record_date"],
            422,
        ),
    ]
    for record, location, status in bad:
        response = client.post(
            "/v1/records:batch", json={"records": [good, good, record]}, headers=writer
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        errors = response.json()["errors"]
        assert [e["location"] for e in errors] == [location]
        assert "G2" not in response.text
        assert "G3" not in response.text
    assert _counts(db_session) == before


def test_a_batch_holds_one_to_a_thousand_records(
    client: TestClient, writer: dict[str, str]
) -> None:
    empty = client.post("/v1/records:batch", json={"records": []}, headers=writer)
    assert empty.status_code == 422
    many = [make_record(f"M{i}") for i in range(MAX_BATCH_RECORDS + 1)]
    too_many = client.post("/v1/records:batch", json={"records": many}, headers=writer)
    assert too_many.status_code == 422
    assert "1000" in too_many.json()["detail"]


def test_a_batch_is_for_applications_only(client: TestClient, token: Token) -> None:
    body = {"records": [make_record("R1")]}
    for role in ("reviewer", "statistician", "admin"):
        response = client.post(
            "/v1/records:batch", json=body, headers=token(role, sources=["CASSIOPEE"])
        )
        assert response.status_code == 403


# -- dry run ----------------------------------------------------------------------------------


def _match(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/records:match", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_dry_run_says_what_a_post_would_do_and_writes_nothing_but_the_access_log(
    post: Post, client: TestClient, token: Token, db_session: Session
) -> None:
    martin = post("R1")["person_id"]
    durand = post("R2", nom="DURAND")["person_id"]  # shares the date of birth: a candidate
    clerk = {**token("application", subject="greffe-lyon"), "X-Purpose": "accueil du public"}
    before = _counts(db_session)

    same = _match(client, clerk, make_record("NEW-1", source="GENESIS"))
    assert same["would"] == {
        "status": "linked",
        "link_status": "linked",
        "person_id": martin,
        "match_probability": same["candidates"][0]["match_probability"],
        "previous_person_id": None,
    }
    assert same["record_held"] is False
    assert same["evidence"] is True
    assert [(c["person_id"], c["verdict"]) for c in same["candidates"]] == [
        (martin, "link"),
        (durand, "none"),
    ]
    assert same["candidates"][0]["match_probability"] >= same["auto_link_threshold"]
    assert same["candidates"][1]["match_probability"] < same["review_threshold"]

    close = _match(client, clerk, make_record("NEW-2", commune=None))
    assert close["would"]["status"] == "pending_review"
    assert close["would"]["person_id"] is None  # a new person would be created
    assert [(c["person_id"], c["verdict"]) for c in close["candidates"]] == [
        (martin, "review"),
        (durand, "none"),
    ]

    nobody = _match(client, clerk, make_record("NEW-3", nom="ZOLA", dn="1950-03-03"))
    assert nobody["would"]["status"] == "new"
    assert nobody["candidates"] == []

    assert _counts(db_session) == before  # nothing written...
    log = db_session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
    # ...but the access log: one entry per person shown, one without a person for none.
    assert {(e.subject, e.endpoint, e.purpose) for e in log} == {
        ("greffe-lyon", "POST /v1/records:match", "accueil du public")
    }
    assert [e.person_id for e in log] == [martin, durand, martin, durand, None]

    # Posting each record now does what the dry run said.
    assert post("NEW-1", source="GENESIS")["person_id"] == martin
    posted = post("NEW-2", commune=None)
    assert posted["status"] == "pending_review"
    assert posted["person_id"] != martin


def test_the_dry_run_of_held_records(
    post: Post,
    client: TestClient,
    token: Token,
    db_session: Session,
    crypto: RegistryCrypto,
) -> None:
    reader = token("reviewer")
    martin = post("R1")["person_id"]
    other = post("R2", nom="DURAND")["person_id"]
    held = _match(client, reader, make_record("R1"))
    assert held["would"]["status"] == "unchanged"
    assert held["would"]["person_id"] == martin
    assert held["record_held"] is True
    assert held["evidence"] is None
    # R2 corrected to agree with R1: it would move, leaving its identifier behind.
    moved = _match(client, reader, make_record("R2"))
    assert moved["would"]["status"] == "updated"
    assert moved["would"]["person_id"] == martin
    assert moved["would"]["previous_person_id"] == other
    # A reviewer declared them different: it would stay, and the candidate is excluded.
    decide_different(
        db_session,
        record_id_of(db_session, crypto, "CASSIOPEE", "R1"),
        record_id_of(db_session, crypto, "CASSIOPEE", "R2"),
    )
    kept = _match(client, reader, make_record("R2"))
    assert kept["would"]["person_id"] == other
    assert kept["candidates"][0] == {**kept["candidates"][0], "verdict": "excluded"}


def test_the_dry_run_needs_a_reading_role(client: TestClient, token: Token) -> None:
    for role in ("statistician", "admin"):
        response = client.post("/v1/records:match", json=make_record("R1"), headers=token(role))
        assert response.status_code == 403
    unknown = client.post(
        "/v1/records:match", json=make_record("R1", source="SIRIUS"), headers=token("reviewer")
    )
    assert unknown.status_code == 422


# -- the dry run is the decision resolve takes ------------------------------------------------

SURNAMES = st.sampled_from(["GARNIER", "ROUSSEAU", None])
GIVEN = st.sampled_from(["THIBAULT", "LUC", None])
DATES = st.sampled_from(["1979-05-17", "1979-08-02", "1979", None])
PLACES = st.sampled_from(["44109", "13055", None])
_examples = itertools.count()


@pytest.fixture
def traits_app(app: FastAPI) -> FastAPI:
    # The linkage library's own evidence rule and clustering consistency, transparent scores.
    matcher = TraitsMatcher()
    app.dependency_overrides[get_matcher] = lambda: matcher
    return app


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 4), SURNAMES, GIVEN, DATES, PLACES).filter(lambda t: any(t[1:])),
        min_size=1,
        max_size=8,
    )
)
def test_what_the_dry_run_predicts_is_what_a_post_does(
    traits_app: FastAPI,
    client: TestClient,
    token: Token,
    db_session: Session,
    steps: list[tuple[Any, ...]],
) -> None:
    """Whatever the registry holds (reviewers aside), the dry run of a record answers what
    posting it then answers: status, person (or a new one), probability."""
    headers = token("application", subject="property", sources=SOURCES)
    example = next(_examples)
    for ref, nom, prenom, dn, commune in steps:
        # References repeat within an example (re-posts, corrections), never across examples.
        body = make_record(f"P{example}-{ref}", nom=nom, prenoms=prenom, dn=dn, commune=commune)
        predicted = _match(client, headers, body)["would"]
        persons_before = set(db_session.scalars(select(Person.id)))
        response = client.post("/v1/records", json=body, headers=headers)
        assert response.status_code == 200, response.text
        done = response.json()
        assert predicted["status"] == done["status"], (predicted, done)
        assert predicted["link_status"] == done["link_status"]
        assert predicted["match_probability"] == done["match_probability"]
        assert predicted["previous_person_id"] == done["previous_person_id"]
        if predicted["person_id"] is None:  # a new person, made by the post
            assert done["person_id"] not in persons_before
        else:
            assert predicted["person_id"] == done["person_id"]


def test_the_access_log_names_the_full_route_templates(
    client: TestClient, writer: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="srj.access")
    client.post("/v1/records:batch", json={"records": [make_record("L1")]}, headers=writer)
    client.post("/v1/records:match", json=make_record("L2"), headers=writer)
    routes = {getattr(r, "route", None) for r in caplog.records}
    assert {"/v1/records:batch", "/v1/records:match"} <= routes
