"""Where Splink runs: an in-process DuckDB or a (local) Spark session, behind one name.

A job asks for an engine by name (``--engine duckdb|spark``, :data:`Engine`);
:func:`engine_session` gives each stage its own Splink database API and closes it at the end
of the stage. ``duckdb`` (:mod:`matching.engines.duckdb`) and ``spark``
(:mod:`matching.engines.spark`) configure their backend; :mod:`matching.engines.frames` moves
Arrow tables in and out of either. The model (:mod:`matching.model`) takes whatever database
API it is given.
"""

from matching.engines.sessions import DbApi, Engine, close_db_api, engine_session, make_db_api

__all__ = ["DbApi", "Engine", "close_db_api", "engine_session", "make_db_api"]
