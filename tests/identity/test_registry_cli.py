"""``srj registry``: the commands end to end on a database of their own, with the real model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from entrypoint.cli import app
from identity.config import get_registry_settings
from matching.synthetic import generate
from srj.settings import get_settings


@pytest.fixture
def cli_env(
    fresh_engine: Engine, model_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("SRJ_DATABASE_URL", fresh_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SRJ_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SRJ_REGISTRY_MODEL_PATH", str(model_path))
    get_settings.cache_clear()
    get_registry_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    get_registry_settings.cache_clear()


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, ["registry", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_ingest_relink_retention_rotation(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    extract = cli_env / "extract.parquet"
    pq.write_table(generate(120, seed=31).records, extract)
    first = _run("ingest", str(extract), "--batch-size", "50")
    assert first["records"] > 120
    assert first["unchanged"] == 0
    again = _run("ingest", str(extract))
    assert again["unchanged"] == first["records"]

    dry = _run("relink", "--dry-run")
    assert dry["dry_run"] is True
    _run("relink")
    second = _run("relink")
    assert not _changes(second), second  # the second run changes nothing

    kept = _run("retention", "--dry-run", "--today", "1900-01-01")
    assert kept["deleted_records"] == 0
    far = _run("retention", "--dry-run", "--today", "2100-01-01")
    assert far["deleted_records"] == first["records"]

    secrets = json.loads((cli_env / "var" / "dev-secrets.json").read_text())
    new_key = CliRunner().invoke(app, ["registry", "new-key", "k2"]).stdout.strip()
    monkeypatch.setenv("SRJ_PSEUDONYM_KEYS", new_key + "," + secrets["pseudonym_keys"])
    monkeypatch.setenv("SRJ_ENCRYPTION_KEYS", new_key + "," + secrets["encryption_keys"])
    get_settings.cache_clear()
    rotated = _run("rotate-keys")
    assert rotated["rewritten"] == first["records"]
    assert _run("rotate-keys")["rewritten"] == 0
    assert _run("ingest", str(extract))["unchanged"] == first["records"]


def _changes(summary: dict) -> int:
    return sum(
        summary[k]
        for k in (
            "moved_records",
            "new_persons",
            "merged_persons",
            "suggestions_opened",
            "suggestions_closed",
        )
    )


def test_bad_arguments_exit_non_zero(cli_env: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["registry", "ingest", str(cli_env / "nope.parquet")])
    assert missing.exit_code == 2
    assert "file not found" in missing.output
    bad_date = runner.invoke(app, ["registry", "retention", "--today", "01/01/2026"])
    assert bad_date.exit_code == 2
    assert "YYYY-MM-DD" in bad_date.output


def _held(engine: Engine) -> int:
    from sqlalchemy import func, select

    from identity.models import SourceRecord

    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SourceRecord)).scalar_one())


def test_ingest_refuses_a_file_with_implausible_rows_whole_naming_row_and_field(
    cli_env: Path, fresh_engine: Engine
) -> None:
    """All-or-nothing, like every importer: a `9999-12-31` record date used to crash the
    ingest halfway, after committing the batches before it."""
    table = generate(60, seed=5).records
    rows = table.to_pylist()
    rows[70]["record_date"] = "9999-12-31"
    rows[71]["source"] = "SIRIUS"
    rows[72]["sexe"] = "Z"
    rows[73]["prenoms"] = "JEAN\x00PAUL"
    rows[74]["date_naissance"] = "1850-01-01"
    extract = cli_env / "extract.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), extract)

    result = CliRunner().invoke(app, ["registry", "ingest", str(extract), "--batch-size", "20"])
    assert result.exit_code == 2, result.output
    for row, field in (
        (71, "record_date"),
        (72, "source"),
        (73, "sexe"),
        (74, "prenoms"),
        (75, "date_naissance"),
    ):
        assert f"row {row}, field '{field}'" in result.output, result.output
    assert "CASSIOPEE" in result.output  # the known sources are named
    assert "SIRIUS" not in result.output
    assert _held(fresh_engine) == 0
