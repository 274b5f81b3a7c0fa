"""Concurrent writers, with real committed transactions (not the savepoint fixture)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from registry_fakes import FieldsMatcher
from registry_helpers import as_record, make_record
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from identity.config import RegistrySettings
from identity.crypto import RegistryCrypto
from identity.models import Link, Person, SourceRecord
from identity.repository import RegistryRepository
from identity.resolve import Resolution, Resolver
from srj.db import make_session_factory, session_scope

THREADS = 6


def _race(engine: Engine, crypto: RegistryCrypto, bodies: list[dict[str, Any]]) -> list[Any]:
    """Resolve each body in its own thread and transaction, all released at once."""
    factory = make_session_factory(engine, write=True)
    matcher, config = FieldsMatcher(), RegistrySettings()
    barrier = threading.Barrier(len(bodies))
    results: list[Any] = [None] * len(bodies)

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(factory) as session:
                resolver = Resolver(
                    RegistryRepository(session), matcher, crypto, config, actor=f"app-{i}"
                )
                results[i] = resolver.resolve(as_record(bodies[i]))
        except Exception as exc:  # reported by the assertion below, with its type
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(make_session_factory(engine)) as s:
        records = s.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
        persons = s.execute(
            select(func.count(func.distinct(Link.person_id))).select_from(Link)
        ).scalar_one()
        all_persons = s.execute(select(func.count()).select_from(Person)).scalar_one()
    return records, persons, all_persons


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_posts_of_one_new_person_make_one_person(
    fresh_engine: Engine, crypto: RegistryCrypto, round_: int
) -> None:
    bodies = [
        make_record(f"{round_}-{i}", source=src, nom=f"NOUVEAU{round_}")
        for i, src in enumerate(["CASSIOPEE", "GENESIS", "APPI", "PARCOURS", "WINEUR", "PORTALIS"])
    ]
    results = _race(fresh_engine, crypto, bodies)
    assert all(isinstance(r, Resolution) for r in results), results
    persons = {r.person_id for r in results}
    assert len(persons) == 1
    statuses = sorted(r.status.value for r in results)
    assert statuses == ["linked"] * (THREADS - 1) + ["new"]


def test_simultaneous_posts_of_one_record_make_one_record(
    fresh_engine: Engine, crypto: RegistryCrypto
) -> None:
    bodies = [make_record("SAME-REF", nom="UNIQUE", sexe=s) for s in ["M", "F"] * (THREADS // 2)]
    results = _race(fresh_engine, crypto, bodies)
    assert all(isinstance(r, Resolution) for r in results), results
    records, linked_persons, all_persons = _counts(fresh_engine)
    assert records == 1
    assert linked_persons == 1
    assert all_persons == 1
    assert len({r.record_id for r in results}) == 1


def test_posts_through_http_with_committed_transactions(
    fresh_engine: Engine, crypto: RegistryCrypto, settings: Any, token: Callable[..., Any]
) -> None:
    from fastapi.testclient import TestClient

    from entrypoint.app import create_app
    from identity.config import get_registry_settings
    from identity.deps import get_matcher
    from srj.settings import get_settings

    app = create_app(settings, engine=fresh_engine)
    matcher = FieldsMatcher()
    app.dependency_overrides[get_matcher] = lambda: matcher
    config = RegistrySettings()
    app.dependency_overrides[get_registry_settings] = lambda: config
    app.dependency_overrides[get_settings] = lambda: settings
    headers = token("application", sources=["CASSIOPEE"])
    barrier = threading.Barrier(THREADS)
    answers: list[Any] = [None] * THREADS
    with TestClient(app) as client:

        def worker(i: int) -> None:
            barrier.wait(timeout=10)
            answers[i] = client.post(
                "/v1/records", json=make_record(f"H{i}", nom="HTTPRACE"), headers=headers
            )

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert [a.status_code for a in answers] == [200] * THREADS
    assert len({a.json()["person_id"] for a in answers}) == 1
    assert _counts(fresh_engine) == (THREADS, 1, 1)
