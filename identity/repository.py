"""Every query of the person registry.

Writes go through Core ``insert``/``update`` statements with lists of rows: the online path
writes ~10 rows per request and bulk ingest millions, and the same statements serve both
(SQLAlchemy batches them with multi-row VALUES).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from psycopg import sql
from sqlalchemy import (
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from identity.models import (
    AccessLogEntry,
    BlockingKey,
    Decision,
    DecisionKind,
    Link,
    MatchSuggestion,
    Person,
    PersonEvent,
    PersonStatus,
    SourceRecord,
    SuggestionStatus,
)

_CHUNK = 5000  # rows per IN (...) list: below every backend's bound-parameter limit
_COPY_FROM = 16  # rows: below, a plain executemany is as quick as setting up a COPY


def key_hash(key: str) -> int:
    """64-bit signed hash of a blocking key (stored and indexed instead of the key)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


# Advisory lock of the whole registry: online resolves hold it shared, jobs that rewrite the
# registry (large ingest batches, relink, retention, key rotation) hold it exclusively.
REGISTRY_LOCK = key_hash("srj/identity/registry")

# The online path's statements, written for psycopg directly (see lock_and_lookup_one).
# Holders of the exclusive registry lock take no key lock, so the order between the shared
# registry lock and the key locks cannot deadlock; key locks go in ascending order.
_LOCK_ONE_SQL = (
    "SELECT pg_advisory_xact_lock_shared(%(k)s), (SELECT count(pg_advisory_xact_lock(h)) "
    "FROM (SELECT unnest(CAST(%(ls)s AS bigint[])) AS h ORDER BY 1) AS ordered_keys)"
)
# Candidates (at most ``cap`` per key through LATERAL ... LIMIT, ranked by keys shared, a
# record sharing one key only kept if that key is rare) with their rows and the number of
# records of their person (resolve checks a record against the whole person it would join),
# and the existing record by (source, HMAC) under any key version: one statement.
_LOOKUP_ONE_SQL = (
    "WITH hits AS (SELECT b.record_id, count(*) OVER (PARTITION BY k.h) AS holders "
    "FROM unnest(CAST(%(hs)s AS bigint[])) AS k(h) "
    "CROSS JOIN LATERAL (SELECT record_id FROM identity_blocking_keys "
    "WHERE key_hash = k.h LIMIT %(cap)s) AS b), "
    "ranked AS (SELECT record_id, count(*) AS shared, min(holders) AS rarest "
    "FROM hits GROUP BY record_id "
    "HAVING count(*) >= 2 OR %(rare)s = 0 OR min(holders) < %(rare)s "
    "ORDER BY count(*) DESC, min(holders), record_id LIMIT %(limit)s) "
    "SELECT 'c' AS kind, r.id, r.std, l.person_id, l.origin, ranked.shared, "
    "NULL AS source, NULL::bytea AS ref_hmac, NULL AS ref_key_id, "
    "NULL::bytea AS traits_digest, NULL AS std_version, "
    "CAST(NULL AS double precision) AS match_probability, "
    "(SELECT count(*) FROM identity_links m WHERE m.person_id = l.person_id) AS person_records "
    "FROM ranked JOIN identity_source_records r ON r.id = ranked.record_id "
    "JOIN identity_links l ON l.record_id = r.id "
    "UNION ALL "
    "SELECT 'e', r.id, NULL, l.person_id, l.origin, NULL, r.source, r.ref_hmac, "
    "r.ref_key_id, r.traits_digest, r.std_version, l.match_probability, NULL "
    "FROM identity_source_records r JOIN identity_links l ON l.record_id = r.id "
    "WHERE r.source = ANY(CAST(%(sources)s AS varchar[])) "
    "AND r.ref_hmac = ANY(CAST(%(hmacs)s AS bytea[]))"
)


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


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class ExistingRecord:
    id: uuid.UUID
    source: str
    ref_hmac: bytes
    ref_key_id: str
    traits_digest: bytes
    std_version: str
    person_id: str
    origin: str
    match_probability: float | None


