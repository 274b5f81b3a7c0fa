"""``srj refdata import-cog | import-courts | import-tariffs | import-law`` and the demo loading of
the same.

Each command validates its files completely before writing (every problem is printed with its
file and line, exit code 2, nothing written), then brings the tables to the files and, when
that changes what the dataset publishes, creates its release (``courts-2026-11-28``) with its
bulk files, all in one transaction. It prints one line of JSON: the release (``created``
false and the current release when nothing changed), the counts of items added, changed,
retired and unchanged, then the loader's own counts. Re-running with the same files changes
nothing and creates no release.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from refdata.errors import ConflictError, ImportRejectedError, PublicationDateError
from refdata.releases.storage import BulkStore
from srj.settings import Settings

err = Console(stderr=True)


def load_curated_reference_data(settings: Settings) -> dict[str, Any]:
    """Load the COG, the courts, the tariffs and the law shipped in ``datasets/``
    (idempotent)."""
    from refdata.communes.loader import load_cog
    from refdata.courts.loader import load_courts
    from refdata.law.loader import load_law
    from refdata.tariffs.loader import load_tariffs
    from srj.db import make_engine, make_session_factory, session_scope

    engine = make_engine(settings.effective_database_url)
    store = BulkStore(settings.data_dir / "downloads")
    try:
        with session_scope(make_session_factory(engine, write=True)) as session:
            return {
                "communes": load_cog(session, store=store).as_dict(),
                "courts": load_courts(session, store=store).as_dict(),
                "tariffs": load_tariffs(session, store=store),
                "law": load_law(session, store=store),
            }
    finally:
        engine.dispose()


def _run(work: Callable[[Session, BulkStore], dict[str, Any]]) -> None:
    from srj.cli_support import checked_database
    from srj.db import session_scope
    from srj.settings import get_settings

    settings = get_settings()
    store = BulkStore(settings.data_dir / "downloads")
    database = checked_database(settings)
    try:
        with session_scope(database.write) as session:
            result = work(session, store)
    except (ConflictError, PublicationDateError) as exc:
        err.print(f"[red]error:[/red] {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except ImportRejectedError as exc:
        for problem in exc.problems:
            err.print(problem.render(), markup=False, highlight=False, soft_wrap=True)
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    finally:
        database.dispose()
    print(json.dumps(result, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add the four import commands to the ``srj refdata`` application."""

    @app.command("import-cog")
    def import_cog(
        file: Annotated[
            Path | None,
            typer.Argument(help="communes.csv built by datasets/cog/build_cog.py"),
        ] = None,
        millesime: Annotated[
            str, typer.Option(help="COG millésime of the file (YYYY-MM-DD)")
        ] = "2026-01-01",
    ) -> None:
        """Load a COG millésime (communes, déléguées, arrondissements, merged codes).

        A newer millésime closes the versions that disappeared and keeps merged codes
        resolving.

        Example: `srj refdata import-cog datasets/cog/communes.csv --millesime 2026-01-01`
        """
        from refdata.communes.loader import DEFAULT_COG_FILE, load_cog

        try:
            when = date.fromisoformat(millesime)
        except ValueError:
            err.print(f"[red]error:[/red] --millesime must be YYYY-MM-DD (got {millesime!r})")
            raise typer.Exit(2) from None
        _run(
            lambda session, store: load_cog(
                session, file or DEFAULT_COG_FILE, when, store=store
            ).as_dict()
        )

    @app.command("import-courts")
    def import_courts(
        directory: Annotated[
            Path | None,
            typer.Argument(help="Directory holding courts.csv and ressorts.csv"),
        ] = None,
    ) -> None:
        """Load the curated courts and their ressort (needs the COG loaded first).

        Example: `srj refdata import-courts datasets/courts`
        """
        from refdata.courts.loader import DEFAULT_DIRECTORY, load_courts

        _run(
            lambda session, store: load_courts(
                session, directory or DEFAULT_DIRECTORY, store=store
            ).as_dict()
        )

    @app.command("import-tariffs")
    def import_tariffs(
        directory: Annotated[
            Path | None,
            typer.Argument(help="Directory holding the four tariff CSV files"),
        ] = None,
    ) -> None:
        """Load the curated tariffs (fixed and maximum fines, child-support scale, minimum vital).

        Example: `srj refdata import-tariffs datasets/tariffs`
        """
        from refdata.tariffs.loader import DEFAULT_DIRECTORY, load_tariffs

        _run(
            lambda session, store: load_tariffs(
                session, directory or DEFAULT_DIRECTORY, store=store
            )
        )

    @app.command("import-law")
    def import_law(
        directory: Annotated[
            Path | None,
            typer.Argument(help="The law dataset directory (manifest.json, versions.jsonl...)"),
        ] = None,
    ) -> None:
        """Load the articles of the codes, their versions and the penalties they state
        (built by datasets/penalties_law/build_penalties_law.py), checked against the
        manifest's checksums; publishes a `law` release when something changed.

        Example: `srj refdata import-law datasets/penalties_law`
        """
        from refdata.law.dataset import DATASET_DIR
        from refdata.law.loader import load_law

        _run(lambda session, store: load_law(session, directory or DATASET_DIR, store=store))
