"""Fixtures of the person registry's tests: a controllable matcher, keys, a poster."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from registry_fakes import FieldsMatcher
from registry_helpers import make_record
from sqlalchemy.engine import Engine

from identity.config import RegistrySettings, get_registry_settings
from identity.crypto import RegistryCrypto
from identity.deps import crypto_for, get_matcher
from matching.records import SOURCES
from srj.db import make_engine
from srj.settings import Settings


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real linkage model, trained once per test session on a synthetic population (with
    small training samples: seconds, not minutes)."""
    from matching.model import TrainingSettings, train
    from matching.synthetic import generate

    population = generate(1500, seed=7)
    model = train(population.records, settings=TrainingSettings(u_max_pairs=2e5, em_max_pairs=1e5))
    path = tmp_path_factory.mktemp("model") / "registry.json"
    model.save(path)
    return path


@pytest.fixture
def matcher() -> FieldsMatcher:
    return FieldsMatcher()


@pytest.fixture
def registry_config() -> RegistrySettings:
    return RegistrySettings(candidates_per_key=50, max_candidates=200, ingest_batch_size=7)


@pytest.fixture
def app(app: FastAPI, matcher: FieldsMatcher, registry_config: RegistrySettings) -> FastAPI:
    app.dependency_overrides[get_matcher] = lambda: matcher
    app.dependency_overrides[get_registry_settings] = lambda: registry_config
    return app


@pytest.fixture
def crypto(settings: Settings) -> RegistryCrypto:
    return crypto_for(settings)


@pytest.fixture
def post(client: TestClient, token: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """``post(ref, **traits)`` -> the JSON answer of POST /v1/records (asserts 200)."""
    # A test client that writes for every application (tests of source binding make their own).
    headers = token("application", subject="app-cassiopee", sources=SOURCES)

    def do(ref: str = "R1", **kwargs: Any) -> dict[str, Any]:
        response = client.post("/v1/records", json=make_record(ref, **kwargs), headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    return do


@pytest.fixture
def fresh_engine(database_url: str, database_factory: Any) -> Iterator[Engine]:
    """An engine on a database of its own, for tests of committed, concurrent transactions."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    eng = make_engine(database_factory(backend))
    yield eng
    eng.dispose()
