"""Fixtures of the NATINF / releases / sentence-check tests (not autouse: sibling packages
under tests/refdata/ are unaffected)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from refdata.service import ImportSummary, import_natinf
from refdata.storage import BulkStore
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
