"""Faults: a database outage answers 503 problem+json with Retry-After (and keeps the client's
connection), on both databases; the registry's reads and writes alike."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from registry_fakes import FieldsMatcher
from registry_helpers import make_record
from sqlalchemy.engine import Engine, make_url

from identity.config import RegistrySettings, get_registry_settings
from identity.deps import get_matcher
from identity.ids import new_person_id
from matching.records import SOURCES
from srj.db import make_engine
from srj.settings import Settings, get_settings

Token = Callable[..., dict[str, str]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def down_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database that is not there: PostgreSQL on a port where nothing
    listens (a stopped server), SQLite in a directory removed after the engine was made (an
    unmounted volume)."""
    if database_url.startswith("sqlite"):
        folder = tmp_path / "volume"
        engine = make_engine(f"sqlite:///{folder / 'srj.db'}")
        shutil.rmtree(folder)
    else:
        url = make_url(database_url).set(port=_free_port())
        engine = make_engine(url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


@pytest.fixture
def down_app(down_engine: Engine, settings: Settings) -> FastAPI:
    from entrypoint.app import create_app

    app = create_app(settings, engine=down_engine, check_schema=False)
    app.dependency_overrides[get_matcher] = lambda: FieldsMatcher()
    app.dependency_overrides[get_registry_settings] = lambda: RegistrySettings()
    app.dependency_overrides[get_settings] = lambda: settings
    return app


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["title"] == "Database unavailable"
    # No internals: neither the driver's message nor where the database lives.
    assert "5432" not in response.text
    assert "sqlite" not in response.text.lower()
    assert "MARTIN" not in response.text


@pytest.fixture
def served(down_app: FastAPI) -> Iterator[str]:
    """The app behind a real HTTP server, to see what the connection does after the error."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(down_app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_an_outage_answers_503_with_retry_after_on_one_kept_connection(
    served: str, token: Token
) -> None:
    writer = token("application", sources=SOURCES)
    reader = token("reviewer")

    with httpx.Client(base_url=served, timeout=30) as client:
        seen: set[Any] = set()
        for _ in range(2):
            posted = client.post("/v1/records", json=make_record("R1"), headers=writer)
            _assert_unavailable(posted)
            read = client.get(f"/v1/persons/{new_person_id()}", headers=reader)
            _assert_unavailable(read)
            looked_up = client.get("/v1/records/CASSIOPEE/R1", headers=reader)
            _assert_unavailable(looked_up)
            for response in (posted, read, looked_up):
                # The server keeps the connection open: no reset after the error.
                assert response.headers.get("connection", "keep-alive") != "close"
                seen.add(response.extensions["network_stream"])
        assert len(seen) == 1, "every request went over the same connection"
