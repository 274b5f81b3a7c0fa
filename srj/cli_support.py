"""What every ``srj`` command does the same way: open a checked database, report and exit.

The contract of the command line (DESIGN §4): errors exit non-zero with a message on stderr;
an outdated schema exits 2 and names the command to run.
"""

from __future__ import annotations

import typer
from rich.console import Console

from srj.schema import CheckedDatabase, SchemaOutdatedError, open_checked_database
from srj.settings import Settings, get_settings

_err = Console(stderr=True)


def checked_database(settings: Settings | None = None) -> CheckedDatabase:
    """The database the command works on, its schema checked: on an outdated schema, the
    message on stderr and exit code 2."""
    settings = settings or get_settings()
    try:
        return open_checked_database(settings.effective_database_url)
    except SchemaOutdatedError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
