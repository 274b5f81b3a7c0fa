"""``srj registry``: bulk ingest, re-linkage, retention and key rotation of the person registry.

Examples::

    srj registry ingest extract.parquet            # resolve every record, in batches
    srj registry relink                            # batch model over the registry, ids kept
    srj registry retention --dry-run               # how many records are past their period
    srj registry rotate-keys                       # rewrite rows under the newest keys
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.orm import Session, sessionmaker

from identity.config import RegistrySettings, get_registry_settings
from identity.crypto import KeyConfigError, RegistryCrypto
from identity.matcher import Matcher
from srj.settings import Settings, get_settings

app = typer.Typer(
    help="The person registry: ingest extracts, re-link, apply retention, rotate keys.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _crypto(settings: Settings) -> RegistryCrypto:
    from identity.deps import crypto_for

    try:
        return crypto_for(settings)
    except (KeyConfigError, RuntimeError) as exc:
        raise _fail(str(exc)) from None


def _matcher(settings: Settings, config: RegistrySettings) -> Matcher:
    from identity.linkage import MatcherUnavailableError, load_matcher

    try:
        return load_matcher(config.resolved_model_path(settings), config)
    except MatcherUnavailableError as exc:
        raise _fail(str(exc)) from None


def _factories(settings: Settings) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    from srj.cli_support import checked_database

    database = checked_database(settings)
    return database.read, database.write


@app.command("ingest")
def ingest_command(
    file: Annotated[Path, typer.Argument(help="Canonical extract (.parquet or .csv)")],
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Records per transaction (default from settings)")
    ] = None,
) -> None:
    """Resolve every record of FILE through the same logic as `POST /v1/records`.

    The file is validated whole first, by the rules of the API (known sources, plausible
    dates, M/F sexe, no control characters): one bad row refuses the whole file, and each
    problem is reported with its row and field. Each batch is one transaction: after a
    crash, run the same command again; records already held unchanged are skipped and the
    rest completes.

    Example: `srj registry ingest var/synth/records.parquet --batch-size 500`
    """
    from identity.ingest import ingest, read_extract
    from matching import InputError

    settings, config = get_settings(), get_registry_settings()
    try:
        records = read_extract(file, config)
    except InputError as exc:
        raise _fail(str(exc)) from None
    crypto = _crypto(settings)
    matcher = _matcher(settings, config)
    _, write_factory = _factories(settings)
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("ingest", total=records.num_rows)
        summary = ingest(
            records,
            write_factory=write_factory,
            matcher=matcher,
            crypto=crypto,
            config=config,
            batch_size=batch_size,
            progress=lambda n: progress.advance(task, n),
        )
    print(json.dumps(summary.as_dict()))


@app.command("relink")
def relink_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compute and report, change nothing")
    ] = False,
) -> None:
    """Re-run the batch model over the whole registry and reconcile it with the persons.

    Every reviewer decision is a hard constraint; identifiers survive (clusters map to the
    persons they overlap most); merges and splits are recorded as events; a merged-away
    identifier redirects to its survivor. A second run changes nothing.

    Example: `srj registry relink --dry-run` then `srj registry relink`
    """
    from identity.reconcile import ManualConflictError
    from identity.relink import Relinker
    from matching import ClusteringError

    settings, config = get_settings(), get_registry_settings()
    crypto = _crypto(settings)
    matcher = _matcher(settings, config)
    read_factory, write_factory = _factories(settings)
    with err.status("relink") as status:
        relinker = Relinker(
            write_factory,
            read_factory,
            matcher,
            crypto,
            progress=lambda message: status.update(f"relink: {message}"),
        )
        try:
            summary = relinker.run(dry_run=dry_run)
        except (ManualConflictError, ClusteringError, RuntimeError) as exc:
            # ClusteringError: decisions in force contradict each other (a chain of "same"
            # joins a pair declared "different"); the message names the two records.
            raise _fail(str(exc), 1) from None
    print(json.dumps({**summary.as_dict(), "dry_run": dry_run}))


@app.command("retention")
def retention_command(
    today: Annotated[
        str | None, typer.Option(help="Reference date, YYYY-MM-DD (default: today)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, delete nothing")] = False,
) -> None:
    """Delete the records kept past their retention period (events keep the history).

    Example: `srj registry retention --dry-run`
    """
    from identity.retention import run_retention

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail("--today must be a date YYYY-MM-DD") from None
    settings = get_settings()
    _, write_factory = _factories(settings)
    summary = run_retention(write_factory, today=day, dry_run=dry_run)
    print(json.dumps(summary.as_dict()))


@app.command("rotate-keys")
def rotate_keys_command() -> None:
    """Rewrite every record under the newest pseudonymisation and encryption keys.

    Put the new key first in SRJ_PSEUDONYM_KEYS / SRJ_ENCRYPTION_KEYS (old keys after it),
    run this, then remove the old keys. Interrupted runs continue where they stopped.

    Example: `SRJ_ENCRYPTION_KEYS=k2:...,k1:... srj registry rotate-keys`
    """
    from identity.crypto import DecryptionError
    from identity.keys import rotate_keys

    settings = get_settings()
    crypto = _crypto(settings)
    _, write_factory = _factories(settings)
    try:
        summary = rotate_keys(write_factory, crypto)
    except DecryptionError as exc:
        raise _fail(f"{exc}: keep the old key configured until the rotation is done", 1) from None
    print(json.dumps(summary.as_dict()))


@app.command("new-key")
def new_key_command(
    key_id: Annotated[str, typer.Argument(help="Identifier of the new key, e.g. k2")],
) -> None:
    """Print a fresh `id:base64key` entry to put in front of a key list before rotating.

    Example: `srj registry new-key k2`
    """
    from identity.crypto import Keyring, generate_key_spec

    spec = generate_key_spec(key_id)
    try:
        Keyring.parse(spec, name="new key")
    except KeyConfigError as exc:
        raise _fail(str(exc)) from None
    print(spec)
