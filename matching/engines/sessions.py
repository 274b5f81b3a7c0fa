"""One Splink database API per stage of a job, on the engine the job was asked to run on.

The backends are imported when first used: the ``srj`` command line starts without Splink.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from splink.internals.database_api import DatabaseAPISubClass

Engine = Literal["duckdb", "spark"]
# A Splink database API: DuckDBAPI or SparkAPI (a name only: importing Splink takes a second).
DbApi: TypeAlias = "DatabaseAPISubClass"


def make_db_api(engine: Engine) -> DbApi:
    """A fresh Splink database API for the engine (one in-memory DuckDB, or local Spark)."""
    if engine == "duckdb":
        # The model's DuckDB configuration (SRJ_DUCKDB_MEMORY_LIMIT, no insertion order to
        # preserve), for both models alike.
        from matching.engines.duckdb import default_db_api

        return default_db_api()
    if engine == "spark":
        from matching.engines.spark import spark_db_api

        return spark_db_api()
    raise ValueError(f"unknown engine {engine!r}: choose duckdb or spark")


@contextlib.contextmanager
def engine_session(engine: Engine) -> Iterator[DbApi]:
    """A Splink database API for one stage, closed at its end.

    Training and prediction each get their own: DuckDB keeps every table of a connection
    (training's sampled pairs, EM tables...) and its buffer pool until the connection closes,
    which at a million records is gigabytes the next stage does not need.
    """
    api = make_db_api(engine)
    try:
        yield api
    finally:
        close_db_api(api)


def close_db_api(api: DbApi) -> None:
    """Close the DuckDB connections of a Splink database API (a Spark session lives on)."""
    for attribute in ("_con", "_ddb_con"):
        connection = getattr(api, attribute, None)
        if connection is not None and hasattr(connection, "close"):
            with contextlib.suppress(Exception):  # already closed, or not a DuckDB one
                connection.close()
