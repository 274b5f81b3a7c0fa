"""``srj refdata import-natinf | import-penalties | export | releases``, as scripts call them.

The commands commit, so each test module gets a database of its own per backend (never the
shared, rolled-back one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrypoint.cli import app
from srj.settings import get_settings
from tests.refdata.natinf_samples import (
    ALL_ROWS,
    CURATED,
    CURATED_PENALTIES,
    OFFICIAL,
    natinf_bytes,
)

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str,
    database_factory: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    monkeypatch.setenv("SRJ_DATABASE_URL", database_factory(backend))
    monkeypatch.setenv("SRJ_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SRJ_LOG_JSON", "false")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def srj(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_prints_one_json_line_and_is_idempotent(cli_env: Path) -> None:
    path = cli_env / "natinf.csv"
    path.write_bytes(natinf_bytes(ALL_ROWS))
    code, out, _ = srj("refdata", "import-natinf", str(path), "--published-on", "2026-07-01")
    assert code == 0
    assert json.loads(out) == {
        "release": "natinf-2026-07-01",
        "created": True,
        "added": len(ALL_ROWS),
        "changed": 0,
        "retired": 0,
        "unchanged": 0,
    }
    assert len(out.strip().splitlines()) == 1
    code, out, _ = srj("refdata", "import-natinf", str(path), "--published-on", "2026-10-01")
    assert code == 0
    assert json.loads(out) == {
        "release": "natinf-2026-07-01",
        "created": False,
        "added": 0,
        "changed": 0,
        "retired": 0,
        "unchanged": len(ALL_ROWS),
    }


def test_rejected_file_exits_2_listing_every_problem(cli_env: Path) -> None:
    rows = [*OFFICIAL, ("7", "Délit", "X", "", ""), ("99", "Crime?", "", "", "")]
    path = cli_env / "bad.csv"
    path.write_bytes(natinf_bytes(rows))
    code, out, err = srj("refdata", "import-natinf", str(path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("line 8, column 'Numéro NATINF': duplicate code")
    assert lines[1].startswith("line 9, column 'Nature de l'infraction': unknown nature")
    assert lines[2] == "line 9, column 'Qualification de l'infraction': the qualification is empty"
    assert "nothing was imported" in lines[-1]
    code, out, _ = srj("refdata", "releases")
    assert (code, out) == (0, "")


def test_bad_arguments_exit_non_zero(cli_env: Path) -> None:
    path = cli_env / "natinf.csv"
    path.write_bytes(natinf_bytes(OFFICIAL))
    code, _, err = srj("refdata", "import-natinf", str(path), "--published-on", "2026-02-30")
    assert code == 2
    assert "--published-on must be a date" in err
    assert srj("refdata", "import-natinf", str(cli_env / "missing.csv"))[0] == 2
    assert srj("refdata", "import-natinf", str(path), "--published-on", "2026-07-01")[0] == 0
    code, _, err = srj(
        "refdata", "import-natinf", str(cli_env / "natinf.csv"), "--published-on", "2026-06-01"
    )
    assert code == 0  # same content: a no-op whatever the date
    path.write_bytes(natinf_bytes(ALL_ROWS))
    code, _, err = srj("refdata", "import-natinf", str(path), "--published-on", "2026-06-01")
    assert code == 2
    assert "cannot be published before it" in err


def test_curated_seed_then_penalties_then_export(cli_env: Path) -> None:
    code, out, _ = srj("refdata", "import-natinf", str(CURATED), "--published-on", "2026-01-26")
    assert code == 0
    assert json.loads(out)["added"] == 198
    code, out, _ = srj(
        "refdata", "import-penalties", str(CURATED_PENALTIES), "--published-on", "2026-11-28"
    )
    assert code == 0
    assert json.loads(out)["added"] == 10
    target = cli_env / "out"
    code, out, _ = srj("refdata", "export", "latest", "--output", str(target))
    assert code == 0
    exported = json.loads(out)
    assert exported["release"] == "natinf-2026-01-26"
    assert all(f["matches_release"] for f in exported["files"])
    latin = target / "natinf-2026-01-26-offences.latin-1.csv"
    assert latin.read_bytes() == CURATED.read_bytes()
    for entry in exported["files"]:
        assert hashlib.sha256(Path(entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    code, out, _ = srj("refdata", "releases")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        "penalties-2026-11-28",
        "natinf-2026-01-26",
    ]
    assert srj("refdata", "export", "natinf-2020-01-01", "--output", str(target))[0] == 2
