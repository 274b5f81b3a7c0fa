"""``srj refdata import-cog | import-courts | import-tariffs``: exit codes and messages."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from entrypoint.cli import app
from srj.settings import get_settings


@pytest.fixture
def fresh_database(
    database_factory: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    url = database_factory("sqlite")
    monkeypatch.setenv("SRJ_DATABASE_URL", url)
    monkeypatch.setenv("SRJ_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_imports_in_order_then_again_with_no_change(fresh_database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["refdata", "import-cog"])
    assert first.exit_code == 0, first.output
    cog = json.loads(first.stdout)
    assert cog["communes"]["added"] == 37590
    # The release's items: the communes and the merged codes they absorbed.
    assert cog["created"] is True
    assert cog["release"].startswith("communes-")
    assert cog["added"] == 37590 + cog["communes"]["successions_added"]
    courts = runner.invoke(app, ["refdata", "import-courts"])
    assert courts.exit_code == 0, courts.output
    assert json.loads(courts.stdout)["court_versions"]["added"] > 300
    assert json.loads(courts.stdout)["release"].startswith("courts-")
    tariffs = runner.invoke(app, ["refdata", "import-tariffs"])
    assert tariffs.exit_code == 0, tariffs.output
    first_tariffs = json.loads(tariffs.stdout)
    again = runner.invoke(app, ["refdata", "import-tariffs"])
    assert json.loads(again.stdout) | {"tables": None} == {
        "release": first_tariffs["release"],
        "created": False,
        "added": 0,
        "changed": 0,
        "retired": 0,
        "unchanged": first_tariffs["added"],
        "tables": None,
    }
    # The release's bulk files, rebuilt from the database, match the checksums recorded.
    export = runner.invoke(
        app, ["refdata", "export", "latest", "--dataset", "courts", "--output", str(tmp_path)]
    )
    assert export.exit_code == 0, export.output
    exported = json.loads(export.stdout)
    assert exported["release"] == json.loads(courts.stdout)["release"]
    assert sorted(Path(f["file"]).name.split("-", 4)[-1] for f in exported["files"]) == [
        "courts.csv",
        "courts.json",
        "ressorts.csv",
    ]
    assert all(f["matches_release"] for f in exported["files"])


def test_courts_before_the_cog_are_refused(fresh_database: str) -> None:
    result = CliRunner().invoke(app, ["refdata", "import-courts"])
    assert result.exit_code == 2
    assert "no COG is loaded: run `srj refdata import-cog` first" in result.stderr


def test_bad_tariff_file_exits_2_listing_every_problem(fresh_database: str, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[3] / "datasets" / "tariffs"
    directory = tmp_path / "tariffs"
    shutil.copytree(source, directory)
    path = directory / "amendes_maximales.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(",750,", ",7 50,", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["refdata", "import-tariffs", str(directory)])
    assert result.exit_code == 2
    assert "'7 50' is not a decimal number" in result.stderr
    assert "nothing was imported" in result.stderr


def test_bad_millesime_option(fresh_database: str) -> None:
    result = CliRunner().invoke(app, ["refdata", "import-cog", "--millesime", "2026-13-01"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
