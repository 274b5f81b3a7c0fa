"""Commands of the review workflow, added to ``srj registry``.

Examples::

    srj registry export-labels var/labels.csv          # decisions as clerical labels
    srj link evaluate --clusters out/clusters.parquet --truth truth.csv \\
        --pairs out/pairs.parquet --labels var/labels.csv
    srj link train --input extract.parquet --model model.json --labels var/labels.csv
    srj registry import-courts courts.csv              # source,source_ref,court per record
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from identity.crypto import RegistryCrypto
from identity.review.labels import LabelIds
from srj.settings import get_settings

err = Console(stderr=True)
MAX_PROBLEMS = 20


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def _session_factory(write: bool) -> sessionmaker[Session]:
    from srj.cli_support import checked_database

    database = checked_database(get_settings())
    return database.write if write else database.read


def _crypto() -> RegistryCrypto:
    from identity.crypto import KeyConfigError
    from identity.deps import crypto_for

    try:
        return crypto_for(get_settings())
    except (KeyConfigError, RuntimeError) as exc:
        raise _fail(str(exc)) from None


def export_labels_command(
    out: Annotated[Path, typer.Argument(help="Labels file to write (.csv or .parquet)")],
    ids: Annotated[
        LabelIds,
        typer.Option(
            "--ids",
            help="record_id: the ids the sources sent (those of the extract files); "
            "registry: the registry's own record ids",
        ),
    ] = LabelIds.RECORD_ID,
) -> None:
    """Write the reviewers' decisions as clerical labels on record pairs.

    One row per decided pair with the decision in force (`same` → 1, `different` → 0; an
    undone merge counts as `different`; `unsure` is no label), and the score the model gave
    the pair when it was suggested. The file is what `srj link train --labels` and
    `srj link evaluate --labels` read. No identity trait is written.

    Example: `srj registry export-labels var/labels.csv`
    """
    from identity.review.labels import export_labels
    from identity.review.repository import ReviewRepository
    from srj.db import session_scope

    if out.suffix.lower() not in {".csv", ".parquet"}:
        raise _fail("the labels file must end in .csv or .parquet")
    crypto = _crypto()
    with session_scope(_session_factory(write=False)) as session:
        summary = export_labels(ReviewRepository(session), crypto, out, ids)
    if summary.skipped_without_record_id:
        err.print(
            f"[yellow]note:[/yellow] {summary.skipped_without_record_id} decided pairs left out: "
            "a record came without a record_id (use --ids registry to keep them)"
        )
    print(
        json.dumps(
            {
                "labels": summary.labels,
                "same": summary.same,
                "different": summary.different,
                "skipped": summary.skipped_without_record_id,
                "path": str(summary.path),
            }
        )
    )


def import_courts_command(
    file: Annotated[Path, typer.Argument(help="CSV with columns source, source_ref, court")],
) -> None:
    """Record the court (juridiction) of each source record, so that a court's parquet can
    filter its review queue. The source applications know which court holds each case; the
    canonical identity record does not carry it.

    The whole file is checked first (every problem with its line); then all rows are written
    in one transaction, or none. Unknown records are problems. Importing again replaces.

    Example: `srj registry import-courts var/courts.csv`
    """
    from identity.review.courts import CourtFileError, read_court_file, resolve_courts
    from identity.review.repository import ReviewRepository
    from srj.db import session_scope

    def refuse(problems: list[str]) -> typer.Exit:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        return _fail(
            f"{file}: nothing imported, {len(problems)} problem(s):\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )

    try:
        rows = read_court_file(file)
    except CourtFileError as exc:
        raise refuse(exc.problems) from None
    crypto = _crypto()
    with session_scope(_session_factory(write=True)) as session:
        repo = ReviewRepository(session)
        try:
            resolved = resolve_courts(repo, crypto, rows)
        except CourtFileError as exc:
            raise refuse(exc.problems) from None
        repo.upsert_courts(resolved, datetime.now(UTC))
    print(json.dumps({"records": len(resolved), "courts": len({c for _, c in resolved})}))


def register(app: typer.Typer) -> None:
    """Adds the review commands to ``srj registry``."""
    app.command("export-labels")(export_labels_command)
    app.command("import-courts")(import_courts_command)
