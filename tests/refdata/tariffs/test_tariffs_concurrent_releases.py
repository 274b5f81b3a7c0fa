"""Concurrent loads of the tariffs: one release, no duplicate rows, no unique-key failure.

The loader takes the dataset's lock before syncing the tables (not only before creating the
release): without it, two first loads on PostgreSQL would both insert the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from refdata.releases.models import Release
from refdata.releases.storage import BulkStore
from refdata.tariffs.loader import load_tariffs
from refdata.tariffs.models import FixedFine
from srj.db import make_engine, make_session_factory, session_scope
from tests.refdata.concurrency import run_together


def test_concurrent_loads_of_the_same_files_publish_one_release(
    own_database: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database)
    factory = make_session_factory(engine, write=True)
    store = BulkStore(tmp_path / "downloads")

    def load() -> dict[str, Any]:
        with session_scope(factory) as session:
            return load_tariffs(session, store=store)

    results, errors = run_together(3, load)
    with engine.connect() as conn:
        releases = conn.execute(select(Release.id).where(Release.dataset == "tariffs")).all()
        fines = conn.scalar(select(func.count()).select_from(FixedFine))
    engine.dispose()
    assert errors == []
    assert sorted(r["created"] for r in results) == [False, False, True]
    assert len({r["release"] for r in results}) == 1
    assert len(releases) == 1
    assert fines == next(r for r in results if r["created"])["tables"]["fixed_fines"]["added"]
