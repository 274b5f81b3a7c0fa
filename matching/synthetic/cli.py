"""``srj datasets``: generate synthetic populations with ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from matching.synthetic.generator import generate
from matching.synthetic.output import OutputError, check_writable, write
from matching.synthetic.rates import ErrorRates

app = typer.Typer(
    help="Synthetic French population with ground truth (records, truth, persons, errors).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
err = Console(stderr=True)


@app.callback()
def datasets() -> None:
    """Synthetic French population with ground truth (records, truth, persons, errors)."""


STAGES = {
    "persons": "drawing persons",
    "records": "writing their records",
    "errors": "adding entry errors",
    "tables": "assembling tables",
}


def _parse_rates(values: list[str], profile: str = "default") -> ErrorRates:
    try:
        base = ErrorRates.profile(profile)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    rates: dict[str, float] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected NAME=RATE, e.g. faute_nom=0.05")
        try:
            rates[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"{item!r}: {value!r} is not a number") from None
    try:
        return ErrorRates.from_mapping(rates, base=base)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("synth")
def synth(
    out: Annotated[
        Path, typer.Option("--out", help="Output directory (created; must not exist or be empty).")
    ],
    persons: Annotated[
        int | None, typer.Option("--persons", help="Number of persons to generate.")
    ] = None,
    records: Annotated[
        int | None,
        typer.Option(
            "--records", help="Exact number of records instead (persons chosen to match)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 0,
    csv: Annotated[bool, typer.Option("--csv", help="Also write records.csv.")] = False,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            help="Error profile: default, or stress (clerks' habits the default lacks).",
        ),
    ] = "default",
    rate: Annotated[
        list[str] | None,
        typer.Option("--rate", help="Override an error rate, NAME=RATE (repeatable)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing output directory.")
    ] = False,
) -> None:
    """Generate a population and write `records.parquet`, `truth.csv`, `persons.parquet`,
    `errors.parquet` and `manifest.json` to OUT.

    Examples:

    * `srj datasets synth --persons 10000 --seed 42 --out var/synth-10k`
    * `srj datasets synth --records 1000000 --seed 1 --out var/synth-1m --csv`
    * `srj datasets synth --persons 500 --seed 3 --out /tmp/s --rate faute_nom=0.2`
    * `srj datasets synth --records 400000 --seed 2 --profile stress --out var/stress-400k`

    Missing values are empty strings. Error names for `--rate`: see
    `matching/synthetic/README.md`.
    """
    if (persons is None) == (records is None):
        raise typer.BadParameter("give --persons N or --records N (exactly one)")
    for name, value in (("--persons", persons), ("--records", records)):
        if value is not None and value <= 0:
            raise typer.BadParameter(f"{name} must be a positive integer, got {value}")
    if seed < 0:
        raise typer.BadParameter(f"--seed must be a non-negative integer, got {seed}")
    error_rates = _parse_rates(rate or [], profile)
    try:
        check_writable(out, overwrite=overwrite)
    except OutputError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err
    ) as progress:
        task = progress.add_task("loading name and commune files", total=None)

        def stage(name: str) -> None:
            progress.update(task, description=STAGES.get(name, name))

        population = generate(persons, seed, error_rates, records=records, progress=stage)
        stage("writing files")
        try:
            manifest = write(population, out, csv=csv, overwrite=overwrite)
        except OutputError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
    clean = manifest["counts"]["records_without_error"]
    err.print(
        f"[green]wrote[/green] {out}: {manifest['persons']:,} persons, "
        f"{manifest['records']:,} records ({clean / manifest['records']:.0%} without entry "
        f"error), seed {seed}"
    )
