"""Reading the curated CSV files of ``datasets/`` (courts, tariffs): every row validated, every
problem reported with its line number, nothing returned unless the whole file is clean.

The parsers below collect problems instead of raising on the first one, so that a curator who
edits a file gets the complete list in one run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from refdata.errors import ImportRejectedError, Problem

# The rows' ``date`` method shadows the type inside the class body; annotations use this name.
_Date = date


@dataclass
class CsvRow:
    """One data row: its 1-based line number in the file and its values by column."""

    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def _problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(line=self.line, column=column, message=message))

    def text(self, column: str, *, required: bool = True, max_length: int = 10_000) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            self._problem(column, "is empty")
        elif len(value) > max_length:
            self._problem(column, f"is longer than {max_length} characters")
        return value

    def choice(self, column: str, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        value = self.values.get(column, "").strip()
        if value not in allowed:
            self._problem(column, f"'{value}' is not one of {', '.join(allowed)}")
        return value

    def integer(
        self, column: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        raw = self.values.get(column, "").strip()
        try:
            value = int(raw)
        except ValueError:
            self._problem(column, f"'{raw}' is not an integer")
            return 0
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self._problem(column, f"{value} is outside {minimum}..{maximum}")
        return value

    def decimal(
        self, column: str, *, required: bool = True, positive: bool = True
    ) -> Decimal | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            if required:
                self._problem(column, "is empty")
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self._problem(column, f"'{raw}' is not a decimal number (use a dot: 12.50)")
            return None
        if not value.is_finite() or (positive and value <= 0):
            self._problem(column, f"'{raw}' must be a positive amount")
            return None
        return value

    def date(self, column: str, *, required: bool = True) -> date | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            if required:
                self._problem(column, "is empty")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self._problem(column, f"'{raw}' is not a date (YYYY-MM-DD)")
            return None

    def interval(self) -> tuple[_Date | None, _Date | None]:
        """``valid_from`` (required) and ``valid_to`` (optional, exclusive, after valid_from)."""
        start, end = self.date("valid_from"), self.date("valid_to", required=False)
        if start and end and end <= start:
            self._problem("valid_to", f"{end} is not after valid_from {start}")
        return start, end


def read_rows(path: Path, required_columns: Iterable[str]) -> list[CsvRow]:
    """The data rows of a UTF-8 CSV file; raises ImportRejectedError on a malformed file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportRejectedError([Problem(None, f"{path.name}: file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ImportRejectedError(
            [Problem(None, f"{path.name}: not UTF-8 (byte {exc.start})")]
        ) from None
    return parse_rows(text, required_columns, name=path.name)


def parse_rows(text: str, required_columns: Iterable[str], *, name: str) -> list[CsvRow]:
    if not text.strip():
        raise ImportRejectedError([Problem(None, f"{name}: the file is empty")])
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    header = reader.fieldnames or []
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ImportRejectedError(
            [
                Problem(1, f"{name}: missing column(s) {', '.join(missing)}", column=c)
                for c in missing
            ]
        )
    rows: list[CsvRow] = []
    problems: list[Problem] = []
    try:
        for record in reader:
            # DictReader counts physical lines: a quoted field may span several of them.
            line = reader.line_num
            if None in record:
                problems.append(Problem(line, f"{name}: more fields than columns in the header"))
                continue
            if any(v is None for v in record.values()):
                problems.append(Problem(line, f"{name}: fewer fields than columns in the header"))
                continue
            rows.append(CsvRow(line=line, values={k: v for k, v in record.items() if k}))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, f"{name}: malformed CSV ({exc})"))
    if problems:
        raise ImportRejectedError(problems)
    return rows


def collect_problems(rows: Iterable[CsvRow]) -> Iterator[Problem]:
    for row in rows:
        yield from row.problems


def raise_if_problems(problems: list[Problem]) -> None:
    if problems:
        raise ImportRejectedError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
