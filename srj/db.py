"""Database plumbing shared by every domain: the declarative base, engines and sessions.

SQLite is the embedded default and PostgreSQL the production database; both go through the
same SQLAlchemy 2 models. Services never commit: the request (``srj.deps.get_session``) or the
job (``session_scope``) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


class _ZonedSqliteDateTime(sqlite.DATETIME):
    """``DateTime(timezone=True)`` on SQLite, which keeps no time zone: values are stored in
    UTC and read back UTC-aware, as PostgreSQL's ``timestamptz`` gives them. Without it the
    same column came back naive from SQLite and aware from PostgreSQL, and the API wrote
    ``2026-12-08T03:00:00`` for one and ``2026-12-08T03:00:00Z`` for the other."""

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        process = super().bind_processor(dialect)
        if not self.timezone:
            return process

        def convert(value: Any) -> Any:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return process(value) if process else value

        return convert

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        process = super().result_processor(dialect, coltype)
        if not self.timezone:
            return process

        def convert(value: Any) -> Any:
            value = process(value) if process else value
            if isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value

        return convert


def _configure_sqlite(engine: Engine) -> None:
    engine.dialect.colspecs = {**engine.dialect.colspecs, DateTime: _ZonedSqliteDateTime}

    # pysqlite's own transaction handling defeats SAVEPOINT and BEGIN IMMEDIATE; the documented
    # SQLAlchemy recipe takes it over. WAL lets readers go on while one writer writes, and
    # BEGIN IMMEDIATE makes concurrent writers queue on the lock (busy_timeout) instead of
    # failing with "database is locked" when they upgrade a read transaction to a write.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("sqlite_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``write=True`` for units of work that write.

    On SQLite a writing transaction starts with BEGIN IMMEDIATE so that two writers queue
    rather than deadlock; elsewhere the flag changes nothing.
    """
    bind = engine.execution_options(sqlite_write=True) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work for jobs and commands: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
