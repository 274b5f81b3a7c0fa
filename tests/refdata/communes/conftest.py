"""Commune fixtures: the COG 2026 loaded once per test database (committed)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from srj.db import make_session_factory, session_scope


@pytest.fixture(scope="session")
def cog_loaded(engine: Engine) -> None:
    from refdata.communes.loader import load_cog

    with session_scope(make_session_factory(engine, write=True)) as session:
        load_cog(session)
