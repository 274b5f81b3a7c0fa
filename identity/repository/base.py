"""What every repository of the registry shares: the session, the backend, bulk writes.

Writes go through Core ``insert``/``update`` statements with lists of rows: the online path
writes ~10 rows per request and bulk ingest millions, and the same statements serve both
(PostgreSQL: ``COPY`` above a few rows; SQLAlchemy batches the rest with multi-row VALUES).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, cast

from psycopg import sql
from sqlalchemy import CursorResult, Result, bindparam, insert, update
from sqlalchemy.orm import Session

CHUNK = 5000  # rows per IN (...) list: below every backend's bound-parameter limit
COPY_FROM = 16  # rows: below, a plain executemany is as quick as setting up a COPY


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (DML results are cursor results; the generic type hides it)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


class BaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def is_postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _driver_connection(self) -> Any:
        """The psycopg connection under the session (same transaction), for COPY."""
        raw = self.session.connection().connection.driver_connection
        if raw is None:  # pragma: no cover - a checked-out connection always has one
            raise RuntimeError("the session has no database connection")
        return raw

    def _insert_many(self, model: type[Any], rows: list[dict[str, Any]]) -> None:
        """Insert rows (all with the same keys) the fastest way the backend offers.

        PostgreSQL: ``COPY ... FROM STDIN`` on the session's own connection (same transaction)
        once there are more than a few rows; an executemany costs one round trip per row,
        which made bulk ingest spend most of its time waiting on the network. Otherwise a Core
        executemany (SQLite runs it in-process).
        """
        table = model.__table__
        if self.is_postgresql and len(rows) >= COPY_FROM:
            columns = list(rows[0])
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            raw = self._driver_connection()
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            return
        self.session.execute(insert(table), rows)

    def _update_many(self, model: type[Any], key: str, rows: list[dict[str, Any]]) -> None:
        """``UPDATE ... WHERE key = :key`` for rows carrying the same columns (executemany)."""
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_columns[tuple(sorted(row))].append(row)
        table = model.__table__
        for columns, group in by_columns.items():
            stmt = (
                update(table)
                .where(table.c[key] == bindparam("_key"))
                .values({c: bindparam("_" + c) for c in columns if c != key})
            )
            params = [{"_" + c: row[c] for c in columns} | {"_key": row[key]} for row in group]
            self.session.execute(stmt, params)
