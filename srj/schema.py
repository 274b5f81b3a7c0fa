"""Alembic owns the schema: the only way it changes is ``srj db upgrade``.

Each domain keeps its own branch of revisions (branch labels ``refdata``, ``identity``...), so
the domains evolve independently; "up to date" means the database stands at every head.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Modules that declare tables; importing them fills ``srj.db.Base.metadata``.
MODEL_MODULES = (
    "refdata.releases.models",
    "refdata.natinf.models",
    "refdata.tariffs.models",
    "refdata.communes.models",
    "refdata.courts.models",
    "identity.models",
    "identity.review.models",
)


class SchemaOutdatedError(RuntimeError):
    """The database does not stand at the migrations' heads."""


def target_metadata() -> MetaData:
    from srj.db import Base

    for module in MODEL_MODULES:
        importlib.import_module(module)
    return Base.metadata


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is alembic's interpolation character; URLs may contain it (escaped passwords).
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)


def script_heads(database_url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def check_up_to_date(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    expected = script_heads(url)
    current = current_heads(engine)
    # A revision that ``depends_on`` another branch's head replaces it in alembic_version, so
    # compare against everything applied (ancestors and dependencies of the current heads).
    script = ScriptDirectory.from_config(alembic_config(url))
    try:
        applied = {r.revision for r in script.iterate_revisions(tuple(current), "base")}
    except (CommandError, RevisionError):  # a revision this code does not know
        applied = set(current)
    if not expected <= applied or not current <= applied:
        missing = ", ".join(sorted(expected - applied)) or "none"
        raise SchemaOutdatedError(
            "The database schema is not up to date "
            f"(at: {', '.join(sorted(current)) or 'empty database'}; missing heads: {missing}). "
            "Run `srj db upgrade` to apply the migrations, then start the service again."
        )
