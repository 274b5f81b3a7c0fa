"""``srj link``: the statisticians' linkage jobs (train, dedupe, link, evaluate).

Progress goes to stderr (rich progress bars), the one-line run summary to stdout, so scripts
can capture it. Exit status: 0 on success, 2 when the input or the options are unusable (the
message names the file, the column or row and the reason), 1 on an unexpected failure. A
failed job never leaves a partial output directory.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from matching.engines import Engine
from matching.evaluate import EvaluationError
from matching.io import InputError, atomic_output_file
from matching.jobs.dedupe import dedupe_job
from matching.jobs.errors import JobError
from matching.jobs.evaluate import evaluate_job
from matching.jobs.link import link_job
from matching.jobs.stages import STAGES
from matching.jobs.summary import RunSummary
from matching.jobs.train import train_job

app = typer.Typer(
    no_args_is_help=True,
    help="Linkage jobs on Parquet/CSV files in the canonical record format.",
    rich_markup_mode="markdown",
    # A traceback's local variables would print identity values.
    pretty_exceptions_show_locals=False,
)
err = Console(stderr=True)
out = Console()

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where Splink runs: duckdb (in process) or spark (local[2] unless "
        "SRJ_SPARK_MASTER says otherwise).",
    ),
]
BaselineOption = Annotated[
    bool,
    typer.Option(
        "--baseline",
        help="Use the plain-Splink baseline model instead of ours (for comparison).",
    ),
]


class RichStages:
    """Draws one progress bar over the job's stages, with the current stage's name."""

    def __init__(self, progress: Progress, stages: tuple[str, ...]) -> None:
        self.progress = progress
        self.task: TaskID = progress.add_task("starting", total=len(stages))
        self.done: set[str] = set()

    def start(self, stage: str, description: str) -> None:
        self.progress.update(self.task, description=description)

    def finish(self, stage: str, seconds: float) -> None:
        if stage not in self.done:  # `link` reads two files: one step on the bar
            self.done.add(stage)
            self.progress.advance(self.task)
        self.progress.console.print(f"[dim]{stage}: {seconds:.1f} s[/dim]")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _engine(value: str) -> Engine:
    if value not in ("duckdb", "spark"):
        _fail(f"--engine must be duckdb or spark, not {value!r}")
    return cast(Engine, value)


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _job_progress() -> Iterator[RichStages]:
    """A progress bar over a job's stages; bad input becomes a message and exit status 2."""
    try:
        with _progress() as progress:
            yield RichStages(progress, STAGES)
    except (InputError, JobError, FileExistsError, EvaluationError) as exc:
        _fail(str(exc))


def _report(summary: RunSummary) -> None:
    for note in summary.notes:
        err.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    out.print(summary.line(), highlight=False, soft_wrap=True)


@app.command("train")
def train(
    input: Annotated[Path, typer.Option("--input", help="Canonical records (.parquet or .csv)")],
    model: Annotated[Path, typer.Option("--model", help="Where to write the model JSON")],
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="Clerical labels (record_id_l, record_id_r, and clerical_match_score or "
            "decision same/different/unsure) to learn m from reviewers' decisions.",
        ),
    ] = None,
    engine: EngineOption = "duckdb",
    baseline: BaselineOption = False,
) -> None:
    """Train a model on a canonical extract and save it as one JSON file.

    Examples:

    * `srj link train --input records.parquet --model model.json`
    * `srj link train --input records.csv --model model.json --labels decisions.csv`
    """
    chosen = _engine(engine)
    with _job_progress() as stages:
        summary = train_job(
            input, model, labels_path=labels, engine=chosen, baseline=baseline, listener=stages
        )
    _report(summary)


@app.command("dedupe")
def dedupe(
    input: Annotated[Path, typer.Option("--input", help="Canonical records (.parquet or .csv)")],
    output: Annotated[Path, typer.Option("--output", help="Output directory (created)")],
    model: Annotated[
        Path | None, typer.Option("--model", help="A trained model JSON (else: train first)")
    ] = None,
    engine: EngineOption = "duckdb",
    baseline: BaselineOption = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a non-empty output directory")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html (default: yes)")
    ] = True,
) -> None:
    """Group the records of one extract by person.

    Writes `clusters.parquet` (record_id, cluster_id: every record once, clustered at the
    auto-link threshold), `pairs.parquet` (every scored pair at or above the review
    threshold), `model.json`, `report.html` and `summary.json`.

    Examples:

    * `srj link dedupe --input records.parquet --output out/`
    * `srj link dedupe --input records.parquet --output out/ --model model.json --engine spark`
    """
    chosen = _engine(engine)
    with _job_progress() as stages:
        summary = dedupe_job(
            input,
            output,
            model_path=model,
            engine=chosen,
            baseline=baseline,
            overwrite=overwrite,
            with_report=report,
            listener=stages,
        )
    _report(summary)


