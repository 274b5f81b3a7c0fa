"""``srj refdata``: import the official NATINF file and the curated penalties, export releases.

Exit codes: 0 success; 2 the input was refused (every problem is listed on stderr, one per
line, and nothing was written) or the database schema is not current.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from refdata.curated_imports_cli import register as register_curated_imports
from refdata.errors import (
    ConflictError,
    ImportRejectedError,
    NotFoundError,
    PublicationDateError,
    RefdataError,
)
from srj.settings import Settings

app = typer.Typer(
    no_args_is_help=True,
    help="Reference data: NATINF offences, penalties, releases and their bulk files.",
    rich_markup_mode="markdown",
)
err = Console(stderr=True)


def _session_factory(*, write: bool) -> tuple[Settings, sessionmaker[Session]]:
    from srj.cli_support import checked_database
    from srj.settings import get_settings

    settings = get_settings()
    database = checked_database(settings)
    return settings, database.write if write else database.read


def _fail(exc: RefdataError) -> typer.Exit:
    if isinstance(exc, ImportRejectedError):
        for problem in exc.problems:
            # One problem per line, never wrapped: scripts read this.
            print(problem.render(), file=sys.stderr)
        encoding = f" (read as {exc.encoding})" if exc.encoding else ""
        err.print(f"[red]error:[/red] {exc}{encoding}", soft_wrap=True)
    else:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _published_on(value: str | None) -> date:
    from refdata.dates import today

    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error:[/red] --published-on must be a date YYYY-MM-DD (got {value!r})")
        raise typer.Exit(2) from None


PublishedOn = Annotated[
    str | None,
    typer.Option(
        "--published-on",
        help="Publication date of the file (YYYY-MM-DD); default: today",
        show_default=False,
    ),
]


@app.command("import-natinf")
def import_natinf(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Official file")
    ],
    published_on: PublishedOn = None,
    successors: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="UTF-8 `NATINF;Successeur;Source` file: codes replacing retired ones",
        ),
    ] = None,
) -> None:
    """Import an official NATINF file: all or nothing, one release, one JSON line on stdout.

    The file is read as published: `;`-separated, Latin-1 or UTF-8 (BOM or not), CRLF or LF,
    header `Numéro NATINF;Nature de l'infraction;Qualification de l'infraction;Définie
    par;Réprimée par`. Every row is validated; on any problem, every problem is listed on
    stderr with its line number, nothing is imported and the exit code is 2. Importing the
    same content again creates no release. Codes absent from the file are retired, never
    deleted.

    Example: `srj refdata import-natinf natinf-2026-10.csv --published-on 2026-10-01`

    prints `{"release": "natinf-2026-10-01", "created": true, "added": 17012, "changed": 0,
    "retired": 0, "unchanged": 0}`
    """
    from refdata.natinf.service import import_natinf as run_import
    from refdata.releases.storage import BulkStore
    from srj.db import session_scope

    on = _published_on(published_on)
    settings, factory = _session_factory(write=True)
    data = file.read_bytes()
    successors_data = successors.read_bytes() if successors else None
    try:
        with err.status(f"importing {file.name}…"), session_scope(factory) as session:
            summary = run_import(
                session,
                data,
                published_on=on,
                store=BulkStore(settings.data_dir / "downloads"),
                source_name=file.name,
                successors=successors_data,
            )
    except (ImportRejectedError, ConflictError, PublicationDateError) as exc:
        raise _fail(exc) from None
    print(json.dumps(summary.as_dict()))


@app.command("import-penalties")
def import_penalties(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Penalties file")
    ],
    published_on: PublishedOn = None,
) -> None:
    """Import the curated penalties file (see docs/refdata.md): all or nothing, one release.

    Every row cites the article that provides the penalty, its wording, legal validity and
    source. The NATINF codes must already be imported.

    Example: `srj refdata import-penalties datasets/natinf/penalties.csv`
    """
    from refdata.natinf.penalties import import_penalties as run_import
    from refdata.releases.storage import BulkStore
    from srj.db import session_scope

    on = _published_on(published_on)
    settings, factory = _session_factory(write=True)
    try:
        with session_scope(factory) as session:
            summary = run_import(
                session,
                file.read_bytes(),
                published_on=on,
                store=BulkStore(settings.data_dir / "downloads"),
                source_name=file.name,
            )
    except (ImportRejectedError, ConflictError, PublicationDateError) as exc:
        raise _fail(exc) from None
    print(json.dumps(summary))


@app.command("export")
def export(
    release: Annotated[
        str, typer.Argument(help="Release identifier (`natinf-2026-10-01`) or `latest`")
    ] = "latest",
    output: Annotated[
        Path, typer.Option("--output", "-o", file_okay=False, help="Directory to write to")
    ] = Path("."),
    dataset: Annotated[
        str, typer.Option(help="With `latest`: the dataset (natinf, courts, tariffs...)")
    ] = "natinf",
) -> None:
    """Write the bulk files of a release (NATINF: CSV UTF-8 and Latin-1, JSON, Parquet; courts,
    tariffs, communes: CSV and JSON).

    The files are rebuilt from the database and checked against the SHA-256 recorded in the
    release; the command prints one JSON line with the files written.

    Example: `srj refdata export natinf-2026-10-01 --output ./out`,
    `srj refdata export latest --dataset courts --output ./out`
    """
    from refdata.datasets import RELEASED_DATASETS
    from refdata.releases import repository as repo
    from refdata.releases.storage import sha256_hex
    from srj.db import session_scope

    _settings, factory = _session_factory(write=False)
    try:
        with session_scope(factory) as session:
            if release == "latest":
                record = repo.latest_release(session, dataset)
                if record is None:
                    raise NotFoundError(f"no {dataset} release yet")
            else:
                record = repo.get_release(session, release)
                if record is None or record.dataset not in RELEASED_DATASETS:
                    raise NotFoundError(f"no release '{release}'")
            files = RELEASED_DATASETS[record.dataset].build_files(session, record)
            recorded = {f.name: f.sha256 for f in repo.release_files(session, record.id)}
    except NotFoundError as exc:
        raise _fail(exc) from None
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        sha = sha256_hex(data)
        target = output / f"{record.id}-{name}"
        target.write_bytes(data)
        written.append(
            {
                "file": str(target),
                "sha256": sha,
                "matches_release": recorded.get(name) == sha,
            }
        )
    print(json.dumps({"release": record.id, "files": written}))


@app.command("withdraw")
def withdraw(
    release: Annotated[str, typer.Argument(help="Release identifier (`natinf-2062-10-01`)")],
    reason: Annotated[
        str, typer.Option(help="Why (published in the release feeds; at least 10 characters)")
    ],
    by: Annotated[str, typer.Option(help="Who withdraws it (recorded for the audit)")],
) -> None:
    """Withdraw a wrong release of `natinf` or `penalties` (the latest of its dataset).

    The release keeps its id, files and checksums and says it was withdrawn; what it changed
    is undone and the previous release is the latest again, so the next import proceeds.
    The withdrawal (who, when, why, what was undone) is recorded and published in the feeds.

    Example: `srj refdata withdraw natinf-2062-10-01 --by ops --reason "2062 typed for 2026"`
    """
    from refdata.datasets import RELEASED_DATASETS
    from refdata.releases.withdrawal import withdraw_release
    from srj.auth import subject_problem
    from srj.db import session_scope

    problem = subject_problem(by)
    if problem:
        err.print(f"[red]error:[/red] --by: {problem}", highlight=False)
        raise typer.Exit(2)
    _settings, factory = _session_factory(write=True)
    try:
        with session_scope(factory) as session:
            done = withdraw_release(session, RELEASED_DATASETS, release, by=by, reason=reason)
            summary = {
                "release": done.release_id,
                "withdrawn": True,
                "latest": done.restored_id,
                "undone": {
                    table: {"removed": len(part["removed"]), "reopened": len(part["reopened"])}
                    for table, part in done.undone.items()
                },
            }
    except RefdataError as exc:
        raise _fail(exc) from None
    print(json.dumps(summary))


@app.command("releases")
def releases(
    dataset: Annotated[str | None, typer.Option(help="Only this dataset")] = None,
) -> None:
    """List the releases, newest first, one JSON line each.

    Example: `srj refdata releases --dataset natinf`
    """
    from refdata.releases import repository as repo
    from srj.db import session_scope

    _settings, factory = _session_factory(write=False)
    with session_scope(factory) as session:
        for r in repo.list_releases(session, dataset):
            print(
                json.dumps(
                    {
                        "id": r.id,
                        "dataset": r.dataset,
                        "published_on": r.published_on.isoformat(),
                        "items": r.item_count,
                        "changelog": r.changelog,
                        "withdrawn": r.withdrawal is not None,
                    },
                    ensure_ascii=False,
                )
            )


# Communes (COG), courts and tariffs: ``import-cog``, ``import-courts``, ``import-tariffs``.
register_curated_imports(app)
