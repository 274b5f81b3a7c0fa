"""The plumbing every domain shares: database, settings, auth, problem details, dependencies.

``srj.db`` (the declarative base, engines, sessions, units of work), ``srj.schema`` (Alembic
heads, the checked database), ``srj.settings``, ``srj.auth`` (tokens and roles),
``srj.problems`` (RFC 9457), ``srj.deps`` (typed FastAPI dependencies), ``srj.cli_support``
(what every command does the same way), logging and request guards. It knows no domain: the
app, the CLI and the demo that assemble the domains are the ``entrypoint`` package.
"""

__version__ = "0.1.0"
