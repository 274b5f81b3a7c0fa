"""The registry's repositories for one unit of work, one per aggregate, and what spans them.

``RegistryRepository(session)`` is what the resolve flow, the jobs and the review hold:

- ``records``: source records and blocking keys (:mod:`identity.repository.records`);
- ``persons``: persons, links and events (:mod:`identity.repository.persons`);
- ``suggestions``: suggestions and decisions (:mod:`identity.repository.suggestions`);
- ``compliance``: access log, retention and key rotation
  (:mod:`identity.repository.compliance`);

and, across them, the registry's locks and the one-statement write of a resolve (persons,
records, keys, links, suggestions and events in one round trip on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from psycopg import sql
from sqlalchemy import text
from sqlalchemy.orm import Session

from identity.repository.base import COPY_FROM, BaseRepository
from identity.repository.compliance import ComplianceRepository
from identity.repository.locks import REGISTRY_LOCK
from identity.repository.persons import PersonRepository
from identity.repository.records import RecordRepository
from identity.repository.suggestions import SuggestionRepository

_TOUCH = "touch persons"  # pseudo-table of _insert_statement: UPDATE identity_persons


@lru_cache(maxsize=512)
def _insert_statement(shapes: tuple[tuple[str, tuple[str, ...], int], ...]) -> bytes:
    """``WITH w0 AS (INSERT ...), w1 AS (...) SELECT 1`` for (table, columns, rows) shapes.

    Composed once per shape: psycopg's ``sql`` composition cost about a millisecond per
    request on the online path, more than the server spent on the statement.
    """
    parts = []
    for i, (table, columns, count) in enumerate(shapes):
        if table == _TOUCH:
            statement: sql.Composable = sql.SQL(
                "UPDATE identity_persons SET updated_at = %s WHERE id = ANY(%s)"
            )
        else:
            one_row = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(columns)))
            statement = sql.SQL("INSERT INTO {} ({}) VALUES {}").format(
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join([one_row] * count),
            )
        parts.append(sql.SQL("{} AS ({})").format(sql.Identifier(f"w{i}"), statement))
    return sql.SQL("WITH {} SELECT 1").format(sql.SQL(", ").join(parts)).as_bytes(None)


class RegistryRepository(BaseRepository):
    """The four aggregates' repositories on one session, plus locks and the combined write."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.records = RecordRepository(session)
        self.persons = PersonRepository(session)
        self.suggestions = SuggestionRepository(session)
        self.compliance = ComplianceRepository(session)

    def lock_keys(self, hashes: Iterable[int], *, exclusive_registry: bool = False) -> None:
        """Serialise writers that touch the same blocking keys (PostgreSQL advisory locks).

        Locks are taken in one global order (the registry lock first, then ascending hashes)
        so two writers can never deadlock. SQLite needs nothing: its writers already queue on
        the database lock (BEGIN IMMEDIATE).
        """
        if not self.is_postgresql:
            return
        if exclusive_registry:
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": REGISTRY_LOCK})
            return
        # One round trip. Holders of the exclusive registry lock take no key lock, so the
        # order between the shared registry lock and the key locks cannot deadlock.
        self.session.execute(
            text(
                "SELECT pg_advisory_xact_lock_shared(:k), (SELECT count(pg_advisory_xact_lock(h)) "
                "FROM (SELECT unnest(CAST(:hs AS bigint[])) AS h ORDER BY 1) AS ordered_keys)"
            ),
            {"k": REGISTRY_LOCK, "hs": sorted(set(hashes))},
        )

    def insert_in_order(
        self,
        tables: Sequence[tuple[type[Any], list[dict[str, Any]]]],
        touch: tuple[Sequence[str], datetime] | None = None,
    ) -> None:
        """Insert rows of several tables in this order (foreign keys), then touch persons.

        PostgreSQL: large tables go through COPY; runs of small ones become one statement of
        data-modifying CTEs (``WITH a AS (INSERT ...), b AS (INSERT ...) SELECT 1``): the
        online path's writes cost one round trip, and foreign keys are checked at the end of
        the statement, so parent and child rows can go together.
        """
        if not self.is_postgresql:
            for model, rows in tables:
                if rows:
                    self._insert_many(model, rows)
            if touch and touch[0]:
                self.persons.touch_persons(touch[0], touch[1])
            return
        raw = self._driver_connection()
        shapes: list[tuple[str, tuple[str, ...], int]] = []
        params: list[Any] = []

        def flush() -> None:
            if not shapes:
                return
            with raw.cursor() as cursor:
                cursor.execute(_insert_statement(tuple(shapes)), params)
            shapes.clear()
            params.clear()

        for model, rows in tables:
            if not rows:
                continue
            if len(rows) >= COPY_FROM:
                flush()
                self._insert_many(model, rows)
                continue
            columns = tuple(rows[0])
            shapes.append((model.__table__.name, columns, len(rows)))
            params.extend(row[c] for row in rows for c in columns)
        if touch and touch[0]:
            shapes.append((_TOUCH, ("updated_at", "id"), 1))
            params.extend([touch[1], sorted(set(touch[0]))])
        flush()
