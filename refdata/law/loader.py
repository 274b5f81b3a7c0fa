"""Load the law dataset (``datasets/penalties_law/``) into its tables, then publish a release.

All or nothing: the manifest's checksums must match the files and every row must be valid
(each problem is reported with its file and line), else nothing is written. The tables are
made equal to the files; loading the dataset the tables already hold changes nothing and
creates no release. When the load changes an article version or a penalty, the next ``law``
release is published in the same transaction (``refdata.law.release``). Never commits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from refdata.dates import today
from refdata.errors import ImportRejectedError, Problem
from refdata.law.dataset import (
    DATASET_DIR,
    MANIFEST_FILE,
    PENALTIES_FILE,
    UNRESOLVED_FILE,
    VERSIONS_FILE,
    parse_versions,
)
from refdata.law.models import ArticleVersion, LawCorpus, LawPenalty, LawUnresolved
from refdata.law.release import LAW, PENALTY_KEY
from refdata.law.text import article_key
from refdata.releases.curated import SourceFiles, publish
from refdata.releases.service import begin_dataset_write
from refdata.releases.storage import BulkStore

SOURCE_FILES = (MANIFEST_FILE, VERSIONS_FILE, PENALTIES_FILE, UNRESOLVED_FILE)


class _Rows:
    """Typed reading of one CSV file's rows, collecting problems with file and line."""

    def __init__(self, name: str, data: bytes, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        self.rows = list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";"))

    def bad(self, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(line, f"{self.name}: {message}", column))

    def date(self, line: int, row: dict[str, str], column: str, *, required: bool) -> date | None:
        value = row.get(column) or ""
        if not value:
            if required:
                self.bad(line, column, "a date is required")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.bad(line, column, f"{value!r} is not a date YYYY-MM-DD")
            return None

    def integer(self, line: int, row: dict[str, str], column: str) -> int | None:
        value = row.get(column) or ""
        if not value:
            return None
        if not value.isdigit():
            self.bad(line, column, f"{value!r} is not a whole number")
            return None
        return int(value)

    def flag(self, line: int, row: dict[str, str], column: str) -> bool:
        value = row.get(column)
        if value not in ("oui", "non"):
            self.bad(line, column, f"{value!r} is not oui or non")
        return value == "oui"


