"""Court fixtures: the COG 2026, the curated courts and the tariffs, loaded once per database."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from srj.db import make_session_factory, session_scope


@pytest.fixture(scope="session")
def courts_loaded(engine: Engine) -> None:
    from refdata.communes.loader import load_cog
    from refdata.courts.loader import load_courts
    from refdata.tariffs.loader import load_tariffs

    with session_scope(make_session_factory(engine, write=True)) as session:
        load_cog(session)
        load_courts(session)
        load_tariffs(session)
