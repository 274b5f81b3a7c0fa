"""GET /v1/changes: what changed for an application's records — ordered, resumable, paginated,
filtered to the caller's records, in commit-safe order, kept across retention."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_fakes import FieldsMatcher, TraitsMatcher
from registry_helpers import make_record, shared_factory
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from identity.changes import ChangeFeed, parse_cursor
from identity.config import RegistrySettings
from identity.crypto import RegistryCrypto
from identity.deps import get_matcher
from identity.models import Link, SourceRecord
from identity.repository import RegistryRepository
from identity.repository.changes import ChangeRepository
from identity.resolve import Resolver
from identity.retention import run_retention
from identity.schemas import RecordIn
from srj.db import make_session_factory

Post = Callable[..., dict[str, Any]]
Token = Callable[..., dict[str, str]]


def _feed(
    client: TestClient, headers: dict[str, str], after: str | None = None, limit: int = 100
) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    response = client.get("/v1/changes", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _all(client: TestClient, headers: dict[str, str], limit: int) -> tuple[list[Any], str | None]:
    changes: list[Any] = []
    cursor = None
    for _ in range(1000):
        page = _feed(client, headers, cursor, limit)
        assert len(page["changes"]) <= limit
        changes.extend(page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return changes, cursor
    raise AssertionError("the feed never ended")


def test_an_application_reads_what_changed_for_its_records(
    post: Post, client: TestClient, token: Token
) -> None:
    cassiopee = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    genesis = token("application", subject="genesis", sources=["GENESIS"])
    a = post("R1")["person_id"]
    post("E-1", source="GENESIS")  # joins A: GENESIS's change only
    b = post("R2", nom="DURAND")["person_id"]
    post("R2")  # corrected: moves to A, B (left empty) redirects to A
    post("R1", nom_usage="DURAND")  # new traits, same person

    changes = _feed(client, cassiopee)["changes"]
    assert [[(r["source_ref"], r["change"]) for r in c["records"]] for c in changes] == [
        [("R1", "added")],
        [("R2", "added")],
        [("R2", "moved")],
        [("R1", "updated")],
    ]
    assert all(c["cause"] == "auto" for c in changes)
    added, _, moved, updated = changes
    assert added["records"][0] == {
        "source": "CASSIOPEE",
        "source_ref": "R1",
        "change": "added",
        "person_before": None,
        "person_after": a,
    }
    assert added["created_person_ids"] == [a]
    assert moved["records"][0]["person_before"] == b
    assert moved["records"][0]["person_after"] == a
    assert moved["redirects"] == [{"from_person_id": b, "to_person_id": a}]
    assert updated["records"][0]["person_before"] == updated["records"][0]["person_after"] == a

    other = _feed(client, genesis)["changes"]
    assert [[(r["source"], r["source_ref"]) for r in c["records"]] for c in other] == [
        [("GENESIS", "E-1")]
    ]
    # Another application's references never show.
    assert "E-1" not in str(changes)
    assert "R1" not in str(other)


def test_the_feed_pages_and_resumes_exactly(post: Post, client: TestClient, token: Token) -> None:
    headers = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    for i in range(7):
        post(f"P{i}", nom=f"NOM{i % 3}", prenoms=f"P{i % 2}")
    post("P1", nom="NOM0", prenoms="P0")  # a move
    whole = _feed(client, headers)
    assert whole["has_more"] is False
    for size in (1, 2, 3):
        paged, cursor = _all(client, headers, size)
        assert paged == whole["changes"]
        assert cursor == whole["next_cursor"]
    ids = [c["change_id"] for c in whole["changes"]]
    assert len(ids) == len(set(ids))

    # Nothing new: the same cursor back, no change. Then one change, and only it.
    again = _feed(client, headers, whole["next_cursor"])
    assert again == {"changes": [], "next_cursor": whole["next_cursor"], "has_more": False}
    post("P9", nom="ZOLA")
    resumed = _feed(client, headers, whole["next_cursor"])
    assert [[r["source_ref"] for r in c["records"]] for c in resumed["changes"]] == [["P9"]]
    # A consumer starting now: the cursor of the latest change, then only what follows.
    head = _feed(client, headers, "head")
    assert head == {"changes": [], "next_cursor": resumed["next_cursor"], "has_more": False}
    post("P10", nom="HUGO")
    assert [
        r["source_ref"]
        for c in _feed(client, headers, head["next_cursor"])["changes"]
        for r in c["records"]
    ] == ["P10"]


def test_who_may_read_the_feed(client: TestClient, token: Token) -> None:
    assert client.get("/v1/changes").status_code == 401
    for role in ("reviewer", "statistician", "admin"):
        response = client.get("/v1/changes", headers=token(role, sources=["CASSIOPEE"]))
        assert response.status_code == 403
    nothing = client.get("/v1/changes", headers=token("application"))
    assert nothing.status_code == 403
    assert "source" in nothing.json()["detail"]
    bad = client.get(
        "/v1/changes",
        params={"after": "12; DROP TABLE"},
        headers=token("application", sources=["CASSIOPEE"]),
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_retention_leaves_the_feed_whole(
    post: Post, client: TestClient, token: Token, db_session: Session
) -> None:
    headers = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    pid = post("R1", record_date="2001-05-05")["person_id"]
    before = _feed(client, headers)
    run_retention(shared_factory(db_session), today=date(2099, 1, 1))
    after = _feed(client, headers, before["next_cursor"])
    assert [c["cause"] for c in after["changes"]] == ["retention"]
    deleted = after["changes"][0]
    assert deleted["records"] == [
        {
            "source": "CASSIOPEE",
            "source_ref": None,  # the registry no longer holds it
            "change": "deleted",
            "person_before": pid,
            "person_after": None,
        }
    ]
    # The history stays readable from the start: the earlier change, now without reference.
    replay = _feed(client, headers)["changes"]
    assert [r["change"] for c in replay for r in c["records"]] == ["added", "deleted"]


# -- an application applying the feed knows the current person of each of its records ------

SURNAMES = st.sampled_from(["GARNIER", "ROUSSEAU", None])
GIVEN = st.sampled_from(["THIBAULT", "LUC", None])
DATES = st.sampled_from(["1979-05-17", "1979-08-02", "1979", None])
PLACES = st.sampled_from(["44109", "13055", None])
_examples = itertools.count()


@pytest.fixture
def traits_app(app: FastAPI) -> FastAPI:
    matcher = TraitsMatcher()
    app.dependency_overrides[get_matcher] = lambda: matcher
    return app


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["CASSIOPEE", "GENESIS"]),
            st.integers(0, 3),
            SURNAMES,
            GIVEN,
            DATES,
            PLACES,
        ).filter(lambda t: any(t[2:])),
        min_size=1,
        max_size=10,
    ),
    page=st.integers(1, 4),
)
def test_applying_the_feed_gives_every_record_its_current_person(
    traits_app: FastAPI,
    client: TestClient,
    token: Token,
    db_session: Session,
    crypto: RegistryCrypto,
    steps: list[tuple[Any, ...]],
    page: int,
) -> None:
    writer = token("application", subject="both", sources=["CASSIOPEE", "GENESIS"])
    reader = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    example = next(_examples)
    start = _feed(client, reader, limit=1000)["next_cursor"]  # earlier examples' history
    for source, ref, nom, prenom, dn, commune in steps:
        body = make_record(
            f"X{example}-{ref}", source=source, nom=nom, prenoms=prenom, dn=dn, commune=commune
        )
        assert client.post("/v1/records", json=body, headers=writer).status_code == 200

    cache: dict[str, str | None] = {}
    cursor = start
    while True:
        got = _feed(client, reader, cursor, page)
        for change in got["changes"]:
            for record in change["records"]:
                assert record["source"] == "CASSIOPEE"
                cache[record["source_ref"]] = record["person_after"]
        cursor = got["next_cursor"]
        if not got["has_more"]:
            break

    rows = db_session.execute(
        select(SourceRecord.id, SourceRecord.seal_key_id, SourceRecord.sealed, Link.person_id)
        .join(Link, Link.record_id == SourceRecord.id)
        .where(SourceRecord.source == "CASSIOPEE")
    ).all()
    truth = {}
    for rid, key, sealed, person in rows:
        ref = crypto.sealer.open(rid, key, sealed)["source_ref"]
        if ref.startswith(f"X{example}-"):
            truth[ref] = person
    assert cache == truth


# -- commit order: a change committed late is never left behind a cursor ---------------------


@pytest.mark.skipif(
    "postgresql" not in os.environ.get("SRJ_TEST_BACKENDS", "sqlite,postgresql"),
    # Justified: only PostgreSQL lets two writers interleave; SQLite queues the second writer
    # behind the first (BEGIN IMMEDIATE), so its ids are already in commit order.
    reason="concurrent writers interleave on PostgreSQL only",
)
def test_a_change_committed_late_is_not_passed_by_the_cursor(
    database_factory: Callable[[str], str], crypto: RegistryCrypto
) -> None:
    from srj.db import make_engine

    engine: Engine = make_engine(database_factory("postgresql"))
    try:
        factory = make_session_factory(engine, write=True)
        matcher = FieldsMatcher()
        config = RegistrySettings()

        def resolver(session: Session) -> Resolver:
            return Resolver(RegistryRepository(session), matcher, crypto, config, actor="t")

        def feed() -> tuple[list[str], str | None]:
            with make_session_factory(engine)() as session:
                out = ChangeFeed(ChangeRepository(session), crypto).page(
                    {"CASSIOPEE"}, parse_cursor(cursor), 100
                )
            refs = [r.source_ref or "" for c in out.changes for r in c.records]
            return refs, out.next_cursor

        cursor: str | None = None
        slow = factory()
        # The slow writer writes first (its events take the smaller ids), commits last.
        resolver(slow).resolve(RecordIn.model_validate(make_record("SLOW", nom="LENT")))
        slow.flush()
        done = threading.Event()

        def quick_writer() -> None:
            with factory() as quick:
                resolver(quick).resolve(
                    RecordIn.model_validate(make_record("QUICK", nom="VITE", dn="1990-09-09"))
                )
                quick.commit()
            done.set()

        thread = threading.Thread(target=quick_writer)
        thread.start()
        thread.join(timeout=30)
        assert done.is_set(), "the two writers share no lock: the quick one must not wait"

        seen, cursor = feed()
        # QUICK is committed, but an older transaction is in flight: not served yet.
        assert seen == []
        slow.commit()
        slow.close()
        seen, cursor = feed()
        assert seen == ["SLOW", "QUICK"]
    finally:
        engine.dispose()