def _checked_files(directory: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    files = {name: (directory / name).read_bytes() for name in SOURCE_FILES}
    manifest = json.loads(files[MANIFEST_FILE])
    problems = [
        Problem(None, f"{name}: SHA-256 differs from the manifest's (file altered or stale)")
        for name in SOURCE_FILES[1:]
        if hashlib.sha256(files[name]).hexdigest() != manifest["files"][name]["sha256"]
    ]
    if problems:
        raise ImportRejectedError(problems, encoding="utf-8")
    return files, manifest


def _versions(data: bytes, problems: list[Problem]) -> tuple[dict[str, Any], list[dict]]:
    meta, records = parse_versions(data)
    rows = []
    for line, record in enumerate(records, start=2):
        try:
            rows.append(
                {
                    "code": record["code"],
                    "article": record["article"],
                    "article_key": article_key(record["article"]),
                    "version": int(record["version"]),
                    "valid_from": date.fromisoformat(record["valid_from"]),
                    "valid_to": (
                        date.fromisoformat(record["valid_to"]) if record["valid_to"] else None
                    ),
                    "recorded_from": date.fromisoformat(record["recorded_from"]),
                    "in_force_from_basis": record.get("in_force_from_basis", ""),
                    "repository": record["repository"],
                    "path": record["path"],
                    "commit": record["commit"],
                    "amended_by": record["amended_by"],
                    "ended_by_commit": record["ended_by_commit"],
                    "ended_by": record["ended_by"],
                    "scope": record["scope"],
                    "alineas": list(record["alineas"]),
                }
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(line, f"{VERSIONS_FILE}: invalid version record ({exc})"))
    return meta, rows


def _penalties(data: bytes, problems: list[Problem]) -> list[dict[str, Any]]:
    reader = _Rows(PENALTIES_FILE, data, problems)
    rows = []
    seen: dict[tuple[Any, ...], int] = {}
    for line, row in enumerate(reader.rows, start=2):
        amount = None
        if row["amount"]:
            try:
                amount = Decimal(row["amount"])
            except InvalidOperation:
                reader.bad(line, "amount", f"{row['amount']!r} is not an amount")
        values = {
            "code": row["code"],
            "article": row["article"],
            "version": reader.integer(line, row, "version"),
            "valid_from": reader.date(line, row, "valid_from", required=True),
            "valid_to": reader.date(line, row, "valid_to", required=False),
            "statement": reader.integer(line, row, "statement"),
            "alinea": reader.integer(line, row, "alinea"),
            "division": row["division"],
            "form": row["form"],
            "kind": row["kind"],
            "max_months": reader.integer(line, row, "max_months"),
            "life": reader.flag(line, row, "life"),
            "amount": amount,
            "currency": row["currency"] or None,
            "contravention_class": reader.integer(line, row, "contravention_class"),
            "alternative": reader.flag(line, row, "alternative"),
            "fine_may_exceed": reader.flag(line, row, "fine_may_exceed"),
            "legal_persons": reader.flag(line, row, "legal_persons"),
            "quoted": reader.flag(line, row, "quoted"),
            "source_code": row["source_code"],
            "source_article": row["source_article"],
            "source_version": reader.integer(line, row, "source_version"),
            "source_alinea": reader.integer(line, row, "source_alinea"),
            "via": row["via"],
            "sentence": row["sentence"],
            "source_sentence": row["source_sentence"],
            "repository": row["repository"],
            "path": row["path"],
            "commit": row["commit"],
            "source_path": row["source_path"],
            "source_commit": row["source_commit"],
        }
        key = tuple(values[k] for k in PENALTY_KEY)
        if key in seen:
            reader.bad(line, "statement", f"same penalty as line {seen[key]}")
        seen[key] = line
        rows.append(values)
    return rows


def _unresolved(data: bytes, problems: list[Problem]) -> list[dict[str, Any]]:
    reader = _Rows(UNRESOLVED_FILE, data, problems)
    return [
        {
            "code": row["code"],
            "article": row["article"],
            "version": reader.integer(line, row, "version"),
            "valid_from": reader.date(line, row, "valid_from", required=True),
            "valid_to": reader.date(line, row, "valid_to", required=False),
            "alinea": reader.integer(line, row, "alinea"),
            "reason": row["reason"],
            "sentence": row["sentence"],
        }
        for line, row in enumerate(reader.rows, start=2)
    ]


def load_law(
    session: Session,
    directory: Path = DATASET_DIR,
    *,
    store: BulkStore | None = None,
    published_on: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Validate the dataset, make the tables equal to it and publish a release if anything
    changed (the caller's transaction commits)."""
    files, manifest = _checked_files(directory)
    problems: list[Problem] = []
    meta, versions = _versions(files[VERSIONS_FILE], problems)
    penalties = _penalties(files[PENALTIES_FILE], problems)
    unresolved = _unresolved(files[UNRESOLVED_FILE], problems)
    if problems:
        raise ImportRejectedError(problems, encoding="utf-8")
    begin_dataset_write(session, LAW.name)
    manifest_sha = hashlib.sha256(files[MANIFEST_FILE]).hexdigest()
    current = session.scalar(select(LawCorpus))
    replaced = current is None or current.manifest_sha256 != manifest_sha
    if replaced:
        for model in (LawPenalty, LawUnresolved, ArticleVersion, LawCorpus):
            session.execute(delete(model))
        session.execute(insert(ArticleVersion), versions)
        session.execute(insert(LawPenalty), penalties)
        if unresolved:
            session.execute(insert(LawUnresolved), unresolved)
        session.add(
            LawCorpus(
                id=1,
                repository=meta["repository"],
                commit=meta["commit"],
                known_until=date.fromisoformat(meta["corpus_known_until"]),
                known_until_basis=meta["corpus_known_until_basis"],
                manifest_sha256=manifest_sha,
                details={
                    "coverage": manifest["coverage"],
                    "code_in_force_from": meta["code_in_force_from"],
                },
            )
        )
        session.flush()
    release = publish(
        session,
        LAW,
        sources=SourceFiles(files),
        store=store,
        published_on=published_on or today(),
        now=now,
    )
    return {
        **release.as_dict(),
        "tables": {
            "replaced": replaced,
            "article_versions": len(versions),
            "penalties": len(penalties),
            "unresolved": len(unresolved),
        },
        "corpus_known_until": meta["corpus_known_until"],
    }
