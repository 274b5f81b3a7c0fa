"""Arrow tables in and out of Splink, whatever the engine: registration, results, dialect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
from splink.internals.splink_dataframe import SplinkDataFrame

if TYPE_CHECKING:
    from matching.engines.sessions import DbApi


def dialect_of(db_api: DbApi) -> str:
    return str(db_api.sql_dialect.sql_dialect_str)


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


def register(db_api: DbApi, table: pa.Table, name: str | None = None) -> SplinkDataFrame:
    """Register an Arrow table with Splink (DuckDB reads Arrow; other engines get pandas)."""
    data: Any = table if dialect_of(db_api) == "duckdb" else table.to_pandas()
    if name is None:
        return db_api.register(data)
    return db_api.register(data, dataset_display_name=name)
