"""The court (juridiction) of each source record, imported from the source applications.

The canonical identity record carries no court, yet a court's parquet reviews the suggestions
touching its own cases: ``srj registry import-courts FILE`` reads ``source, source_ref, court``
rows, checks them all (every problem with its line), and writes them all or none.
"""

from __future__ import annotations

import csv
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from identity.crypto import RegistryCrypto
from identity.review.repository import ReviewRepository

COURT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
SOURCE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COLUMNS = ("source", "source_ref", "court")


@dataclass(frozen=True)
class CourtRow:
    line: int
    source: str
    source_ref: str
    court: str


class CourtFileError(ValueError):
    """The file cannot be imported; ``problems`` name each line and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_court_file(path: Path) -> list[CourtRow]:
    """Every row of ``path``, or :class:`CourtFileError` with every problem found."""
    problems: list[str] = []
    rows: list[CourtRow] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise CourtFileError([f"missing column(s) {', '.join(sorted(missing))}"])
            for line, row in enumerate(reader, start=2):
                source = (row.get("source") or "").strip()
                ref = (row.get("source_ref") or "").strip()
                court = (row.get("court") or "").strip()
                if not SOURCE_RE.match(source):
                    problems.append(f"line {line}: field source is not a source application code")
                if not ref or len(ref) > 128:
                    problems.append(f"line {line}: field source_ref is empty or too long")
                if not COURT_RE.match(court):
                    problems.append(
                        f"line {line}: field court must be 1-32 letters, digits, '.', '_' or '-'"
                    )
                rows.append(CourtRow(line, source, ref, court))
    except UnicodeDecodeError:
        raise CourtFileError(["the file is not UTF-8 text"]) from None
    except OSError as exc:
        raise CourtFileError([f"cannot read the file ({exc.strerror})"]) from None
    if problems:
        raise CourtFileError(problems)
    if not rows:
        raise CourtFileError(["the file has no rows"])
    return rows


def resolve_courts(
    repo: ReviewRepository, crypto: RegistryCrypto, rows: list[CourtRow]
) -> list[tuple[uuid.UUID, str]]:
    """(record id, court) for every row, or :class:`CourtFileError` naming unknown records."""
    problems: list[str] = []
    resolved: list[tuple[uuid.UUID, str]] = []
    for row in rows:
        hmacs = [h for _, h in crypto.pseudonymiser.ref_hmacs(row.source, row.source_ref)]
        found = repo.registry.records.record_with_link(row.source, hmacs)
        if found is None:
            problems.append(f"line {row.line}: no record of {row.source} with this source_ref")
        else:
            resolved.append((found[0].id, row.court))
    if problems:
        raise CourtFileError(problems)
    return resolved