@app.command("link")
def link(
    left: Annotated[Path, typer.Option("--left", help="First extract (.parquet or .csv)")],
    right: Annotated[Path, typer.Option("--right", help="Second extract (.parquet or .csv)")],
    output: Annotated[Path, typer.Option("--output", help="Output directory (created)")],
    model: Annotated[
        Path | None, typer.Option("--model", help="A trained model JSON (else: train first)")
    ] = None,
    engine: EngineOption = "duckdb",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a non-empty output directory")
    ] = False,
    report: Annotated[
        bool, typer.Option("--report/--no-report", help="Write report.html (default: yes)")
    ] = True,
) -> None:
    """Link the records of two extracts (record_id unique across both).

    Same outputs as `dedupe`; pairs always have record_id_l from --left and record_id_r
    from --right, and clusters.parquet has a `dataset` column (left/right).

    Example: `srj link link --left cassiopee.parquet --right genesis.parquet --output out/`
    """
    chosen = _engine(engine)
    with _job_progress() as stages:
        summary = link_job(
            left,
            right,
            output,
            model_path=model,
            engine=chosen,
            overwrite=overwrite,
            with_report=report,
            listener=stages,
        )
    _report(summary)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.3f} %"


def _evaluation_table(document: dict[str, Any]) -> Table:
    table = Table(title=f"Evaluation on {document['records']:,} records", show_lines=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    p, c, r = document["pairwise"], document["clusters"], document.get("review")
    rows: list[tuple[str, str]] = [
        ("pairwise precision (auto-link)", _pct(p["precision"])),
        ("pairwise recall (auto-link)", _pct(p["recall"])),
        ("pairwise F1", _pct(p["f1"])),
        ("true pairs / predicted pairs", f"{p['true_pairs']:,} / {p['predicted_pairs']:,}"),
        ("B-cubed precision", _pct(c["bcubed_precision"])),
        ("B-cubed recall", _pct(c["bcubed_recall"])),
        ("B-cubed F1", _pct(c["bcubed_f1"])),
        (
            "exact-cluster recovery",
            f"{_pct(c['exact_cluster_recovery'])} ({c['exact_clusters']:,}/{c['persons']:,})",
        ),
        ("clusters / persons", f"{c['clusters']:,} / {c['persons']:,}"),
    ]
    if r is not None:
        rows += [
            ("recall at the review threshold", _pct(r["recall_at_review"])),
            ("true pairs only found through review", _pct(r["true_pairs_in_review_share"])),
            ("review load: pairs", f"{r['review_pairs']:,}"),
            (
                "review load: records",
                f"{r['review_records']:,} ({_pct(r['review_records_share'])})",
            ),
            ("review pairs that are true matches", _pct(r["review_pairs_true_share"])),
        ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _bands_table(bands: list[dict[str, Any]]) -> Table:
    table = Table(title="Precision per match-weight band (from clerical labels)")
    for column in ("band", "labelled", "precision", "95 % interval"):
        table.add_column(column, justify="left" if column == "band" else "right")
    for b in bands:
        interval = (
            "—"
            if b["wilson_low"] is None
            else f"{_pct(b['wilson_low'])} – {_pct(b['wilson_high'])}"
        )
        table.add_row(b["band"], f"{b['labelled_pairs']:,}", _pct(b["precision"]), interval)
    return table


@app.command("evaluate")
def evaluate(
    clusters: Annotated[Path, typer.Option("--clusters", help="clusters.parquet of a job")],
    truth: Annotated[Path, typer.Option("--truth", help="Ground truth: record_id, person_id")],
    pairs: Annotated[
        Path | None,
        typer.Option("--pairs", help="pairs.parquet of the job: adds the review-band metrics"),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option("--labels", help="Clerical labels: adds precision per score band"),
    ] = None,
    bands: Annotated[
        str | None,
        typer.Option(
            "--bands",
            help="Match-weight band edges for --labels, comma-separated (default 0,5,10,15,20)",
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every metric to this JSON file")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table (default) or json on stdout")
    ] = "table",
) -> None:
    """Measure a clustering against ground truth.

    Pairwise precision/recall/F1, B-cubed precision/recall/F1, exact-cluster recovery; with
    `--pairs`, recall at the review threshold and the review load; with `--labels`, precision
    per match-weight band.

    Examples:

    * `srj link evaluate --clusters out/clusters.parquet --truth truth.csv \
      --pairs out/pairs.parquet`
    * `srj link evaluate --clusters out/clusters.parquet --truth truth.csv --format json`
    """
    if output_format not in ("table", "json"):
        _fail(f"--format must be table or json, not {output_format!r}")
    edges: tuple[float, ...] | None = None
    if bands is not None:
        try:
            edges = tuple(float(b) for b in bands.split(",") if b.strip())
        except ValueError:
            _fail(f"--bands must be numbers separated by commas, not {bands!r}")
    try:
        document = evaluate_job(clusters, truth, pairs_path=pairs, labels_path=labels, bands=edges)
    except (InputError, EvaluationError, JobError) as exc:
        _fail(str(exc))
    text = json.dumps(document, indent=1, ensure_ascii=False)
    if json_out is not None:
        with atomic_output_file(json_out) as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")
    if output_format == "json":
        sys.stdout.write(text + "\n")
        return
    out.print(_evaluation_table(document))
    if "precision_by_band" in document:
        out.print(_bands_table(document["precision_by_band"]))
