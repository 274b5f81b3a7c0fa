"""Pseudonymised linkage tables for a study: who is who across the sources, without any trait."""

from __future__ import annotations

import hashlib
import hmac

import pyarrow as pa
import pyarrow.compute as pc

MIN_STUDY_KEY_BYTES = 16


def _keyed_pseudonym(key: bytes, domain: bytes, value: str) -> str:
    digest = hmac.new(key, domain + b"\x00" + value.encode("utf-8"), hashlib.sha256).digest()
    return digest[:16].hex()


def pseudonymised_linkage_table(
    clusters: pa.Table, records: pa.Table, study_key: bytes
) -> pa.Table:
    """A linkage table for one study: who is who across the sources, without any trait.

    Columns ``person`` (keyed pseudonym of the cluster), ``record`` (keyed pseudonym of the
    record), ``source`` and ``record_date``. The pseudonyms are HMAC-SHA-256 under the study's
    own key (truncated to 128 bits): two studies with different keys cannot join their tables,
    and without the key nobody can recompute a pseudonym from a record identifier. Record and
    cluster identifiers go in, never traits.
    """
    if len(study_key) < MIN_STUDY_KEY_BYTES:
        raise ValueError(f"the study key must have at least {MIN_STUDY_KEY_BYTES} bytes")
    ids = records.column("record_id").combine_chunks()
    position = pc.index_in(ids, value_set=clusters.column("record_id").combine_chunks())
    if position.null_count:
        raise ValueError("some records are not in the clusters")
    cluster_ids = pc.take(clusters.column("cluster_id").combine_chunks(), position)
    person = [_keyed_pseudonym(study_key, b"person", str(c)) for c in cluster_ids.to_pylist()]
    record = [_keyed_pseudonym(study_key, b"record", str(r)) for r in ids.to_pylist()]
    return pa.table(
        {
            "person": pa.array(person, pa.string()),
            "record": pa.array(record, pa.string()),
            "source": records.column("source"),
            "record_date": records.column("record_date"),
        }
    )
