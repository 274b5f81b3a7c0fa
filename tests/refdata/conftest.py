"""Fixtures of the reference-data tests (not autouse: a test asks for what it needs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from refdata.natinf.service import import_natinf
from refdata.releases.service import ImportSummary
from refdata.releases.storage import BulkStore
from srj.db import make_session_factory, session_scope
from srj.settings import Settings
from tests.refdata.natinf_samples import Row, natinf_bytes


@pytest.fixture
def own_database(database_url: str, database_factory: Callable[[str], str]) -> str:
    """A database of the test's own, same backend (for tests that commit)."""
    return database_factory("postgresql" if database_url.startswith("postgresql") else "sqlite")


@pytest.fixture
def store(settings: Settings) -> BulkStore:
    # The same place the API serves downloads from.
    return BulkStore(settings.data_dir / "downloads")


ImportRows = Callable[..., ImportSummary]


@pytest.fixture
def import_rows(db_session: Session, store: BulkStore) -> ImportRows:
    """``import_rows(rows, "2026-07-01")`` imports an official-layout file built from rows."""

    def run(
        rows: Iterable[Row], published_on: str, *, successors: bytes | None = None
    ) -> ImportSummary:
        summary = import_natinf(
            db_session,
            natinf_bytes(list(rows)),
            published_on=date.fromisoformat(published_on),
            store=store,
            source_name="test.csv",
            successors=successors,
        )
        # A savepoint release (see tests/conftest.py): a request that fails and rolls back
        # afterwards must not take the imported data with it.
        db_session.commit()
        return summary

    return run


@pytest.fixture
def tariffs_loaded(db_session: Session) -> None:
    """The curated tariffs (class maxima of art. 131-13 CP) the contravention checks read."""
    from refdata.tariffs.loader import load_tariffs

    load_tariffs(db_session, Path(__file__).resolve().parents[2] / "datasets" / "tariffs")
    db_session.flush()


@pytest.fixture(scope="session")
def courts_loaded(engine: Engine) -> None:
    """The COG 2026, the curated courts and the tariffs, loaded once per database (committed):
    what the courts tests and the curated releases' tests read."""
    from refdata.communes.loader import load_cog
    from refdata.courts.loader import load_courts
    from refdata.tariffs.loader import load_tariffs

    with session_scope(make_session_factory(engine, write=True)) as session:
        load_cog(session)
        load_courts(session)
        load_tariffs(session)
