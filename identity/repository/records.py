"""Source records and their blocking keys: the upsert lookup, the candidate search, the
standardised rows re-linkage reads.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import delete, func, select, text, union_all

from identity.models import (
    BlockingKey,
    Link,
    SourceRecord,
)
from identity.repository.base import BaseRepository, chunks
from identity.repository.locks import LOCK_ONE_SQL, REGISTRY_LOCK

# Candidates (at most ``cap`` per key through LATERAL ... LIMIT, ranked by keys shared, a
# record sharing one key only kept if that key is rare) with their rows and the number of
# records of their person (resolve checks a record against the whole person it would join);
# the other records of the persons of the best-ranked candidates ('m' rows: the person the
# record joins is nearly always one of them, and most persons have no record outside the
# candidates, so this returns nothing most of the time and saves a round trip the rest of
# it); and the existing record by (source, HMAC) under any key version: one statement.
LOOKUP_ONE_SQL = (
    "WITH hits AS (SELECT b.record_id, count(*) OVER (PARTITION BY k.h) AS holders "
    "FROM unnest(CAST(%(hs)s AS bigint[])) AS k(h) "
    "CROSS JOIN LATERAL (SELECT record_id FROM identity_blocking_keys "
    "WHERE key_hash = k.h LIMIT %(cap)s) AS b), "
    "ranked AS (SELECT record_id, count(*) AS shared, min(holders) AS rarest "
    "FROM hits GROUP BY record_id "
    "HAVING count(*) >= 2 OR %(rare)s = 0 OR min(holders) < %(rare)s "
    "ORDER BY count(*) DESC, min(holders), record_id LIMIT %(limit)s), "
    "best AS (SELECT DISTINCT l.person_id FROM (SELECT record_id FROM ranked "
    "ORDER BY shared DESC, rarest, record_id LIMIT %(best)s) AS t "
    "JOIN identity_links l ON l.record_id = t.record_id) "
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
    "AND r.ref_hmac = ANY(CAST(%(hmacs)s AS bytea[])) "
    "UNION ALL "
    "SELECT 'm', r.id, r.std, l.person_id, l.origin, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL "
    "FROM best JOIN identity_links l ON l.person_id = best.person_id "
    "JOIN identity_source_records r ON r.id = l.record_id "
    "WHERE l.record_id NOT IN (SELECT record_id FROM ranked)"
)
# Persons whose records outside the candidates the lookup returns (see LOOKUP_ONE_SQL).
MEMBERS_OF_BEST = 3


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


@dataclass(frozen=True)
class OnlineLookup:
    """What the online path's one statement returns (see lock_and_lookup_one)."""

    existing: dict[tuple[str, bytes], ExistingRecord]  # by (source, reference HMAC)
    ranked: list[tuple[uuid.UUID, int]]  # candidates, best first, with the keys they share
    rows: dict[uuid.UUID, CandidateRow]  # the candidates' rows
    counts: dict[str, int]  # records held by each candidate's person
    members: dict[uuid.UUID, CandidateRow]  # other records of the best candidates' persons


class RecordRepository(BaseRepository):
    """Records (sealed traits, standardised keys) and blocking keys."""

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
            for chunk in chunks(ordered):
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
        for chunk in chunks(sorted(wanted)):
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
            for chunk in chunks(list(hashes)):
                for h, rid in self.session.execute(stmt, {"hs": list(chunk), "cap": cap}):
                    by_key[h].append(rid)
            return by_key
        for chunk in chunks(list(hashes), 400):
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
    ) -> OnlineLookup:
        """PostgreSQL, one incoming record: :meth:`lock_keys` (shared registry lock and key
        locks), then :meth:`find_records` and :meth:`ranked_candidates` with the candidates'
        rows, :meth:`record_counts` of their persons and the other records of the best-ranked
        ones in one statement — all in one round trip (the online path's latency is round
        trips).

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
            "best": MEMBERS_OF_BEST,
            "sources": sorted({s for s, _ in refs}),
            "hmacs": [h for _, h in refs],
        }
        with raw.cursor() as locks, raw.cursor() as cursor:
            with raw.pipeline():
                locks.execute(LOCK_ONE_SQL, params)
                # The lookup's plan does not depend on its parameters (arrays joined through
                # index lookups), but PostgreSQL re-planned it on every call: planning took
                # longer (~0.9 ms) than running it. The generic plan is made once per
                # connection; the setting is back to its default for the rest of the
                # transaction.
                locks.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                cursor.execute(LOOKUP_ONE_SQL, params, prepare=True)
                locks.execute("SET LOCAL plan_cache_mode TO DEFAULT")
            found = cursor.fetchall()
        existing: dict[tuple[str, bytes], ExistingRecord] = {}
        ranked: list[tuple[uuid.UUID, int]] = []
        rows: dict[uuid.UUID, CandidateRow] = {}
        counts: dict[str, int] = {}
        members: dict[uuid.UUID, CandidateRow] = {}
        for row in found:
            kind, rid, std, person_id, origin, shared = row[:6]
            if kind == "m":
                # Not a candidate (not scored as one): a record of a candidate's person.
                members[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
                continue
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
        return OnlineLookup(existing, ranked, rows, counts, members)

    def sources_of(self, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The application of each record."""
        out: dict[uuid.UUID, str] = {}
        for chunk in chunks(sorted(set(record_ids))):
            stmt = select(SourceRecord.id, SourceRecord.source).where(
                SourceRecord.id.in_(list(chunk))
            )
            out.update({rid: source for rid, source in self.session.execute(stmt)})
        return out

    def load_person_records(self, person_ids: Iterable[str]) -> dict[uuid.UUID, CandidateRow]:
        """Every record of ``person_ids``, as candidates (the standardised keys and link)."""
        rows: dict[uuid.UUID, CandidateRow] = {}
        r, lk = SourceRecord, Link
        for chunk in chunks(sorted(set(person_ids))):
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
            for chunk in chunks(list(set(ids))):
                for rid, std, person_id, origin in self.session.execute(
                    stmt_pg, {"ids": list(chunk)}
                ):
                    rows[rid] = CandidateRow(rid, orjson.loads(std), person_id, origin)
            return rows
        for chunk in chunks(list(set(ids))):
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

    def insert_records(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(SourceRecord, rows)

    def update_records(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry ``id`` and the columns to set."""
        if rows:
            self._update_many(SourceRecord, "id", rows)

    def replace_blocking_keys(
        self, delete_for: Sequence[uuid.UUID], rows: list[dict[str, Any]]
    ) -> None:
        for chunk in chunks(list(delete_for)):
            self.session.execute(delete(BlockingKey).where(BlockingKey.record_id.in_(list(chunk))))
        if rows:
            self._insert_many(BlockingKey, rows)

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

    def stale_records(self, std_version: str) -> list[uuid.UUID]:
        stmt = select(SourceRecord.id).where(SourceRecord.std_version != std_version)
        return list(self.session.scalars(stmt))

    def sealed_of(self, ids: Sequence[uuid.UUID]) -> list[Any]:
        out: list[Any] = []
        for chunk in chunks(list(ids)):
            stmt = select(
                SourceRecord.id, SourceRecord.source, SourceRecord.sealed, SourceRecord.seal_key_id
            ).where(SourceRecord.id.in_(list(chunk)))
            out.extend(self.session.execute(stmt))
        return out
