"""The DuckDB engine: one in-memory database per Splink database API, memory capped."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
from splink import DuckDBAPI

DEFAULT_MEMORY_LIMIT = "3GB"


def default_db_api(*, threads: int | None = None, memory_limit: str | None = None) -> DuckDBAPI:
    """A DuckDB API on a fresh in-memory database.

    DuckDB's memory is capped (``SRJ_DUCKDB_MEMORY_LIMIT``, default 3GB) and it spills to a
    temporary directory beyond: left to itself it takes 80% of the machine, and the
    1M-record job must stay under 6 GB with Python's own tables beside it.
    """
    connection = duckdb.connect()
    limit = memory_limit or os.environ.get("SRJ_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    connection.execute(f"SET memory_limit = '{_checked_size(limit)}'")
    spill = Path(tempfile.gettempdir()) / "srj-duckdb-spill"
    spill.mkdir(exist_ok=True)
    connection.execute(f"SET temp_directory = '{spill}'")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    connection.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection=connection)


def _checked_size(value: str) -> str:
    text = value.strip().upper()
    digits = text.rstrip("KMGTIB ")
    if not digits.replace(".", "", 1).isdigit():
        raise ValueError(f"invalid memory limit {value!r} (expected e.g. 4GB)")
    return text
