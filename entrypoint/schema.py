"""Every table of every domain: the metadata Alembic compares the migrations with.

Each domain keeps its own branch of revisions; this list names the modules that declare
tables, so that importing them fills ``srj.db.Base.metadata`` (``migrations/env.py``).
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from srj.db import Base

MODEL_MODULES = (
    "refdata.releases.models",
    "refdata.natinf.models",
    "refdata.tariffs.models",
    "refdata.communes.models",
    "refdata.courts.models",
    "refdata.law.models",
    "identity.models",
    "identity.review.models",
    "identity.web.models",
)


def target_metadata() -> MetaData:
    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata
