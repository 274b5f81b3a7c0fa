"""Load the curated NATINF seed and penalties (``srj demo load``); idempotent.

The seed is published as one release dated :data:`SEED_PUBLISHED_ON`, the date of the most
recent public source it was compiled from (the official extract of January 2026, see
datasets/natinf/README.md). Loading it again changes nothing and creates no release.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from refdata.natinf.penalties import import_penalties
from refdata.natinf.service import import_natinf
from refdata.releases.storage import BulkStore
from srj.db import make_engine, make_session_factory, session_scope
from srj.settings import Settings

DATASETS = Path(__file__).resolve().parents[2] / "datasets" / "natinf"
SEED_PUBLISHED_ON = date(2026, 1, 26)
PENALTIES_PUBLISHED_ON = date(2026, 11, 28)


def load_natinf_seed(settings: Settings) -> dict[str, Any]:
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine, write=True)
    store = BulkStore(settings.data_dir / "downloads")
    try:
        with session_scope(factory) as session:
            offences = import_natinf(
                session,
                (DATASETS / "natinf.csv").read_bytes(),
                published_on=SEED_PUBLISHED_ON,
                store=store,
                source_name="natinf.csv",
            )
            penalties = import_penalties(
                session,
                (DATASETS / "penalties.csv").read_bytes(),
                published_on=PENALTIES_PUBLISHED_ON,
                store=store,
                source_name="penalties.csv",
            )
    finally:
        engine.dispose()
    return {"natinf": offences.as_dict(), "penalties": penalties}
