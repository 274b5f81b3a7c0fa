"""Running the same model on Spark (``--engine spark``) through Splink's ``SparkAPI``.

One local Spark session per process, configured for Splink: its similarity UDF jar
(Jaro-Winkler, Damerau-Levenshtein... that Spark SQL lacks), a checkpoint directory (Splink
breaks long lineages by checkpointing), few shuffle partitions on a small machine, and UTC so
date arithmetic agrees with DuckDB's. Spark's date patterns differ from DuckDB's (``yyyy-MM-dd``
versus ``%Y-%m-%d``): Splink renders each comparison for the dialect of the database API, so a
model declared once runs on both — the model's own SQL must stay portable (M2a's contract).

``SRJ_SPARK_MASTER`` (default ``local[2]``) and ``SRJ_SPARK_MEMORY`` (default ``4g``) point a
job at another cluster or size the local driver.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Mapping
from copy import deepcopy
from typing import Any

from splink import SettingsCreator

_session: Any = None


def spark_session(master: str | None = None, memory: str | None = None) -> Any:
    """The process-wide Spark session for Splink, created on first use."""
    global _session
    if _session is not None:
        return _session
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:  # pyspark is the optional "spark" extra
        raise RuntimeError(
            "--engine spark needs pyspark: pip install 'srj[spark]' (and Java 17)"
        ) from exc
    checkpoints = tempfile.mkdtemp(prefix="srj-spark-checkpoints-")
    atexit.register(shutil.rmtree, checkpoints, ignore_errors=True)
    builder = (
        SparkSession.builder.master(master or os.environ.get("SRJ_SPARK_MASTER", "local[2]"))
        .appName("srj-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory or os.environ.get("SRJ_SPARK_MEMORY", "4g"))
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _silence_codegen_fallback(session)
    session.sparkContext.setCheckpointDir(checkpoints)
    _session = session
    return session


def _silence_codegen_fallback(session: Any) -> None:
    """The model's comparison CASE expressions compile to Java methods larger than the JVM
    allows; Spark then logs the whole generated source at ERROR and falls back to
    interpreted evaluation, which is correct. Only that logger is silenced."""
    try:
        jvm = session.sparkContext._jvm
        jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
            "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator",
            jvm.org.apache.logging.log4j.Level.OFF,
        )
    except Exception:  # a remote cluster may not expose log4j: keep the noise then
        return


def spark_db_api(session: Any = None) -> Any:
    """A fresh Splink ``SparkAPI`` on the process-wide (or the given) session."""
    from splink import SparkAPI

    return SparkAPI(spark_session=session or spark_session(), break_lineage_method="parquet")


def stop_spark() -> None:
    """Stop the process-wide session (tests stop it at the end of their module)."""
    global _session
    if _session is not None:
        _session.stop()
        _session = None


def render_for_dialect(
    declared: SettingsCreator, trained: Mapping[str, Any], dialect: str
) -> dict[str, Any]:
    """A trained model's settings rendered for another SQL dialect.

    A settings JSON saved by Splink is SQL of the dialect it was trained on: DuckDB quotes
    identifiers with ``"`` (a string literal in Spark SQL), names ``jaro_winkler_similarity``
    what the Spark UDF calls ``jaro_winkler``, and parses dates with ``%Y-%m-%d`` where Spark
    wants ``yyyy-MM-dd``. So the model is rendered again from its declaration for the target
    dialect, and the trained parameters (prior, m and u of every level) are carried over level
    by level — after checking that the declaration still has the same comparisons and levels.
    """
    fresh = declared.get_settings(dialect).as_dict()
    fresh["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    fresh_comparisons, trained_comparisons = fresh["comparisons"], trained["comparisons"]
    if len(fresh_comparisons) != len(trained_comparisons):
        raise ValueError("the trained model and its declaration have different comparisons")
    for new, old in zip(fresh_comparisons, trained_comparisons, strict=True):
        names = (new.get("output_column_name"), old.get("output_column_name"))
        new_levels, old_levels = new["comparison_levels"], old["comparison_levels"]
        if names[0] != names[1] or len(new_levels) != len(old_levels):
            raise ValueError(f"comparison {names[1]!r} differs from its declaration")
        for new_level, old_level in zip(new_levels, old_levels, strict=True):
            if new_level.get("label_for_charts") != old_level.get("label_for_charts"):
                raise ValueError(f"a level of {names[1]!r} differs from its declaration")
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = deepcopy(old_level[key])
    return fresh
