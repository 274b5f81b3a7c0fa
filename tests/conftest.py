"""Shared fixtures: a migrated database per backend, per-test rollback, an API client.

Every test that asks for ``engine``/``db_session``/``client`` runs once per backend named in
``SRJ_TEST_BACKENDS`` (default ``sqlite,postgresql``). PostgreSQL tests get a database of
their own, created for the test session and dropped after it, so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from srj.db import make_engine
from srj.schema import upgrade
from srj.settings import Settings

BACKENDS = [
    b.strip()
    for b in os.environ.get("SRJ_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]
PG_ADMIN_URL = os.environ.get(
    "SRJ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _create_pg_database() -> tuple[str, str]:
    name = f"srj_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return name, url


def _drop_pg_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], str]]:
    """Creates fresh, migrated databases; drops the PostgreSQL ones at the end."""
    created: list[str] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / "srj.db"
            url = f"sqlite:///{path}"
        elif backend == "postgresql":
            name, url = _create_pg_database()
            created.append(name)
        else:
            raise ValueError(f"unknown backend {backend}")
        upgrade(url)
        return url

    yield make
    for name in created:
        _drop_pg_database(name)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, database_factory: Callable[[str], str]) -> str:
    return database_factory(request.param)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(env="test", data_dir=tmp_path / "var", database_url=database_url)


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints of an outer transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app(settings: Settings, engine: Engine, db_session: Session) -> FastAPI:
    """The app on the test database; every request shares the test's rolled-back transaction."""
    from entrypoint.app import create_app

    application = create_app(settings, engine=engine)

    # Requests commit/close what the factory gives; keep the shared session open for the test.
    class _SharedSession:
        def __call__(self) -> Session:
            # Duck-typed: the proxy forwards everything but close() to the real session.
            return cast(Session, _NonClosingSession(db_session))

    application.state.session_factory = _SharedSession()
    application.state.write_session_factory = _SharedSession()
    from srj.settings import get_settings

    application.dependency_overrides[get_settings] = lambda: settings
    return application


class _NonClosingSession:
    """Proxy that lets request code commit (a savepoint) but not close the shared session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def token(settings: Settings) -> Callable[..., dict[str, str]]:
    """``token("reviewer")`` -> an Authorization header for that role; ``sources=[...]``: the
    source applications an application token may write."""
    from srj.auth import Role, issue_token

    def make(
        *roles: str, subject: str = "test-user", sources: Sequence[str] = ()
    ) -> dict[str, str]:
        value = issue_token(
            settings, subject=subject, roles=[Role(r) for r in roles], sources=sources
        )
        return {"Authorization": f"Bearer {value}"}

    return make
