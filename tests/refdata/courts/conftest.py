"""Court fixtures: the COG 2026 and the curated courts loaded once per test database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from srj.db import make_session_factory, session_scope


@pytest.fixture(scope="session")
def courts_loaded(engine: Engine) -> None:
    from refdata.communes.loader import load_cog
    from refdata.courts.loader import load_courts

    with session_scope(make_session_factory(engine, write=True)) as session:
        load_cog(session)
        load_courts(session)
