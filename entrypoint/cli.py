"""The ``srj`` command line: one entry point for every user of the project.

Examples::

    srj db upgrade                       # apply the migrations
    srj demo up                          # upgrade, load the demo data, serve on :8000
    srj auth token --role reviewer --subject alice
    srj refdata import-natinf natinf.csv --published-on 2026-10-01
    srj link dedupe --input records.parquet --output out/
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Annotated

import typer
from rich.console import Console

from srj.settings import get_settings

app = typer.Typer(
    name="srj",
    help="Système de référence justice: reference data, person registry and linkage jobs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
)
db_app = typer.Typer(help="Database schema (Alembic owns it).", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data on the embedded default database.", no_args_is_help=True)
auth_app = typer.Typer(help="Bearer tokens for local use.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(auth_app, name="auth")

err = Console(stderr=True)


def _register_domain_commands() -> None:
    from identity.cli import app as registry_app
    from matching.cli import app as link_app
    from matching.synthetic.cli import app as datasets_app
    from refdata.cli import app as refdata_app

    app.add_typer(refdata_app, name="refdata")
    app.add_typer(link_app, name="link")
    app.add_typer(registry_app, name="registry")
    from identity.review.cli import register as register_review_commands

    register_review_commands(registry_app)
    app.add_typer(datasets_app, name="datasets")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "heads",
) -> None:
    """Apply the migrations up to REVISION (default: every head).

    Example: `srj db upgrade`
    """
    from srj.schema import upgrade

    settings = get_settings()
    upgrade(settings.effective_database_url, revision)
    err.print(f"[green]schema up to date[/green] on {_redacted(settings.effective_database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the revisions the database stands at, and whether it is up to date."""
    from srj.db import make_engine
    from srj.schema import current_heads, script_heads

    settings = get_settings()
    engine = make_engine(settings.effective_database_url)
    current = current_heads(engine)
    expected = script_heads(settings.effective_database_url)
    print(
        json.dumps(
            {
                "current": sorted(current),
                "heads": sorted(expected),
                "up_to_date": current == expected,
            }
        )
    )
    if current != expected:
        raise typer.Exit(1)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Run the HTTP service (refuses to start on an outdated schema).

    Example: `srj serve --port 8000 --workers 2`
    """
    import uvicorn

    from srj.cli_support import checked_database
    from srj.logging_setup import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    # Refuse to start on an outdated schema before spawning workers that would each refuse.
    checked_database(settings).dispose()
    uvicorn.run(
        "entrypoint.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
    )


@demo_app.command("load")
def demo_load() -> None:
    """Load the curated reference data and a small synthetic registry (idempotent).

    Example: `srj demo load`
    """
    from entrypoint.demo import load_demo

    summary = load_demo(get_settings())
    print(json.dumps(summary, ensure_ascii=False))


@demo_app.command("up")
def demo_up(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Upgrade the schema, load the demo data, then serve: the one command to try the product.

    Example: `srj demo up` then open http://127.0.0.1:8000/docs
    """
    db_upgrade("heads")
    demo_load()
    err.print(f"[green]serving[/green] on http://{host}:{port} (API docs at /docs)")
    serve(host=host, port=port, workers=1)


@auth_app.command("token")
def auth_token(
    role: Annotated[list[str], typer.Option("--role", help="Role (repeatable)")],
    subject: Annotated[str, typer.Option(help="Who the token identifies")],
    ttl: Annotated[int, typer.Option(help="Validity in seconds")] = 8 * 3600,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Source application an application token may write to the registry (repeatable)",
        ),
    ] = None,
) -> None:
    """Print a signed bearer token for local use.

    Examples: `srj auth token --role reviewer --subject alice --ttl 3600`,
    `srj auth token --role application --subject cassiopee --source CASSIOPEE`
    """
    import re

    from srj.auth import Role, issue_token

    sources = [s.strip().upper() for s in source or []]
    if any(not re.fullmatch(r"[A-Z][A-Z0-9_]{0,31}", s) for s in sources):
        err.print(
            "[red]error:[/red] a --source is an application name: letters, digits and _, "
            "starting with a letter (e.g. CASSIOPEE)"
        )
        raise typer.Exit(2)

    try:
        roles = [Role(r) for r in role]
    except ValueError:
        err.print(
            f"[red]error:[/red] unknown role; choose among {', '.join(r.value for r in Role)}"
        )
        raise typer.Exit(2) from None
    settings = get_settings()
    secrets_file = settings.data_dir / "dev-secrets.json"
    new_local_key = not settings.auth_secret and not secrets_file.exists()
    try:
        value = issue_token(
            settings, subject=subject, roles=roles, ttl_seconds=ttl, sources=sources
        )
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if new_local_key:
        # Said once, on stderr (the token alone goes to stdout): a server reading another
        # data directory will refuse this token, and its error will name the key.
        err.print(
            f"note: created a new local signing key in {secrets_file}; the server must use "
            f"the same data directory (SRJ_DATA_DIR={settings.data_dir})",
            highlight=False,
            soft_wrap=True,
        )
    print(value)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


_register_domain_commands()


def main() -> None:
    # Splink warns through Python's last-resort handler (unformatted stderr lines) about what a
    # small or sampled training set does not show ("level ... not observed", "default
    # max_pairs"); the commands report what matters in their own words and the model
    # artefact records its training notes. Its errors still get through.
    logging.getLogger("splink").setLevel(logging.ERROR)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
