"""Tariff fixtures: the curated tariffs loaded once per test database (committed)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from srj.db import make_session_factory, session_scope


@pytest.fixture(scope="session")
def tariffs_loaded(engine: Engine) -> None:
    from refdata.tariffs.loader import load_tariffs

    with session_scope(make_session_factory(engine, write=True)) as session:
        load_tariffs(session)
