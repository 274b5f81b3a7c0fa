"""Load the curated courts (``datasets/courts/courts.csv`` and ``ressorts.csv``).

Both files are validated in full — formats, vocabularies, overlapping versions, parents and
ressorts that point to no court, seats that are not communes of the COG — and every problem
is reported with its file and line. Only then are the tables made equal to the files (rows
keyed by court and start date; absent rows deleted), so a re-load of the same files changes
nothing and a failed load changes nothing either. A load that changes what the courts
publish creates a ``courts`` release in the same transaction (``refdata.releases.curated``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from refdata.communes.index import fingerprint, record_load
from refdata.communes.models import Commune
from refdata.communes.service import CODE_RE
from refdata.courts.models import (
    COURT_TYPES,
    GRANULARITIES,
    SCOPES,
    CourtRessort,
    CourtVersion,
)
from refdata.courts.release import (
    COURT_COLUMNS,
    COURTS,
    COURTS_FILE,
    RESSORT_COLUMNS,
    RESSORTS_FILE,
)
from refdata.curated_csv import CsvRow, raise_if_problems, read_rows
from refdata.dates import today
from refdata.errors import ImportRejectedError, Problem
from refdata.releases.curated import SourceFiles, publish
from refdata.releases.service import ImportSummary, begin_dataset_write
from refdata.releases.storage import BulkStore
from refdata.tariffs.models import VALID_FROM_BASES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIRECTORY = REPO_ROOT / "datasets" / "courts"


@dataclass(frozen=True)
class CourtsLoadResult:
    courts: dict[str, int]
    ressorts: dict[str, int]
    # The release this load published (``created: false`` and the current one if none).
    release: ImportSummary

    def as_dict(self) -> dict[str, Any]:
        return {**self.release.as_dict(), "court_versions": self.courts, "ressorts": self.ressorts}


def _court(row: CsvRow) -> dict[str, Any]:
    start, end = row.interval()
    seat = row.text("seat_code_insee", required=False, max_length=5)
    if seat and not CODE_RE.match(seat):
        row.problems.append(Problem(row.line, f"'{seat}' is not an INSEE code", "seat_code_insee"))
    court_id = row.text("id", max_length=64)
    return {
        "court_id": court_id,
        "type": row.choice("type", COURT_TYPES),
        "name": row.text("name", max_length=200),
        "seat_code_insee": seat,
        "seat_commune": row.text("seat_commune", required=bool(seat), max_length=120),
        "parent_id": row.text("parent_id", required=False, max_length=64) or None,
        "valid_from": start,
        "valid_to": end,
        "valid_from_basis": row.choice("valid_from_basis", VALID_FROM_BASES),
        "source": row.text("source"),
        "note": row.text("note", required=False),
    }


def _ressort(row: CsvRow) -> dict[str, Any]:
    start, end = row.interval()
    granularity = row.choice("granularity", GRANULARITIES)
    code = row.text("code", max_length=5)
    if granularity == "commune" and code and not CODE_RE.match(code):
        row.problems.append(Problem(row.line, f"'{code}' is not an INSEE code", "code"))
    return {
        "court_id": row.text("court_id", max_length=64),
        "granularity": granularity,
        "code": code,
        "scope": row.choice("scope", SCOPES),
        "valid_from": start,
        "valid_to": end,
        "valid_from_basis": row.choice("valid_from_basis", VALID_FROM_BASES),
        "source": row.text("source"),
        "note": row.text("note", required=False),
    }


def _covers(versions: list[tuple[int, dict[str, Any]]], start: date, end: date | None) -> bool:
    """Whether the versions of a court cover the interval [start, end) without a gap."""
    cursor: date | None = start
    for _, v in sorted(versions, key=lambda e: e[1]["valid_from"]):
        if cursor is None:
            return True
        if v["valid_from"] > cursor:
            return False
        if v["valid_to"] is None or (end is not None and v["valid_to"] >= end):
            return True
        cursor = max(cursor, v["valid_to"])
    return False


def parse_directory(
    session: Session, directory: Path = DEFAULT_DIRECTORY
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    problems: list[Problem] = []
    parsed: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for filename, columns, parse in (
        (COURTS_FILE, COURT_COLUMNS, _court),
        (RESSORTS_FILE, RESSORT_COLUMNS, _ressort),
    ):
        try:
            rows = read_rows(directory / filename, columns)
        except ImportRejectedError as exc:
            problems.extend(exc.problems)
            continue
        parsed[filename] = [(row.line, parse(row)) for row in rows]
        problems.extend(
            Problem(p.line, f"{filename}: {p.message}", column=p.column)
            for row in rows
            for p in row.problems
        )
    raise_if_problems(problems)

    courts, ressorts = parsed[COURTS_FILE], parsed[RESSORTS_FILE]
    by_court: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for line, values in courts:
        by_court[values["court_id"]].append((line, values))
    for versions in by_court.values():
        versions.sort(key=lambda e: e[1]["valid_from"])
        for (_, prev), (line, cur) in pairwise(versions):
            if prev["valid_to"] is None or prev["valid_to"] > cur["valid_from"]:
                problems.append(
                    Problem(
                        line,
                        f"{COURTS_FILE}: version of {cur['court_id']} from {cur['valid_from']} "
                        "overlaps the previous one",
                        "valid_from",
                    )
                )
    if session.scalar(select(Commune.id).limit(1)) is None:
        raise ImportRejectedError(
            [Problem(None, "no COG is loaded: run `srj refdata import-cog` first")]
        )
    seats = {v["seat_code_insee"] for _, v in courts if v["seat_code_insee"]}
    known_seats = set(
        session.scalars(
            select(Commune.code_insee).where(
                Commune.code_insee.in_(seats), Commune.type == "commune-actuelle"
            )
        )
    )
    for line, values in courts:
        parent = values["parent_id"]
        if parent and not _covers(
            by_court.get(parent, []), values["valid_from"], values["valid_to"]
        ):
            problems.append(
                Problem(
                    line,
                    f"{COURTS_FILE}: parent {parent} of {values['court_id']} is not recorded over "
                    f"the whole version ({values['valid_from']} to {values['valid_to'] or 'open'})",
                    "parent_id",
                )
            )
        if values["seat_code_insee"] and values["seat_code_insee"] not in known_seats:
            problems.append(
                Problem(
                    line,
                    f"{COURTS_FILE}: seat {values['seat_code_insee']} is not a current commune of "
                    "the loaded COG",
                    "seat_code_insee",
                )
            )
    seen: dict[tuple[Any, ...], int] = {}
    for line, values in ressorts:
        key = tuple(values[k] for k in ("court_id", "granularity", "code", "scope", "valid_from"))
        if key in seen:
            problems.append(
                Problem(line, f"{RESSORTS_FILE}: duplicate of line {seen[key]}", "court_id")
            )
        seen[key] = line
        if not _covers(
            by_court.get(values["court_id"], []), values["valid_from"], values["valid_to"]
        ):
            problems.append(
                Problem(
                    line,
                    f"{RESSORTS_FILE}: court {values['court_id']} is not recorded over the whole "
                    "ressort interval",
                    "court_id",
                )
            )
    raise_if_problems(problems)
    return [v for _, v in courts], [v for _, v in ressorts]


def _sync(
    session: Session, model: Any, key: tuple[str, ...], wanted: list[dict[str, Any]]
) -> dict[str, int]:
    existing = {tuple(getattr(r, k) for k in key): r for r in session.scalars(select(model))}
    counts = {"added": 0, "changed": 0, "removed": 0, "unchanged": 0}
    to_insert = []
    seen = set()
    for values in wanted:
        k = tuple(values[f] for f in key)
        seen.add(k)
        row = existing.get(k)
        if row is None:
            to_insert.append(values)
            counts["added"] += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            counts["changed"] += 1
        else:
            counts["unchanged"] += 1
    stale = [row.id for k, row in existing.items() if k not in seen]
    if stale:
        session.execute(delete(model).where(model.id.in_(stale)))
    counts["removed"] = len(stale)
    if to_insert:
        session.execute(insert(model), to_insert)
    session.flush()
    return counts


def load_courts(
    session: Session,
    directory: Path = DEFAULT_DIRECTORY,
    *,
    store: BulkStore | None = None,
    published_on: date | None = None,
    now: datetime | None = None,
) -> CourtsLoadResult:
    """Validate both files against each other and the COG, sync, and publish a release if
    anything changed (the caller commits). ``published_on`` defaults to today in France."""
    courts, ressorts = parse_directory(session, directory)
    sources = SourceFiles(
        {name: (directory / name).read_bytes() for name in (COURTS_FILE, RESSORTS_FILE)}
    )
    # Serialise concurrent loads before the sync, not only before the release.
    begin_dataset_write(session, COURTS.name)
    record_load(session, "courts", fingerprint(sources.files.values()))
    court_counts = _sync(session, CourtVersion, ("court_id", "valid_from"), courts)
    ressort_counts = _sync(
        session,
        CourtRessort,
        ("court_id", "granularity", "code", "scope", "valid_from"),
        ressorts,
    )
    release = publish(
        session, COURTS, sources=sources, store=store, published_on=published_on or today(), now=now
    )
    return CourtsLoadResult(courts=court_counts, ressorts=ressort_counts, release=release)