@dataclass(frozen=True)
class CandidateRow:
    record_id: uuid.UUID
    std: dict[str, Any]
    person_id: str
    origin: str


class RegistryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def is_postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    # -- locks ---------------------------------------------------------------------------------

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

    # -- records ---------------------------------------------------------------------------------

    def find_records(
        self, refs: Sequence[tuple[str, bytes]]
    ) -> dict[tuple[str, bytes], ExistingRecord]:
        """Existing records by (source, reference HMAC), any key version, with their link."""
        found: dict[tuple[str, bytes], ExistingRecord] = {}
        r, lk = SourceRecord, Link
        wanted = set(refs)
        if self.is_postgresql and wanted:
            # A join on unnested arrays: index lookups whatever the statistics say, and one
            # plan for any batch size (IN lists of a thousand parameters got generic plans
            # that scanned the whole table once the statement was prepared).
            pg_stmt = text(
                "SELECT r.id, r.source, r.ref_hmac, r.ref_key_id, r.traits_digest, "
                "r.std_version, l.person_id, l.origin, l.match_probability "
                "FROM unnest(CAST(:sources AS varchar[]), CAST(:hmacs AS bytea[])) "
                "AS w(source, ref_hmac) "
                "JOIN identity_source_records r "
                "ON r.source = w.source AND r.ref_hmac = w.ref_hmac "
                "JOIN identity_links l ON l.record_id = r.id"
            )
            ordered = sorted(wanted)
            for chunk in _chunks(ordered):
                params = {"sources": [s for s, _ in chunk], "hmacs": [h for _, h in chunk]}
                for row in self.session.execute(pg_stmt, params):
                    key = (row.source, bytes(row.ref_hmac))
                    found[key] = ExistingRecord(
                        row.id,
                        row.source,
                        bytes(row.ref_hmac),
                        row.ref_key_id,
                        bytes(row.traits_digest),
                        row.std_version,
                        row.person_id,
                        row.origin,
                        row.match_probability,
                    )
            return found
        for chunk in _chunks(sorted(wanted)):
            # ``source IN (...) AND ref_hmac IN (...)`` walks the unique index; row-value IN
            # lists plan worse. The exact pairs are kept below.
            stmt = (
                select(
                    r.id,
                    r.source,
                    r.ref_hmac,
                    r.ref_key_id,
                    r.traits_digest,
                    r.std_version,
                    lk.person_id,
                    lk.origin,
                    lk.match_probability,
                )
                .join(lk, lk.record_id == r.id)
                .where(
                    r.source.in_(sorted({s for s, _ in chunk})),
                    r.ref_hmac.in_([h for _, h in chunk]),
                )
            )
            for row in self.session.execute(stmt):
                key = (row.source, bytes(row.ref_hmac))
                if key in wanted:
                    found[key] = ExistingRecord(*row)
        return found

    def candidate_ids(self, hashes: Sequence[int], cap: int) -> dict[int, list[uuid.UUID]]:
        """Record ids sharing each blocking key, at most ``cap`` per key."""
        by_key: dict[int, list[uuid.UUID]] = defaultdict(list)
        if not hashes:
            return by_key
        bk = BlockingKey.__table__
        if self.is_postgresql:
            # LATERAL + LIMIT stops reading a very frequent key after ``cap`` index entries.
            stmt = text(
                "SELECT k.h, b.record_id FROM unnest(CAST(:hs AS bigint[])) AS k(h) "
                "CROSS JOIN LATERAL (SELECT record_id FROM identity_blocking_keys "
                "WHERE key_hash = k.h LIMIT :cap) AS b"
            )
            for chunk in _chunks(list(hashes)):
                for h, rid in self.session.execute(stmt, {"hs": list(chunk), "cap": cap}):
                    by_key[h].append(rid)
            return by_key
        for chunk in _chunks(list(hashes), 400):
            parts = [
                select(bk.c.key_hash, bk.c.record_id)
                .where(bk.c.key_hash == h)
                .limit(cap)
                .subquery()
                .select()
                for h in chunk
            ]
            compound = union_all(*parts) if len(parts) > 1 else parts[0]
            for h, rid in self.session.execute(compound):
                by_key[h].append(rid)
        return by_key

    def ranked_candidates(
        self, queries: Sequence[Sequence[int]], cap: int, limit: int, rare: int = 0
    ) -> list[list[tuple[uuid.UUID, int]]]:
        """For each query (the key hashes of one incoming record): the records sharing its
        keys, at most ``cap`` per key, ranked by the number of keys shared (then by how rare
        the rarest shared key is, then by id), at most ``limit`` — as ``(record_id, shared)``.

        A true match shares several keys; a namesake found through one frequent key shares
        one. With ``rare`` > 0, a record sharing a single key is kept only if fewer than
        ``rare`` records hold that key: sharing only "born in Paris on 1 January 1980" says
        nothing the scorer would link on, and scoring it costs as much as scoring a match.
        PostgreSQL: one statement for a whole batch.
        """
        if not queries:
            return []
        if not self.is_postgresql:
            by_key = self.candidate_ids(sorted({h for q in queries for h in q}), cap)
            out = []
            for q in queries:
                shared: Counter[uuid.UUID] = Counter()
                rarest: dict[uuid.UUID, int] = {}
                for h in set(q):
                    holders = by_key.get(h, [])
                    shared.update(holders)
                    for rid in holders:
                        rarest[rid] = min(rarest.get(rid, cap + 1), len(holders))
                kept = [
                    (rid, n)
                    for rid, n in shared.items()
                    if n >= 2 or not rare or rarest[rid] < rare
                ]
                kept.sort(key=lambda kv: (-kv[1], rarest[kv[0]], kv[0]))
                out.append(kept[:limit])
            return out
        positions = [i for i, q in enumerate(queries) for _ in set(q)]
        hashes = [h for q in queries for h in set(q)]
        stmt = text(
            "WITH wanted AS (SELECT * FROM unnest(CAST(:ps AS int[]), CAST(:hs AS bigint[])) "
            "AS w(pos, h)), "
            "per_key AS (SELECT k.h, b.record_id, count(*) OVER (PARTITION BY k.h) AS holders "
            "FROM (SELECT DISTINCT h FROM wanted) AS k "
            "CROSS JOIN LATERAL (SELECT record_id FROM identity_blocking_keys "
            "WHERE key_hash = k.h LIMIT :cap) AS b), "
            "grouped AS (SELECT w.pos, p.record_id, count(*) AS shared, "
            "min(p.holders) AS rarest FROM per_key p JOIN wanted w ON w.h = p.h "
            "GROUP BY w.pos, p.record_id), "
            "ranked AS (SELECT pos, record_id, shared, row_number() OVER "
            "(PARTITION BY pos ORDER BY shared DESC, rarest, record_id) AS rn FROM grouped "
            "WHERE shared >= 2 OR :rare = 0 OR rarest < :rare) "
            "SELECT pos, record_id, shared FROM ranked WHERE rn <= :limit ORDER BY pos, rn"
        )
        ranked: list[list[tuple[uuid.UUID, int]]] = [[] for _ in queries]
        result = self.session.execute(
            stmt, {"ps": positions, "hs": hashes, "cap": cap, "limit": limit, "rare": rare}
        )
        for pos, rid, count in result:
            ranked[pos].append((rid, int(count)))
        return ranked

    def lock_and_lookup_one(
        self,
        lock_hashes: Iterable[int],
        refs: Sequence[tuple[str, bytes]],
        hashes: Sequence[int],
        cap: int,
        limit: int,
        rare: int = 0,
    ) -> tuple[
        dict[tuple[str, bytes], ExistingRecord],
        list[tuple[uuid.UUID, int]],
        dict[uuid.UUID, CandidateRow],
        dict[str, int],
    ]:
        """PostgreSQL, one incoming record: :meth:`lock_keys` (shared registry lock and key
        locks), then :meth:`find_records` and :meth:`ranked_candidates` with the candidates'
        rows and :meth:`record_counts` of their persons in one statement — all in one round
        trip (the online path's latency is round trips).

        The two statements go out in one psycopg pipeline: the server still runs them one
        after the other, and under READ COMMITTED the lookup takes its snapshot when it starts,
        after the locks are granted, so it sees whatever a writer holding them committed.
        """
        raw = self._driver_connection()
        wanted = set(refs)
        params = {
            "k": REGISTRY_LOCK,
            "ls": sorted(set(lock_hashes)),
            "hs": sorted(set(hashes)),
            "cap": cap,
            "limit": limit,
            "rare": rare,
            "sources": sorted({s for s, _ in refs}),
            "hmacs": [h for _, h in refs],
        }
        with raw.cursor() as locks, raw.cursor() as cursor:
            with raw.pipeline():
                locks.execute(_LOCK_ONE_SQL, params)
                # The lookup's plan does not depend on its parameters (arrays joined through
                # index lookups), but PostgreSQL re-planned it on every call: planning took
                # longer (~0.9 ms) than running it. The generic plan is made once per
                # connection; the setting is back to its default for the rest of the
                # transaction.
                locks.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                cursor.execute(_LOOKUP_ONE_SQL, params, prepare=True)
                locks.execute("SET LOCAL plan_cache_mode TO DEFAULT")
            found = cursor.fetchall()
        existing: dict[tuple[str, bytes], ExistingRecord] = {}
        ranked: list[tuple[uuid.UUID, int]] = []
        rows: dict[uuid.UUID, CandidateRow] = {}
        counts: dict[str, int] = {}
        for row in found:
            kind, rid, std, person_id, origin, shared = row[:6]
            if kind == "c":
                ranked.append((rid, int(shared)))
                rows[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
                counts[person_id] = int(row[12])
                continue
            source, ref_hmac, ref_key_id, digest, std_version, probability = row[6:12]
            key = (source, bytes(ref_hmac))
            if key in wanted:
                existing[key] = ExistingRecord(
                    rid,
                    source,
                    bytes(ref_hmac),
                    ref_key_id,
                    bytes(digest),
                    std_version,
                    person_id,
                    origin,
                    probability,
                )
        ranked.sort(key=lambda kv: (-kv[1], kv[0]))
        return existing, ranked, rows, counts

    def load_person_records(self, person_ids: Iterable[str]) -> dict[uuid.UUID, CandidateRow]:
        """Every record of ``person_ids``, as candidates (the standardised keys and link)."""
        rows: dict[uuid.UUID, CandidateRow] = {}
        r, lk = SourceRecord, Link
        for chunk in _chunks(sorted(set(person_ids))):
            stmt = (
                select(r.id, r.std, lk.person_id, lk.origin)
                .join(lk, lk.record_id == r.id)
                .where(lk.person_id.in_(list(chunk)))
            )
            for rid, std, person_id, origin in self.session.execute(stmt):
                rows[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
        return rows

    def load_candidates(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CandidateRow]:
        rows: dict[uuid.UUID, CandidateRow] = {}
        r, lk = SourceRecord, Link
        if self.is_postgresql:
            stmt_pg = text(
                "SELECT r.id, r.std, l.person_id, l.origin FROM unnest(CAST(:ids AS uuid[])) "
                "AS w(id) JOIN identity_source_records r ON r.id = w.id "
                "JOIN identity_links l ON l.record_id = r.id"
            )
            for chunk in _chunks(list(set(ids))):
                for rid, std, person_id, origin in self.session.execute(
                    stmt_pg, {"ids": list(chunk)}
                ):
                    rows[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
            return rows
        for chunk in _chunks(list(set(ids))):
            stmt = (
                select(r.id, r.std, lk.person_id, lk.origin)
                .join(lk, lk.record_id == r.id)
                .where(r.id.in_(list(chunk)))
            )
            for rid, std, person_id, origin in self.session.execute(stmt):
                rows[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
        return rows

    def registry_size(self, *, exact: bool = False) -> int:
        """Number of records held (PostgreSQL: the planner's estimate once it is meaningful,
        exact counts cost a full scan at a million rows; ``exact`` for a bulk job's prior)."""
        if self.is_postgresql and not exact:
            estimate = self.session.execute(
                text(
                    "SELECT reltuples::bigint FROM pg_class "
                    "WHERE oid = 'identity_source_records'::regclass"
                )
            ).scalar_one()
            if estimate is not None and estimate >= 10_000:
                return int(estimate)
        return int(
            self.session.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
        )

    def persons_of(self, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        out: dict[uuid.UUID, str] = {}
        for chunk in _chunks(list(set(record_ids))):
            stmt = select(Link.record_id, Link.person_id).where(Link.record_id.in_(list(chunk)))
            out.update({rid: pid for rid, pid in self.session.execute(stmt)})
        return out

    def records_of_person(self, person_id: str) -> list[uuid.UUID]:
        stmt = select(Link.record_id).where(Link.person_id == person_id)
        return list(self.session.scalars(stmt))

    def record_counts(self, person_ids: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(list(set(person_ids))):
            stmt = (
                select(Link.person_id, func.count())
                .where(Link.person_id.in_(list(chunk)))
                .group_by(Link.person_id)
            )
            counts.update({pid: n for pid, n in self.session.execute(stmt)})
        return counts

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
        if self.is_postgresql and len(rows) >= _COPY_FROM:
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
                self.touch_persons(touch[0], touch[1])
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
            if len(rows) >= _COPY_FROM:
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

    def insert_persons(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(Person, rows)

    def insert_records(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(SourceRecord, rows)

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

    def update_records(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry ``id`` and the columns to set."""
        if rows:
            self._update_many(SourceRecord, "id", rows)

    def replace_blocking_keys(
        self, delete_for: Sequence[uuid.UUID], rows: list[dict[str, Any]]
    ) -> None:
        for chunk in _chunks(list(delete_for)):
            self.session.execute(delete(BlockingKey).where(BlockingKey.record_id.in_(list(chunk))))
        if rows:
            self._insert_many(BlockingKey, rows)

    def insert_links(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(Link, rows)

    def update_links(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry ``record_id`` and the columns to set."""
        if rows:
            self._update_many(Link, "record_id", rows)

    def mark_merged(self, merged: Sequence[tuple[str, str]], at: datetime) -> None:
        """Persons ``loser`` now redirect to ``survivor``; earlier redirects follow them."""
        for loser, survivor in merged:
            self.session.execute(
                update(Person)
                .where(Person.id == loser)
                .values(status=PersonStatus.MERGED.value, merged_into_id=survivor, updated_at=at)
            )
            self.session.execute(
                update(Person)
                .where(Person.merged_into_id == loser)
                .values(merged_into_id=survivor, updated_at=at)
            )

    def set_person_status(
        self, person_ids: Sequence[str], status: PersonStatus, at: datetime
    ) -> None:
        for chunk in _chunks(list(person_ids)):
            self.session.execute(
                update(Person)
                .where(Person.id.in_(list(chunk)))
                .values(status=status.value, updated_at=at)
            )

    def touch_persons(self, person_ids: Iterable[str], at: datetime) -> None:
        for chunk in _chunks(sorted(set(person_ids))):
            self.session.execute(
                update(Person).where(Person.id.in_(list(chunk))).values(updated_at=at)
            )

    def insert_events(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(PersonEvent, rows)

    # -- suggestions and decisions -----------------------------------------------------------------

    def pending_pairs(self, record_ids: Iterable[uuid.UUID]) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """Pending suggestion pairs touching ``record_ids`` (both orders)."""
        s = MatchSuggestion
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for chunk in _chunks(list(set(record_ids))):
            ids = list(chunk)
            stmt = select(s.record_id, s.candidate_record_id).where(
                s.status == SuggestionStatus.PENDING.value,
                or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)),
            )
            for a, b in self.session.execute(stmt):
                pairs.add((a, b))
                pairs.add((b, a))
        return pairs

    def insert_suggestions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(MatchSuggestion, rows)

    def close_suggestions_of(
        self, record_ids: Sequence[uuid.UUID], reason: str, at: datetime
    ) -> int:
        s = MatchSuggestion
        closed = 0
        for chunk in _chunks(list(record_ids)):
            ids = list(chunk)
            result = self.session.execute(
                update(s)
                .where(
                    s.status == SuggestionStatus.PENDING.value,
                    or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)),
                )
                .values(
                    status=SuggestionStatus.CLOSED.value,
                    closed_reason=reason,
                    version=s.version + 1,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )
            closed += getattr(result, "rowcount", 0) or 0
        return closed

    def pending_suggestions(self) -> list[Any]:
        s = MatchSuggestion
        stmt = select(s.id, s.record_id, s.candidate_record_id).where(
            s.status == SuggestionStatus.PENDING.value
        )
        return list(self.session.execute(stmt))

    def close_suggestions(self, ids: Sequence[int], reason: str, at: datetime) -> None:
        s = MatchSuggestion
        for chunk in _chunks(list(ids)):
            self.session.execute(
                update(s)
                .where(s.id.in_(list(chunk)), s.status == SuggestionStatus.PENDING.value)
                .values(
                    status=SuggestionStatus.CLOSED.value,
                    closed_reason=reason,
                    version=s.version + 1,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )

    def pending_count_for_record(self, record_id: uuid.UUID) -> int:
        s = MatchSuggestion
        stmt = select(func.count()).where(
            s.status == SuggestionStatus.PENDING.value,
            or_(s.record_id == record_id, s.candidate_record_id == record_id),
        )
        return int(self.session.execute(stmt).scalar_one())

    def active_constraints(
        self, record_ids: Iterable[uuid.UUID] | None = None
    ) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], list[tuple[uuid.UUID, uuid.UUID]]]:
        """(must_link, cannot_link) pairs from decisions still in force.

        With ``record_ids``, only the decisions touching those records.
        """
        d = Decision
        stmt = select(d.record_a_id, d.record_b_id, d.decision).where(
            d.revoked_by_id.is_(None),
            d.record_a_id.is_not(None),
            d.record_b_id.is_not(None),
            d.decision.in_([DecisionKind.SAME.value, DecisionKind.DIFFERENT.value]),
        )
        rows: list[Any] = []
        if record_ids is None:
            rows = list(self.session.execute(stmt))
        else:
            for chunk in _chunks(list(set(record_ids))):
                ids = list(chunk)
                rows.extend(
                    self.session.execute(
                        stmt.where(or_(d.record_a_id.in_(ids), d.record_b_id.in_(ids)))
                    )
                )
        must: list[tuple[uuid.UUID, uuid.UUID]] = []
        cannot: list[tuple[uuid.UUID, uuid.UUID]] = []
        for a, b, kind in rows:
            (must if kind == DecisionKind.SAME.value else cannot).append((a, b))
        return must, cannot

    def persons_declared_different(self, person_id: str, others: Sequence[str]) -> set[str]:
        """Those of ``others`` holding a record declared "different" from one of ``person_id``."""
        if not others:
            return set()
        d = Decision
        la, lb = Link.__table__.alias("la"), Link.__table__.alias("lb")
        stmt = (
            select(la.c.person_id, lb.c.person_id)
            .select_from(d)
            .join(la, la.c.record_id == d.record_a_id)
            .join(lb, lb.c.record_id == d.record_b_id)
            .where(
                d.decision == DecisionKind.DIFFERENT.value,
                d.revoked_by_id.is_(None),
                or_(
                    (la.c.person_id == person_id) & lb.c.person_id.in_(list(others)),
                    (lb.c.person_id == person_id) & la.c.person_id.in_(list(others)),
                ),
            )
        )
        return {b if a == person_id else a for a, b in self.session.execute(stmt)}

    def decided_pairs(self) -> set[frozenset[uuid.UUID]]:
        """Record pairs with a decision in force, whatever it said (never suggested again)."""
        d = Decision
        stmt = select(d.record_a_id, d.record_b_id).where(
            d.revoked_by_id.is_(None), d.record_a_id.is_not(None), d.record_b_id.is_not(None)
        )
        return {frozenset((a, b)) for a, b in self.session.execute(stmt) if a and b}

    def latest_decision_id(self) -> int:
        return int(
            self.session.execute(select(func.coalesce(func.max(Decision.id), 0))).scalar_one()
        )

    # -- reads ---------------------------------------------------------------------------------

    def get_person(self, person_id: str) -> Person | None:
        return self.session.get(Person, person_id)

    def survivor_of(self, person_id: str) -> str | None:
        """The active person a (possibly merged-away) identifier stands for now."""
        current = person_id
        for _ in range(64):  # redirects are re-pointed on merge; a long chain means corruption
            row = self.session.execute(
                select(Person.status, Person.merged_into_id).where(Person.id == current)
            ).first()
            if row is None:
                return None
            if row.merged_into_id is None:
                return current
            current = row.merged_into_id
        raise RuntimeError("redirect chain too long")

    def person_records(self, person_id: str) -> list[tuple[SourceRecord, Link]]:
        stmt = (
            select(SourceRecord, Link)
            .join(Link, Link.record_id == SourceRecord.id)
            .where(Link.person_id == person_id)
            .order_by(SourceRecord.source, SourceRecord.record_date, SourceRecord.created_at)
        )
        return [(rec, link) for rec, link in self.session.execute(stmt)]

    def person_events(self, person_ids: Sequence[str]) -> list[PersonEvent]:
        stmt = (
            select(PersonEvent)
            .where(PersonEvent.person_id.in_(list(person_ids)))
            .order_by(PersonEvent.at, PersonEvent.id)
        )
        return list(self.session.scalars(stmt))

    def merged_into(self, person_id: str) -> list[str]:
        """Every identifier that (directly or not) redirects to ``person_id``."""
        stmt = select(Person.id).where(Person.merged_into_id == person_id).order_by(Person.id)
        return list(self.session.scalars(stmt))

    def record_with_link(
        self, source: str, hmacs: Sequence[bytes]
    ) -> tuple[SourceRecord, Link] | None:
        stmt = (
            select(SourceRecord, Link)
            .join(Link, Link.record_id == SourceRecord.id)
            .where(SourceRecord.source == source, SourceRecord.ref_hmac.in_(list(hmacs)))
        )
        row = self.session.execute(stmt).first()
        return (row[0], row[1]) if row else None

    def decisions_touching(self, record_ids: Sequence[uuid.UUID]) -> list[Decision]:
        if not record_ids:
            return []
        ids = list(record_ids)
        stmt = (
            select(Decision)
            .where(or_(Decision.record_a_id.in_(ids), Decision.record_b_id.in_(ids)))
            .order_by(Decision.decided_at, Decision.id)
        )
        return list(self.session.scalars(stmt))

    def suggestions_touching(self, record_ids: Sequence[uuid.UUID]) -> list[MatchSuggestion]:
        if not record_ids:
            return []
        ids = list(record_ids)
        s = MatchSuggestion
        stmt = (
            select(s)
            .where(or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)))
            .order_by(s.created_at, s.id)
        )
        return list(self.session.scalars(stmt))

    def access_entries(self, person_ids: Sequence[str]) -> list[AccessLogEntry]:
        stmt = (
            select(AccessLogEntry)
            .where(AccessLogEntry.person_id.in_(list(person_ids)))
            .order_by(AccessLogEntry.at, AccessLogEntry.id)
        )
        return list(self.session.scalars(stmt))

    def add_access(self, row: dict[str, Any]) -> None:
        self.session.execute(insert(AccessLogEntry), [row])

    # -- whole-registry reads (re-linkage, retention, key rotation) ------------------------------

    def all_records_std(self, batch: int = 50_000) -> Iterable[list[Any]]:
        """(id, std, std_version, person_id, origin) of every record, in pages."""
        r, lk = SourceRecord, Link
        last: uuid.UUID | None = None
        while True:
            stmt = (
                select(r.id, r.std, r.std_version, lk.person_id, lk.origin)
                .join(lk, lk.record_id == r.id)
                .order_by(r.id)
                .limit(batch)
            )
            if last is not None:
                stmt = stmt.where(r.id > last)
            rows = list(self.session.execute(stmt))
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def person_created_at(self, person_ids: Iterable[str]) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for chunk in _chunks(list(set(person_ids))):
            stmt = select(Person.id, Person.created_at).where(Person.id.in_(list(chunk)))
            out.update({pid: at for pid, at in self.session.execute(stmt)})
        return out

    def expired_records(self, today: date, limit: int) -> list[Any]:
        stmt = (
            select(SourceRecord.id, SourceRecord.source, Link.person_id)
            .join(Link, Link.record_id == SourceRecord.id)
            .where(SourceRecord.retain_until < today)
            .order_by(SourceRecord.retain_until, SourceRecord.id)
            .limit(limit)
        )
        return list(self.session.execute(stmt))

    def delete_records(self, record_ids: Sequence[uuid.UUID]) -> None:
        """Deletes records; their keys, links and suggestions go with them (ON DELETE CASCADE)."""
        for chunk in _chunks(list(record_ids)):
            ids = list(chunk)
            # Cascades are declared, but SQLite enforces them only with foreign_keys=ON: be
            # explicit so the result never depends on a pragma.
            self.session.execute(delete(BlockingKey).where(BlockingKey.record_id.in_(ids)))
            self.session.execute(delete(Link).where(Link.record_id.in_(ids)))
            self.session.execute(
                delete(MatchSuggestion).where(
                    or_(
                        MatchSuggestion.record_id.in_(ids),
                        MatchSuggestion.candidate_record_id.in_(ids),
                    )
                )
            )
            self.session.execute(
                update(Decision).where(Decision.record_a_id.in_(ids)).values(record_a_id=None)
            )
            self.session.execute(
                update(Decision).where(Decision.record_b_id.in_(ids)).values(record_b_id=None)
            )
            self.session.execute(delete(SourceRecord).where(SourceRecord.id.in_(ids)))

    def stale_records(self, std_version: str) -> list[uuid.UUID]:
        stmt = select(SourceRecord.id).where(SourceRecord.std_version != std_version)
        return list(self.session.scalars(stmt))

    def sealed_of(self, ids: Sequence[uuid.UUID]) -> list[Any]:
        out: list[Any] = []
        for chunk in _chunks(list(ids)):
            stmt = select(
                SourceRecord.id, SourceRecord.source, SourceRecord.sealed, SourceRecord.seal_key_id
            ).where(SourceRecord.id.in_(list(chunk)))
            out.extend(self.session.execute(stmt))
        return out

    def count_expired(self, today: date) -> int:
        stmt = select(func.count()).where(SourceRecord.retain_until < today)
        return int(self.session.execute(stmt).scalar_one())

    def records_for_rotation(
        self, ref_key: str, seal_key: str, after: uuid.UUID | None, limit: int
    ) -> list[Any]:
        r = SourceRecord
        stmt = (
            select(r.id, r.source, r.record_date, r.sealed, r.seal_key_id)
            .where(or_(r.ref_key_id != ref_key, r.seal_key_id != seal_key))
            .order_by(r.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(r.id > after)
        return list(self.session.execute(stmt))

    def sealed_page(self, after: uuid.UUID | None, limit: int) -> list[Any]:
        stmt = (
            select(
                SourceRecord.id,
                SourceRecord.source,
                SourceRecord.ref_key_id,
                SourceRecord.sealed,
                SourceRecord.seal_key_id,
            )
            .order_by(SourceRecord.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(SourceRecord.id > after)
        return list(self.session.execute(stmt))
