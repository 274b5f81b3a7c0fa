"""The `srj link` contract, command by command, as scripts call it (issue 3, "Jobs")."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from matching import report
from matching.cli import app
from matching.records import CANONICAL_COLUMNS

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def baseline_run(
    population_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dedupe") / "out"
    code, stdout, stderr = run(
        "dedupe", "--input", population_files["records"], "--output", out, "--baseline"
    )
    assert code == 0, stderr
    return out, stdout


def test_dedupe_writes_every_output(baseline_run: tuple[Path, str]) -> None:
    out, _ = baseline_run
    assert sorted(p.name for p in out.iterdir()) == [
        "clusters.parquet",
        "model.json",
        "pairs.parquet",
        "report.html",
        "summary.json",
    ]


def test_every_input_record_is_clustered_exactly_once(
    baseline_run: tuple[Path, str], population_files: dict[str, Path]
) -> None:
    out, _ = baseline_run
    clusters = pq.read_table(out / "clusters.parquet")
    records = pq.read_table(population_files["records"])
    assert clusters.schema.names == ["record_id", "cluster_id"]
    assert clusters.num_rows == records.num_rows
    assert sorted(clusters.column("record_id").to_pylist()) == sorted(
        records.column("record_id").to_pylist()
    )
    assert clusters.column("cluster_id").null_count == 0


def test_pairs_are_scored_at_or_above_the_review_threshold(
    baseline_run: tuple[Path, str],
) -> None:
    out, _ = baseline_run
    pairs = pq.read_table(out / "pairs.parquet")
    assert pairs.schema == pa.schema(
        [
            ("record_id_l", pa.string()),
            ("record_id_r", pa.string()),
            ("match_weight", pa.float64()),
            ("match_probability", pa.float64()),
        ]
    )
    review = json.loads((out / "model.json").read_text())["thresholds"]["review"]
    assert pairs.num_rows > 0
    assert pc.min(pairs.column("match_probability")).as_py() >= review
    # One row per pair: no pair twice, in either orientation.
    keys = {
        tuple(sorted(p))
        for p in zip(
            *(pairs.column(c).to_pylist() for c in ("record_id_l", "record_id_r")), strict=True
        )
    }
    assert len(keys) == pairs.num_rows


def test_summary_line_and_summary_json_agree(baseline_run: tuple[Path, str]) -> None:
    out, stdout = baseline_run
    summary = json.loads((out / "summary.json").read_text())
    assert stdout.count("\n") == 1
    assert re.match(r"dedupe: [\d,]+ records -> [\d,]+ clusters", stdout)
    assert f"{summary['clusters']:,} clusters" in stdout
    clusters = pq.read_table(out / "clusters.parquet")
    assert summary["clusters"] == len(pc.unique(clusters.column("cluster_id")))
    assert set(summary["seconds"]) == {
        "read",
        "standardise",
        "train",
        "predict",
        "cluster",
        "write",
    }


def test_report_is_self_contained(baseline_run: tuple[Path, str]) -> None:
    out, _ = baseline_run
    page = (out / "report.html").read_text()
    assert '<html lang="fr">' in page
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert page.count("class='chart'") >= 4  # weights, m/u, histogram, waterfall
    assert "vegaEmbed" in page


def test_report_shows_no_identity_value(
    baseline_run: tuple[Path, str], population_files: dict[str, Path]
) -> None:
    out, _ = baseline_run
    page = (out / "report.html").read_text()
    records = pq.read_table(population_files["records"])
    surnames = {s for s in records.column("nom_naissance").to_pylist() if s and len(s) > 4}
    leaked = [s for s in surnames if re.search(rf"\b{re.escape(s)}\b", page)]
    assert leaked == []


def test_train_then_dedupe_with_the_model(
    population_files: dict[str, Path], baseline_run: tuple[Path, str], tmp_path: Path
) -> None:
    model = tmp_path / "model.json"
    code, stdout, stderr = run(
        "train", "--input", population_files["records_csv"], "--model", model, "--baseline"
    )
    assert code == 0, stderr
    n = pq.read_metadata(population_files["records"]).num_rows
    assert stdout.startswith(f"train: {n:,} records, baseline model written to ")
    out = tmp_path / "out"
    code, _, stderr = run(
        "dedupe",
        "--input",
        population_files["records"],
        "--output",
        out,
        "--model",
        model,
        "--no-report",
    )
    assert code == 0, stderr
    assert not (out / "report.html").exists()
    # Same records, same seed: the model trained from the CSV clusters like the one trained
    # inside the first dedupe run from the Parquet file.
    first = pq.read_table(baseline_run[0] / "clusters.parquet").sort_by("record_id")
    second = pq.read_table(out / "clusters.parquet").sort_by("record_id")
    assert first.equals(second)


def test_evaluate_prints_a_table_and_writes_json(
    baseline_run: tuple[Path, str], population_files: dict[str, Path], tmp_path: Path
) -> None:
    out, _ = baseline_run
    target = tmp_path / "metrics.json"
    code, stdout, stderr = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--pairs",
        out / "pairs.parquet",
        "--json",
        target,
    )
    assert code == 0, stderr
    for label in (
        "pairwise precision",
        "B-cubed F1",
        "exact-cluster recovery",
        "recall at the review threshold",
        "review load: records",
    ):
        assert label in stdout
    document = json.loads(target.read_text())
    assert document["records"] == pq.read_metadata(population_files["records"]).num_rows
    assert 0.9 < document["clusters"]["bcubed_f1"] <= 1.0
    assert document["review"]["review_pairs"] >= 0


def test_evaluate_json_on_stdout(
    baseline_run: tuple[Path, str], population_files: dict[str, Path]
) -> None:
    out, _ = baseline_run
    code, stdout, _ = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(stdout)
    assert document["review"] is None
    assert set(document["pairwise"]) >= {"precision", "recall", "f1"}


def test_evaluate_with_labels(
    baseline_run: tuple[Path, str], population_files: dict[str, Path], tmp_path: Path
) -> None:
    out, _ = baseline_run
    pairs = pq.read_table(out / "pairs.parquet").slice(0, 3)
    labels = tmp_path / "labels.csv"
    rows = [
        f"{a},{b},same"
        for a, b in zip(
            pairs.column("record_id_l").to_pylist(),
            pairs.column("record_id_r").to_pylist(),
            strict=True,
        )
    ]
    labels.write_text("record_id_l,record_id_r,decision\n" + "\n".join(rows) + "\n")
    code, stdout, _ = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--pairs",
        out / "pairs.parquet",
        "--labels",
        labels,
        "--format",
        "json",
    )
    assert code == 0
    bands = json.loads(stdout)["precision_by_band"]
    assert sum(b["labelled_pairs"] for b in bands) == 3
    code, stdout, _ = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--pairs",
        out / "pairs.parquet",
        "--labels",
        labels,
        "--bands",
        "-10,30",
        "--format",
        "json",
    )
    assert code == 0
    names = [b["band"] for b in json.loads(stdout)["precision_by_band"]]
    assert names == ["unscored (below review)", "[-inf, -10)", "[-10, 30)", "[30, inf)"]
    code, _, stderr = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--pairs",
        out / "pairs.parquet",
        "--labels",
        labels,
        "--bands",
        "low,high",
    )
    assert code == 2
    assert "--bands must be numbers" in stderr
    code, _, stderr = run(
        "evaluate",
        "--clusters",
        out / "clusters.parquet",
        "--truth",
        population_files["truth"],
        "--labels",
        labels,
    )
    assert code == 2
    assert "--labels needs --pairs" in stderr


def test_evaluate_against_the_wrong_truth(baseline_run: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = baseline_run
    truth = tmp_path / "truth.csv"
    truth.write_text("record_id,person_id\nnot-a-record,P1\n")
    code, stdout, stderr = run("evaluate", "--clusters", out / "clusters.parquet", "--truth", truth)
    assert code == 2
    assert "not in the truth file" in stderr
    assert stdout == ""


# --- bad input: clear message, exit 2, no output directory --------------------------------


def _canonical_rows(population_files: dict[str, Path], n: int = 40) -> list[dict[str, str]]:
    return pq.read_table(population_files["records"]).slice(0, n).to_pylist()


def _bad_files(population_files: dict[str, Path], base: Path) -> dict[str, tuple[Path, str]]:
    rows = _canonical_rows(population_files)
    files: dict[str, tuple[Path, str]] = {}

    renamed = pa.Table.from_pylist(rows).rename_columns(
        ["prenom" if c == "prenoms" else c for c in CANONICAL_COLUMNS]
    )
    pq.write_table(renamed, base / "renamed.parquet")
    files["misnamed column"] = (
        base / "renamed.parquet",
        "column 'prenoms' is missing: found 'prenom'",
    )

    missing = pa.Table.from_pylist(rows).drop_columns(["sexe"])
    pq.write_table(missing, base / "missing.parquet")
    files["missing column"] = (base / "missing.parquet", "column 'sexe' is missing")

    duplicated = [*rows, dict(rows[3])]
    pq.write_table(pa.Table.from_pylist(duplicated), base / "dup.parquet")
    files["duplicate record_id"] = (
        base / "dup.parquet",
        f"{rows[3]['record_id']!r} at row 4, row {len(rows) + 1}",
    )

    dates = [dict(r) for r in rows]
    dates[7]["date_naissance"] = "31/12/1999"
    pq.write_table(pa.Table.from_pylist(dates), base / "dates.parquet")
    files["unparseable date"] = (
        base / "dates.parquet",
        "column 'date_naissance': unparseable date at row 8",
    )

    (base / "empty.csv").write_text("")
    files["empty file"] = (base / "empty.csv", "the file is empty")
    (base / "header.csv").write_text(",".join(CANONICAL_COLUMNS) + "\n")
    files["header only"] = (base / "header.csv", "header but no records")
    return files


BAD = [
    "misnamed column",
    "missing column",
    "duplicate record_id",
    "unparseable date",
    "empty file",
    "header only",
]


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("command", ["dedupe", "train", "link-left", "link-right"])
def test_bad_input_is_named_and_nothing_is_written(
    case: str, command: str, population_files: dict[str, Path], tmp_path: Path
) -> None:
    path, expected = _bad_files(population_files, tmp_path)[case]
    out = tmp_path / "out"
    good = population_files["records"]
    args: list[str | Path]
    if command == "dedupe":
        args = ["dedupe", "--input", path, "--output", out, "--baseline"]
    elif command == "train":
        args = ["train", "--input", path, "--model", out / "model.json", "--baseline"]
    elif command == "link-left":
        args = ["link", "--left", path, "--right", good, "--output", out]
    else:
        args = ["link", "--left", good, "--right", path, "--output", out]
    code, stdout, stderr = run(*args)
    assert code == 2
    assert expected in " ".join(stderr.split()), stderr
    assert path.name in stderr
    assert stdout == ""
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_date_value_is_not_echoed(population_files: dict[str, Path], tmp_path: Path) -> None:
    path, _ = _bad_files(population_files, tmp_path)["unparseable date"]
    _, _, stderr = run("dedupe", "--input", path, "--output", tmp_path / "o", "--baseline")
    assert "31/12/1999" not in stderr


def test_link_refuses_record_ids_shared_by_both_extracts(
    population_files: dict[str, Path], tmp_path: Path
) -> None:
    records = population_files["records"]
    code, _, stderr = run("link", "--left", records, "--right", records, "--output", tmp_path / "o")
    assert code == 2
    assert "unique across the two extracts" in stderr
    assert not (tmp_path / "o").exists()


def test_existing_output_is_kept_unless_overwrite(
    population_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous run")
    code, _, stderr = run(
        "dedupe", "--input", population_files["records"], "--output", out, "--baseline"
    )
    assert code == 2
    assert "--overwrite" in stderr
    assert (out / "keep.txt").read_text() == "previous run"


def test_crash_mid_job_leaves_previous_output_intact(
    population_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "clusters.parquet").write_text("previous run")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full while writing the report")

    # The jobs import the report module when they write one: patch it where it lives.
    monkeypatch.setattr(report, "render", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        run(
            "dedupe",
            "--input",
            population_files["records"],
            "--output",
            out,
            "--baseline",
            "--overwrite",
        )
    assert (out / "clusters.parquet").read_text() == "previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unknown_engine_and_model_file_errors(
    population_files: dict[str, Path], tmp_path: Path
) -> None:
    records = population_files["records"]
    code, _, stderr = run(
        "dedupe", "--input", records, "--output", tmp_path / "o", "--engine", "polars"
    )
    assert code == 2
    assert "--engine must be duckdb or spark" in stderr
    not_json = tmp_path / "model.json"
    not_json.write_text("PK\x03\x04")
    code, _, stderr = run(
        "dedupe", "--input", records, "--output", tmp_path / "o", "--model", not_json
    )
    assert code == 2
    assert "not a model file" in stderr
    code, _, stderr = run(
        "dedupe",
        "--input",
        records,
        "--output",
        tmp_path / "o",
        "--model",
        tmp_path / "absent.json",
    )
    assert code == 2
    assert "model file not found" in stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["train", "dedupe", "link", "evaluate"])
def test_every_command_documents_an_example(command: str) -> None:
    code, stdout, _ = run(command, "--help")
    assert code == 0
    assert "srj link " + command in stdout


# --- our model (the default) --------------------------------------------------------------


@pytest.fixture(scope="module")
def srj_run(population_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("srj") / "out"
    code, stdout, stderr = run("dedupe", "--input", population_files["records"], "--output", out)
    assert code == 0, stderr
    assert stdout.startswith("dedupe: ")
    return out


def test_our_dedupe_clusters_every_record_once(
    srj_run: Path, population_files: dict[str, Path]
) -> None:
    clusters = pq.read_table(srj_run / "clusters.parquet")
    ids = pq.read_table(population_files["records"]).column("record_id").to_pylist()
    assert clusters.schema.names == ["record_id", "cluster_id"]
    assert sorted(clusters.column("record_id").to_pylist()) == sorted(ids)
    model = json.loads((srj_run / "model.json").read_text())
    summary = json.loads((srj_run / "summary.json").read_text())
    assert summary["model_kind"] == "srj"
    assert summary["auto_link"] == model["thresholds"]["auto_link"]
    pairs = pq.read_table(srj_run / "pairs.parquet")
    assert pc.min(pairs.column("match_probability")).as_py() >= model["thresholds"]["review"]
    assert "Empreinte des données" in (srj_run / "report.html").read_text()


def test_our_model_file_reproduces_the_run(
    srj_run: Path, population_files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "again"
    code, _, stderr = run(
        "dedupe",
        "--input",
        population_files["records_csv"],
        "--output",
        out,
        "--model",
        srj_run / "model.json",
        "--no-report",
    )
    assert code == 0, stderr
    order = [("record_id_l", "ascending"), ("record_id_r", "ascending")]
    first = pq.read_table(srj_run / "pairs.parquet").sort_by(order)
    second = pq.read_table(out / "pairs.parquet").sort_by(order)
    assert first.equals(second)
    assert _same_partition(srj_run / "clusters.parquet", out / "clusters.parquet")


def _same_partition(a: Path, b: Path) -> bool:
    def groups(path: Path) -> set[frozenset[str]]:
        found: dict[str, set[str]] = {}
        for row in pq.read_table(path).to_pylist():
            found.setdefault(row["cluster_id"], set()).add(row["record_id"])
        return {frozenset(g) for g in found.values()}

    return groups(a) == groups(b)


def test_link_two_extracts(population_files: dict[str, Path], tmp_path: Path) -> None:
    records = pq.read_table(population_files["records"])
    left = records.filter(pc.equal(pc.bit_wise_and(pa.array(range(records.num_rows)), 1), 0))
    right = records.filter(pc.equal(pc.bit_wise_and(pa.array(range(records.num_rows)), 1), 1))
    pq.write_table(left, tmp_path / "left.parquet")
    pq.write_table(right, tmp_path / "right.parquet")
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "link",
        "--left",
        tmp_path / "left.parquet",
        "--right",
        tmp_path / "right.parquet",
        "--output",
        out,
    )
    assert code == 0, stderr
    assert stdout.startswith(f"link: {records.num_rows:,} records -> ")
    clusters = pq.read_table(out / "clusters.parquet")
    assert clusters.schema.names == ["record_id", "cluster_id", "dataset"]
    assert clusters.num_rows == records.num_rows
    left_ids = set(left.column("record_id").to_pylist())
    right_ids = set(right.column("record_id").to_pylist())
    for row in clusters.to_pylist():
        assert row["dataset"] == ("left" if row["record_id"] in left_ids else "right")
    pairs = pq.read_table(out / "pairs.parquet")
    assert pairs.num_rows > 0
    assert set(pairs.column("record_id_l").to_pylist()) <= left_ids
    assert set(pairs.column("record_id_r").to_pylist()) <= right_ids


def test_train_learns_from_reviewers_labels(
    population_files: dict[str, Path], tmp_path: Path
) -> None:
    truth = pacsv.read_csv(population_files["truth"]).to_pylist()
    by_person: dict[str, list[str]] = {}
    for row in truth:
        by_person.setdefault(row["person_id"], []).append(row["record_id"])
    groups = [ids for ids in by_person.values() if len(ids) > 1]
    same = [(g[0], g[1], "same") for g in groups[:20]]
    different = [(a[0], b[0], "different") for a, b in itertools.pairwise(groups[:21])]
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "record_id_l,record_id_r,decision\n"
        + "\n".join(",".join(t) for t in same + different)
        + "\n"
    )
    model = tmp_path / "model.json"
    code, _, stderr = run(
        "train", "--input", population_files["records"], "--model", model, "--labels", labels
    )
    assert code == 0, stderr
    assert json.loads(model.read_text())["training"]["labels"] > 0
    code, _, stderr = run(
        "train",
        "--input",
        population_files["records"],
        "--model",
        tmp_path / "b.json",
        "--labels",
        labels,
        "--baseline",
    )
    assert code == 2
    assert "without labels" in stderr


def test_training_on_too_few_records_is_an_input_error(
    population_files: dict[str, Path], tmp_path: Path
) -> None:
    one = pq.read_table(population_files["records"]).slice(0, 1)
    pq.write_table(one, tmp_path / "one.parquet")
    code, _, stderr = run(
        "train", "--input", tmp_path / "one.parquet", "--model", tmp_path / "m.json"
    )
    assert code == 2
    assert "cannot train on this input" in stderr
    assert not (tmp_path / "m.json").exists()
