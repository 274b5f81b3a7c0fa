"""Concurrent imports never create two releases; a failure mid-import leaves the state intact;
the demo seed loads once.

These tests commit, so they run on a database of their own per backend.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from refdata.natinf import service
from refdata.natinf.models import OffenceVersion
from refdata.natinf.service import import_natinf
from refdata.releases.models import Release
from refdata.releases.service import ImportSummary
from refdata.releases.storage import BulkStore
from srj.db import make_engine, make_session_factory, session_scope
from tests.refdata.concurrency import run_together
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, natinf_bytes


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        releases = conn.scalar(select(func.count()).select_from(Release))
        versions = conn.scalar(select(func.count()).select_from(OffenceVersion))
    engine.dispose()
    return releases or 0, versions or 0


def test_concurrent_imports_of_one_file_create_one_release(
    own_database: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database)
    factory = make_session_factory(engine, write=True)
    store = BulkStore(tmp_path / "downloads")
    data = natinf_bytes(ALL_ROWS)

    def load() -> ImportSummary:
        with session_scope(factory) as session:
            return import_natinf(session, data, published_on=date(2026, 7, 1), store=store)

    results, errors = run_together(4, load)
    engine.dispose()
    assert errors == []
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert {r.release for r in results} == {"natinf-2026-07-01"}
    assert _counts(own_database) == (1, len(ALL_ROWS))


def test_a_failure_mid_import_leaves_the_previous_state(
    own_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(own_database)
    factory = make_session_factory(engine, write=True)
    store = BulkStore(tmp_path / "downloads")
    with session_scope(factory) as session:
        import_natinf(session, natinf_bytes(OFFICIAL), published_on=date(2026, 7, 1), store=store)
    before = _counts(own_database)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full while writing the bulk files")

    # The versions are already written and flushed when the bulk files fail.
    monkeypatch.setattr(service, "write_release_files", crash)
    with pytest.raises(OSError, match="disk full"), session_scope(factory) as session:
        import_natinf(session, natinf_bytes(ALL_ROWS), published_on=date(2026, 10, 1), store=store)
    engine.dispose()
    assert _counts(own_database) == before


def test_demo_seed_loads_once(own_database: str, tmp_path: Path) -> None:
    from refdata.natinf.demo import load_natinf_seed
    from srj.settings import Settings

    settings = Settings(env="test", data_dir=tmp_path / "var", database_url=own_database)
    first = load_natinf_seed(settings)
    assert first["natinf"]["created"] is True
    assert first["natinf"]["added"] == 198
    assert first["penalties"]["created"] is True
    again = load_natinf_seed(settings)
    assert again["natinf"] == {
        "release": "natinf-2026-01-26",
        "created": False,
        "added": 0,
        "changed": 0,
        "retired": 0,
        "unchanged": 198,
    }
    assert again["penalties"]["created"] is False
    assert _counts(own_database) == (2, 198)
