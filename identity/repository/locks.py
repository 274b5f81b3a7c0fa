"""The registry's advisory locks (PostgreSQL): who may write what at the same time.

Online resolves hold the registry lock shared and an exclusive lock per blocking key and per
record reference; jobs that rewrite the registry (large ingest batches, relink, retention, key
rotation, reviewers' decisions) hold the registry lock exclusively. Locks are taken in one
global order (the registry lock first, then ascending hashes), so two writers never deadlock.
SQLite needs none of this: its writers queue on the database lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib


def key_hash(key: str) -> int:
    """64-bit signed hash of a blocking key (stored and indexed instead of the key)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


REGISTRY_LOCK = key_hash("srj/identity/registry")

# Shared registry lock, then the key locks in ascending order, in one statement. Holders of
# the exclusive registry lock take no key lock, so the order between the shared registry lock
# and the key locks cannot deadlock. ``%(...)s`` placeholders: run through psycopg directly
# on the online path (see RecordRepository.lock_and_lookup_one).
LOCK_ONE_SQL = (
    "SELECT pg_advisory_xact_lock_shared(%(k)s), (SELECT count(pg_advisory_xact_lock(h)) "
    "FROM (SELECT unnest(CAST(%(ls)s AS bigint[])) AS h ORDER BY 1) AS ordered_keys)"
)
