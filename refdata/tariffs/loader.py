"""Load the curated tariff files (``datasets/tariffs/``): validate everything, then make the
tables equal to the files — all or nothing, and re-loading the same files changes nothing.

Each file's rows are keyed by their natural key (e.g. class + category + kind + valid_from);
rows absent from the files are deleted, changed rows updated, new rows inserted. Curated
files are the source of truth for these tables, so a correction in a file is a correction in
the database (the history of amounts lives in the rows' validity intervals, not in edits).
A load that changes what the tariffs publish creates a ``tariffs`` release in the same
transaction (``refdata.releases.curated``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from refdata.communes.index import fingerprint, record_load
from refdata.curated_csv import CsvRow, raise_if_problems, read_rows
from refdata.dates import today
from refdata.errors import ImportRejectedError, Problem
from refdata.releases.curated import SourceFiles, publish
from refdata.releases.service import begin_dataset_write
from refdata.releases.storage import BulkStore
from refdata.tariffs.models import (
    CUSTODY_TYPES,
    FIXED_FINE_KINDS,
    STATUSES,
    VALID_FROM_BASES,
)
from refdata.tariffs.release import FILES, LAYOUTS, TARIFFS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIRECTORY = REPO_ROOT / "datasets" / "tariffs"


@dataclass(frozen=True)
class _Table:
    model: Any
    key: tuple[str, ...]
    parse: Callable[[CsvRow], dict[str, Any]]
    columns: tuple[str, ...]
    # Rows sharing these fields form one timeline whose intervals must not overlap.
    timeline: tuple[str, ...]


def _common(row: CsvRow) -> dict[str, Any]:
    start, end = row.interval()
    return {
        "valid_from": start,
        "valid_to": end,
        "valid_from_basis": row.choice("valid_from_basis", VALID_FROM_BASES),
        "status": row.choice("status", STATUSES),
        "legal_source": row.text("legal_source"),
        "provenance": row.text("provenance"),
        "note": row.text("note", required=False),
    }


def _fixed_fine(row: CsvRow) -> dict[str, Any]:
    return {
        "classe": row.integer("classe", minimum=1, maximum=5),
        "category": row.text("categorie", max_length=32),
        "kind": row.choice("kind", FIXED_FINE_KINDS),
        "amount_eur": row.decimal("amount_eur"),
        **_common(row),
    }


def _max_fine(row: CsvRow) -> dict[str, Any]:
    return {
        "classe": row.integer("classe", minimum=1, maximum=5),
        "amount_eur": row.decimal("amount_eur"),
        "recidivism_amount_eur": row.decimal("recidivism_amount_eur", required=False),
        **_common(row),
    }


def _rate(row: CsvRow) -> dict[str, Any]:
    rate = row.decimal("rate_percent")
    if rate is not None and rate >= 100:
        row.problems.append(
            Problem(row.line, f"{rate} is not a percentage below 100", "rate_percent")
        )
    return {
        "scale": row.text("scale", max_length=32),
        "children": row.integer("children", minimum=1, maximum=20),
        "custody": row.choice("custody", CUSTODY_TYPES),
        "rate_percent": rate,
        **_common(row),
    }


def _minimum_vital(row: CsvRow) -> dict[str, Any]:
    return {"amount_eur": row.decimal("amount_eur"), **_common(row)}


def _table(
    name: str, parse: Callable[[CsvRow], dict[str, Any]], timeline: tuple[str, ...]
) -> _Table:
    layout = LAYOUTS[name]
    return _Table(layout.model, layout.key, parse, layout.columns, timeline)


TABLES: dict[str, _Table] = {
    "fixed_fines": _table("fixed_fines", _fixed_fine, ("classe", "category", "kind")),
    "max_fines": _table("max_fines", _max_fine, ("classe",)),
    "child_support_rates": _table("child_support_rates", _rate, ("scale", "children", "custody")),
    "minimum_vital": _table("minimum_vital", _minimum_vital, ()),
}


@dataclass(frozen=True)
class LoadCounts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    def __add__(self, other: LoadCounts) -> LoadCounts:
        return LoadCounts(
            self.added + other.added,
            self.changed + other.changed,
            self.removed + other.removed,
            self.unchanged + other.unchanged,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def _overlaps(name: str, table: _Table, parsed: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    """Versions of one amount must not overlap in time (an as_of read must find at most one)."""
    problems: list[Problem] = []
    timelines: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for line, values in parsed:
        timelines[tuple(values[f] for f in table.timeline)].append((line, values))
    for entries in timelines.values():
        entries.sort(key=lambda e: e[1]["valid_from"])
        for (_, prev), (line, cur) in pairwise(entries):
            if cur["valid_from"] == prev["valid_from"]:
                problems.append(
                    Problem(line, f"{name}: duplicate version (same key and valid_from)")
                )
            elif prev["valid_to"] is None or prev["valid_to"] > cur["valid_from"]:
                problems.append(
                    Problem(
                        line,
                        f"{name}: version from {cur['valid_from']} overlaps the previous version "
                        f"(from {prev['valid_from']} to {prev['valid_to'] or 'open'})",
                        column="valid_from",
                    )
                )
    return problems


def parse_directory(directory: Path = DEFAULT_DIRECTORY) -> dict[str, list[dict[str, Any]]]:
    """Every file parsed and validated; raises ImportRejectedError listing all problems."""
    result: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    for name, table in TABLES.items():
        filename = FILES[name]
        try:
            rows = read_rows(directory / filename, table.columns)
        except ImportRejectedError as exc:  # keep checking the other files
            problems.extend(exc.problems)
            continue
        parsed = [(row.line, table.parse(row)) for row in rows]
        for row in rows:
            problems.extend(
                Problem(p.line, f"{filename}: {p.message}", column=p.column) for p in row.problems
            )
        if any(row.problems for row in rows):
            continue
        problems.extend(_overlaps(filename, table, parsed))
        result[name] = [values for _, values in parsed]
    raise_if_problems(problems)
    return result


def _key(values: dict[str, Any], key: Iterable[str]) -> tuple[Any, ...]:
    return tuple(values[k] for k in key)


def _sync(session: Session, table: _Table, wanted: list[dict[str, Any]]) -> LoadCounts:
    model = table.model
    rows = session.scalars(select(model)).all()
    existing = {_key({c: getattr(r, c) for c in table.key}, table.key): r for r in rows}
    added = changed = unchanged = 0
    to_insert: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for values in wanted:
        key = _key(values, table.key)
        seen.add(key)
        row = existing.get(key)
        if row is None:
            to_insert.append(values)
            added += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            changed += 1
        else:
            unchanged += 1
    stale = [row.id for key, row in existing.items() if key not in seen]
    if stale:
        session.execute(delete(model).where(model.id.in_(stale)))
    if to_insert:
        session.execute(insert(model), to_insert)
    session.flush()
    return LoadCounts(added, changed, len(stale), unchanged)


def load_tariffs(
    session: Session,
    directory: Path = DEFAULT_DIRECTORY,
    *,
    store: BulkStore | None = None,
    published_on: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Validate the four files, sync the tables and publish a release if anything changed
    (the caller's transaction commits).

    Returns the release summary (``release``, ``created``, ``added``, ``changed``,
    ``retired``, ``unchanged``: items published) and the per-table sync counts (``tables``).
    """
    parsed = parse_directory(directory)
    sources = SourceFiles({name: (directory / name).read_bytes() for name in FILES.values()})
    begin_dataset_write(session, TARIFFS.name)
    record_load(session, "tariffs", fingerprint(sources.files.values()))
    per_table = {name: _sync(session, TABLES[name], rows) for name, rows in parsed.items()}
    release = publish(
        session,
        TARIFFS,
        sources=sources,
        store=store,
        published_on=published_on or today(),
        now=now,
    )
    return {**release.as_dict(), "tables": {k: v.as_dict() for k, v in per_table.items()}}
