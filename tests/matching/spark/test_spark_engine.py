"""Our model on Spark (local[2]) and on DuckDB gives the same pairs and clusters.

One Spark session for the whole module (starting one costs tens of seconds); the model is
trained once on DuckDB and applied with ``srj link dedupe --model ... --engine spark|duckdb``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from matching.baseline import baseline_settings
from matching.cli import app
from matching.engines import spark as spark_engine
from matching.synthetic import generate

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = spark_engine.spark_session(master="local[2]", memory="2g")
    yield session
    spark_engine.stop_spark()


@pytest.fixture(scope="module")
def records_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spark") / "records.parquet"
    pq.write_table(generate(200, 21).records, path)
    return path


def _partition(clusters: pa.Table) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for row in clusters.to_pylist():
        groups.setdefault(row["cluster_id"], set()).add(row["record_id"])
    return {frozenset(g) for g in groups.values()}


def _pairs(path: Path) -> dict[tuple[str, str], float]:
    table = pq.read_table(path)
    return {
        tuple(sorted((r["record_id_l"], r["record_id_r"]))): r["match_weight"]
        for r in table.to_pylist()
    }


def test_spark_and_duckdb_give_the_same_clusters(
    spark: object, records_file: Path, tmp_path: Path
) -> None:
    # Our model; the baseline's Spark path differs only by its local clustering, proven
    # equal to Splink's in tests/matching/jobs/test_jobs_baseline.py.
    runner = CliRunner()
    model = tmp_path / "model.json"
    trained = runner.invoke(app, ["train", "--input", str(records_file), "--model", str(model)])
    assert trained.exit_code == 0, trained.stderr
    outputs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine
        result = runner.invoke(
            app,
            [
                "dedupe",
                "--input",
                str(records_file),
                "--output",
                str(out),
                "--model",
                str(model),
                "--engine",
                engine,
                "--no-report",
            ],
        )
        assert result.exit_code == 0, result.stderr
        outputs[engine] = out
    duck, spk = (pq.read_table(outputs[e] / "clusters.parquet") for e in ("duckdb", "spark"))
    assert duck.num_rows == spk.num_rows == pq.read_metadata(records_file).num_rows
    assert _partition(duck) == _partition(spk)
    assert any(len(group) > 1 for group in _partition(duck))
    duck_pairs, spark_pairs = (_pairs(outputs[e] / "pairs.parquet") for e in ("duckdb", "spark"))
    assert duck_pairs.keys() == spark_pairs.keys()
    for key, weight in duck_pairs.items():
        assert spark_pairs[key] == pytest.approx(weight, abs=1e-9)


def test_trained_settings_are_rendered_for_spark_sql() -> None:
    declared = baseline_settings()
    trained = declared.get_settings("duckdb").as_dict()
    trained["probability_two_random_records_match"] = 0.001
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                level["m_probability"], level["u_probability"] = 0.5, 0.25
    rendered = spark_engine.render_for_dialect(declared, trained, "spark")
    conditions = " ".join(
        level["sql_condition"]
        for comparison in rendered["comparisons"]
        for level in comparison["comparison_levels"]
    )
    assert '"' not in conditions  # DuckDB's identifier quotes are string literals in Spark
    assert "jaro_winkler(" in conditions
    assert "yyyy-MM-dd" in conditions
    assert rendered["probability_two_random_records_match"] == 0.001
    levels = [lv for c in rendered["comparisons"] for lv in c["comparison_levels"]]
    assert all(lv["m_probability"] == 0.5 for lv in levels if not lv.get("is_null_level"))
    trained["comparisons"][0]["comparison_levels"].pop()
    with pytest.raises(ValueError, match="differs from its declaration"):
        spark_engine.render_for_dialect(declared, trained, "spark")
