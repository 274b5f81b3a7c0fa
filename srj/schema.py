"""Alembic owns the schema: the only way it changes is ``srj db upgrade``.

Each domain keeps its own branch of revisions (branch labels ``refdata``, ``identity``...), so
the domains evolve independently; "up to date" means the database stands at every head. The
service, every command and every job open the database through :func:`open_checked_database`,
so none of them works on an outdated schema. (The tables themselves are listed by the entry
point, ``entrypoint.schema``, for Alembic's comparisons: this module names no domain.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from srj.db import make_engine, make_session_factory

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class SchemaOutdatedError(RuntimeError):
    """The database does not stand at the migrations' heads."""


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


@dataclass(frozen=True)
class CheckedDatabase:
    """An engine whose schema stands at every head, and its two session factories."""

    engine: Engine
    read: sessionmaker[Session]
    # BEGIN IMMEDIATE on SQLite (see ``srj.db.make_session_factory``).
    write: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_checked_database(url: str) -> CheckedDatabase:
    """Open ``url`` and check its schema (:class:`SchemaOutdatedError` names the command to
    run); the engine is disposed if the check fails."""
    engine = make_engine(url)
    try:
        check_up_to_date(engine)
    except BaseException:
        engine.dispose()
        raise
    return CheckedDatabase(
        engine, make_session_factory(engine), make_session_factory(engine, write=True)
    )
