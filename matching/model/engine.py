"""Splink database APIs and tables: the plumbing shared by training and prediction."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from matching.standardise import STANDARDISED_COLUMNS, is_standardised, standardise_table

DEFAULT_MEMORY_LIMIT = "3GB"


def default_db_api(*, threads: int | None = None, memory_limit: str | None = None) -> Any:
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


def dialect_of(db_api: Any) -> str:
    return str(db_api.sql_dialect.sql_dialect_str)


def as_standardised(records: Any) -> pa.Table:
    """A standardised Arrow table: as given when already standardised, else standardised."""
    if isinstance(records, pa.Table) and is_standardised(records):
        table = records
    else:
        table = standardise_table(records)
    if table.column("record_id").null_count:
        raise ValueError("every record needs a record_id")
    return table.select(list(STANDARDISED_COLUMNS))


def to_arrow(frame: SplinkDataFrame) -> pa.Table:
    """A Splink result as an Arrow table, whatever the backend (Spark's own Arrow export,
    DuckDB's relation; pandas for any other engine)."""
    dialect = dialect_of(frame.db_api)
    if dialect == "spark":
        spark_frame = frame.as_spark_dataframe()
        if hasattr(spark_frame, "toArrow"):
            return spark_frame.toArrow()
        return pa.Table.from_pandas(spark_frame.toPandas(), preserve_index=False)
    if dialect == "duckdb":
        return frame.as_duckdbpyrelation().to_arrow_table()
    return pa.Table.from_pandas(frame.as_pandas_dataframe(), preserve_index=False)


def register(db_api: Any, table: pa.Table, name: str | None = None) -> SplinkDataFrame:
    """Register an Arrow table with Splink (DuckDB reads Arrow; other engines get pandas)."""
    data: Any = table if dialect_of(db_api) == "duckdb" else table.to_pandas()
    if name is None:
        return db_api.register(data)
    return db_api.register(data, dataset_display_name=name)
