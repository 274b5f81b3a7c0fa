"""Files on disk: byte-identical for a seed, complete manifest, all-or-nothing writes, and a
command line that refuses bad arguments clearly."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from matching.records import CANONICAL_COLUMNS
from matching.synthetic import GENERATOR_VERSION, OutputError, generate, write
from matching.synthetic.cli import app

runner = CliRunner()
FILES = ("records.parquet", "records.csv", "truth.csv", "persons.parquet", "errors.parquet")


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_same_bytes_other_seed_other_records(tmp_path: Path) -> None:
    write(generate(persons=700, seed=11), tmp_path / "a", csv=True)
    write(generate(persons=700, seed=11), tmp_path / "b", csv=True)
    write(generate(persons=700, seed=12), tmp_path / "c", csv=True)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert set(a) == {*FILES, "manifest.json"}
    assert a == b
    assert a["records.parquet"] != c["records.parquet"]
    assert a["truth.csv"] != c["truth.csv"]


def test_manifest_describes_the_files(tmp_path: Path) -> None:
    population = generate(persons=300, seed=4)
    out = tmp_path / "out"
    manifest = write(population, out)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["seed"] == 4
    assert manifest["persons"] == population.n_persons == 300
    assert manifest["records"] == population.n_records
    assert manifest["generator_version"] == GENERATOR_VERSION
    assert manifest["rates"]["faute_nom"] == population.rates.faute_nom
    for name, info in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == info["sha256"]
    assert "records.csv" not in manifest["files"]


def test_files_read_back_in_the_canonical_format(tmp_path: Path) -> None:
    population = generate(persons=200, seed=9)
    out = tmp_path / "out"
    write(population, out, csv=True)
    records = pq.read_table(out / "records.parquet")
    assert records.equals(population.records)
    with (out / "records.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CANONICAL_COLUMNS
    assert rows == population.records.to_pylist()
    with (out / "truth.csv").open(encoding="utf-8", newline="") as f:
        truth = list(csv.reader(f))
    assert truth[0] == ["record_id", "person_id"]
    assert len(truth) == population.n_records + 1


def test_existing_directory_is_kept_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(generate(persons=50, seed=1), out)
    before = _digests(out)
    with pytest.raises(OutputError, match="not empty"):
        write(generate(persons=50, seed=2), out)
    assert _digests(out) == before
    write(generate(persons=50, seed=2), out, overwrite=True)
    assert _digests(out) != before
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "no temporary directory left behind"


def test_cli_writes_a_population(tmp_path: Path) -> None:
    out = tmp_path / "pop"
    result = runner.invoke(
        app, ["synth", "--persons", "120", "--seed", "3", "--out", str(out), "--csv"]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {*FILES, "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["persons"] == 120


def test_cli_records_target(tmp_path: Path) -> None:
    out = tmp_path / "pop"
    result = runner.invoke(
        app, ["synth", "--records", "333", "--out", str(out), "--rate", "faute_nom=0.5"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["records"] == 333
    assert manifest["rates"]["faute_nom"] == 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--persons", "0"], "--persons must be a positive integer"),
        (["--persons", "-5"], "--persons must be a positive integer"),
        (["--records", "0"], "--records must be a positive integer"),
        (["--persons", "5", "--records", "5"], "exactly one"),
        ([], "exactly one"),
        (["--persons", "5", "--seed", "-1"], "--seed must be a non-negative integer"),
        (["--persons", "5", "--rate", "faute_nom=2"], "between 0 and 1"),
        (["--persons", "5", "--rate", "nope=0.1"], "unknown error rate"),
        (["--persons", "5", "--rate", "faute_nom"], "expected NAME=RATE"),
        (["--persons", "abc"], "valid integer"),
    ],
)
def test_cli_bad_arguments_exit_non_zero_without_output(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "pop"
    result = runner.invoke(app, ["synth", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in " ".join(result.output.split()), result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_unwritable_destination(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for out, message in (
        (a_file / "pop", "does not exist"),
        (a_file, "is not a directory"),
    ):
        result = runner.invoke(app, ["synth", "--persons", "10", "--out", str(out)])
        assert result.exit_code == 1
        assert message in " ".join(result.output.split()), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_cli_refuses_non_empty_directory(tmp_path: Path) -> None:
    out = tmp_path / "pop"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["synth", "--persons", "10", "--out", str(out)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
