"""Reading the linkage jobs' files (Parquet or CSV) with validation, and writing outputs atomically.

A statistician's file is checked whole before any work starts, and every problem is reported
at once (up to a few rows per problem) naming the column, the row and the reason. Values are
never echoed: an identity file holds personal data, and error messages end up in terminals,
CI logs and tickets. Record identifiers are not traits, so duplicate ``record_id`` values are
named.

Normalisation of what is read: every canonical column becomes a string column; empty and
blank strings become nulls (CSV has no null, Parquet has both: the jobs treat them alike).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from matching.records import CANONICAL_COLUMNS, REQUIRED_COLUMNS

DATE_COLUMNS: Final[tuple[str, ...]] = ("record_date", "date_naissance", "date_deces")
# ISO date, possibly partial (YYYY-MM or YYYY). Only the shape is checked here: impossible
# calendar values in a well-shaped date (a day/month swap such as 1985-13-05) are entry errors
# that standardisation turns into a flagged missing value, they do not make the file unreadable.
_DATE_SHAPE: Final = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_MAX_ROWS_NAMED: Final = 5

PAIR_COLUMNS: Final[tuple[str, ...]] = (
    "record_id_l",
    "record_id_r",
    "match_weight",
    "match_probability",
)
LABEL_DECISIONS: Final[dict[str, float]] = {"same": 1.0, "different": 0.0}


class InputError(Exception):
    """A file a job was given cannot be used; ``problems`` say where and why, one per line."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} problem(s)\n{lines}")


@dataclass
class _Problems:
    path: Path
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.path, self.items)


def _fold(name: str) -> str:
    """Column name folded for comparison: no accents, lower case, separators as underscores."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    return re.sub(r"[\s\-.]+", "_", stripped.strip().lower())


def closest_column(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate a misnamed column most likely meant.

    ``Nom de naissance`` → ``nom_naissance``, ``prénoms`` → ``prenoms``, ``nom_naisance`` →
    ``nom_naissance``.
    """
    folded = {_fold(c): c for c in candidates}
    key = _fold(name)
    if key in folded:
        return folded[key]
    # "nom_de_naissance" → "nom_naissance": drop French linking words before fuzzy matching.
    key_short = re.sub(r"_(de|du|des|d|la|le)_", "_", key)
    if key_short in folded:
        return folded[key_short]
    match = difflib.get_close_matches(key_short, list(folded), n=1, cutoff=0.75)
    return folded[match[0]] if match else None


def _row_label(index: int, is_csv: bool) -> str:
    # Row numbers are 1-based data rows; in a CSV the header is line 1, so row n is line n+1
    # (files with quoted newlines inside values shift the line, not the row).
    return f"row {index + 1} (line {index + 2})" if is_csv else f"row {index + 1}"


def _rows_text(indices: Sequence[int], is_csv: bool, total: int | None = None) -> str:
    shown = ", ".join(_row_label(i, is_csv) for i in indices[:_MAX_ROWS_NAMED])
    count = total if total is not None else len(indices)
    more = f" and {count - _MAX_ROWS_NAMED} more" if count > _MAX_ROWS_NAMED else ""
    return shown + more


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() in {".csv", ".txt"}


def _read_table(path: Path, problems: _Problems) -> pa.Table | None:
    """Read Parquet or CSV as-is (CSV: every column as a string). Empty files are an error."""
    if not path.exists():
        problems.add("file not found")
        return None
    if path.is_dir():
        problems.add("is a directory, expected a .parquet or .csv file")
        return None
    if path.stat().st_size == 0:
        problems.add("the file is empty")
        return None
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return pq.read_table(path)
        if _is_csv(path):
            return _read_csv(path, problems)
    except pa.ArrowInvalid as exc:
        problems.add(f"cannot be read as {suffix[1:]}: {_arrow_reason(exc)}")
        return None
    problems.add(f"unsupported extension {suffix!r}: give a .parquet or .csv file")
    return None


def _arrow_reason(exc: Exception) -> str:
    # Arrow's CSV messages quote the offending line, which may hold personal data: keep only
    # the part before the quoted content.
    text = str(exc).split("\n")[0]
    return re.split(r":\s*'|\"", text)[0].strip().rstrip(":")


def _read_csv(path: Path, problems: _Problems) -> pa.Table:
    with path.open("rb") as handle:
        head = handle.readline()
    try:
        header = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise pa.ArrowInvalid("the header line is not UTF-8 text") from exc
    bad_line = _first_non_utf8_line(path)
    if bad_line is not None:
        problems.add(f"line {bad_line} is not UTF-8 text: save the file as UTF-8")
        return pa.table({})
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # Every column typed as a string: identifiers and INSEE codes such as 01053 must keep
    # their leading zeros, so the header is parsed first to name the columns.
    names = next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter), [])
    ragged: list[tuple[int | None, int, int]] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        # Never keep row.text: it is the raw line, personal data included.
        ragged.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 24),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid_row
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if ragged:
        if any(number is None for number, _, _ in ragged):
            ragged = _ragged_lines(path, delimiter, len(names))
        for number, expected, actual in ragged[:_MAX_ROWS_NAMED]:
            problems.add(f"line {number}: expected {expected} fields, found {actual}")
        if len(ragged) > _MAX_ROWS_NAMED:
            problems.add(f"and {len(ragged) - _MAX_ROWS_NAMED} more lines with a wrong field count")
    return table


def _first_non_utf8_line(path: Path, chunk_size: int = 1 << 24) -> int | None:
    """The 1-based line of the first byte that is not UTF-8, or None (streams the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return newlines + chunk.count(b"\n", 0, exc.start) + 1
            newlines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return newlines + 1
    return None


def _ragged_lines(path: Path, delimiter: str, expected: int) -> list[tuple[int | None, int, int]]:
    """Line numbers of rows with a wrong field count (Arrow cannot tell them when values may
    hold newlines). Only runs on a file already known to be bad."""
    found: list[tuple[int | None, int, int]] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            if row and len(row) != expected:
                found.append((start, expected, len(row)))
            start = reader.line_num + 1
    return found


def _as_string(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any Arrow column as strings: dates become ISO text, blank strings become null."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.date32())
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = column.cast(pa.string())
    column = column.cast(pa.string())
    stripped = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), column)


def _check_columns(
    table: pa.Table, expected: Sequence[str], problems: _Problems, optional: Sequence[str] = ()
) -> list[str]:
    """Missing columns (with the closest present name); returns the unknown extra columns."""
    present = table.schema.names
    seen: set[str] = set()
    for name in present:
        if name in seen:
            problems.add(f"column {name!r} appears twice in the header")
        seen.add(name)
    unknown = [c for c in present if c not in expected and c not in optional]
    for name in expected:
        if name in present:
            continue
        suggestion = closest_column(name, unknown)
        if suggestion is not None:
            problems.add(f"column {name!r} is missing: found {suggestion!r}, rename it {name!r}")
        else:
            problems.add(f"column {name!r} is missing")
    return unknown


def _empty_rows(column: pa.ChunkedArray) -> list[int]:
    return pc.indices_nonzero(pc.is_null(column)).to_pylist()


def _duplicate_problems(
    values: pa.ChunkedArray, column: str, is_csv: bool, problems: _Problems
) -> None:
    counts = pc.value_counts(pc.drop_null(values))
    dup_values = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(dup_values) == 0:
        return
    mask = pc.is_in(values, value_set=dup_values)
    rows = pc.indices_nonzero(mask).to_pylist()
    by_value: dict[str, list[int]] = {}
    for index in rows:
        by_value.setdefault(values[index].as_py(), []).append(index)
    shown = list(by_value.items())[:_MAX_ROWS_NAMED]
    detail = "; ".join(f"{value!r} at {_rows_text(idx, is_csv)}" for value, idx in shown)
    more = (
        f"; and {len(by_value) - _MAX_ROWS_NAMED} more duplicated values"
        if len(by_value) > _MAX_ROWS_NAMED
        else ""
    )
    problems.add(
        f"column {column!r}: {len(by_value)} value(s) appear more than once, "
        f"each must be unique: {detail}{more}"
    )


def read_records(path: Path | str) -> pa.Table:
    """A canonical identity file, validated, as an Arrow table of the canonical string columns.

    Raises :class:`InputError` listing every problem: missing or misnamed columns (with the
    closest canonical name), empty required fields, duplicate ``record_id``, dates that are not
    ``YYYY-MM-DD``/``YYYY-MM``/``YYYY``, an empty file. Extra columns are dropped (see
    :func:`extra_columns`).
    """
    path = Path(path)
    problems = _Problems(path)
    table = _read_table(path, problems)
    problems.raise_if_any()
    assert table is not None
    _check_columns(table, CANONICAL_COLUMNS, problems)
    problems.raise_if_any()
    if table.num_rows == 0:
        problems.add("the file has a header but no records")
        problems.raise_if_any()
    csv = _is_csv(path)
    normalised = normalise_records(table)
    columns = {name: normalised.column(name) for name in CANONICAL_COLUMNS}
    for name in REQUIRED_COLUMNS:
        empty = _empty_rows(columns[name])
        if empty:
            problems.add(f"column {name!r} is empty at {_rows_text(empty, csv)}")
    _duplicate_problems(columns["record_id"], "record_id", csv, problems)
    for name in DATE_COLUMNS:
        values = columns[name]
        bad = pc.and_kleene(
            pc.is_valid(values), pc.invert(pc.match_substring_regex(values, _DATE_SHAPE))
        )
        bad_rows = pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist()
        if bad_rows:
            problems.add(
                f"column {name!r}: unparseable date at {_rows_text(bad_rows, csv)} "
                "(expected YYYY-MM-DD, YYYY-MM or YYYY, or empty)"
            )
    problems.raise_if_any()
    return normalised


def normalise_records(table: pa.Table) -> pa.Table:
    """A canonical table already in memory (e.g. the synthetic generator's) as
    :func:`read_records` returns it: canonical string columns, blanks as nulls, dates trimmed.
    No validation: use it on tables produced by code, not on users' files."""
    columns = {name: _as_string(table.column(name)) for name in CANONICAL_COLUMNS}
    for name in DATE_COLUMNS:
        columns[name] = pc.utf8_trim_whitespace(columns[name])
    return pa.table(columns)


def extra_columns(path: Path | str) -> list[str]:
    """Columns of a records file that are not canonical (the jobs ignore them and say so)."""
    path = Path(path)
    if _is_csv(path):
        with pacsv.open_csv(path) as reader:
            names = reader.schema.names
    else:
        names = pq.read_schema(path).names
    return [n for n in names if n not in CANONICAL_COLUMNS]


def _read_two_columns(
    path: Path | str, key: str, value: str, *, unique_key: bool = True
) -> pa.Table:
    path = Path(path)
    problems = _Problems(path)
    table = _read_table(path, problems)
    problems.raise_if_any()
    assert table is not None
    _check_columns(table, (key, value), problems)
    problems.raise_if_any()
    if table.num_rows == 0:
        problems.add("the file has a header but no rows")
        problems.raise_if_any()
    csv = _is_csv(path)
    columns = {key: _as_string(table.column(key)), value: _as_string(table.column(value))}
    for name, column in columns.items():
        empty = _empty_rows(column)
        if empty:
            problems.add(f"column {name!r} is empty at {_rows_text(empty, csv)}")
    if unique_key:
        _duplicate_problems(columns[key], key, csv, problems)
    problems.raise_if_any()
    return pa.table(columns)


def read_truth(path: Path | str) -> pa.Table:
    """Ground truth: ``record_id, person_id``, each record once."""
    return _read_two_columns(path, "record_id", "person_id")


def read_clusters(path: Path | str) -> pa.Table:
    """A clustering: ``record_id, cluster_id``, each record once."""
    return _read_two_columns(path, "record_id", "cluster_id")


def read_pairs(path: Path | str) -> pa.Table:
    """Scored pairs: ``record_id_l, record_id_r, match_weight, match_probability``."""
    path = Path(path)
    problems = _Problems(path)
    table = _read_table(path, problems)
    problems.raise_if_any()
    assert table is not None
    _check_columns(table, PAIR_COLUMNS, problems)
    problems.raise_if_any()
    csv = _is_csv(path)
    out: dict[str, pa.ChunkedArray] = {}
    for name in ("record_id_l", "record_id_r"):
        out[name] = _as_string(table.column(name))
        empty = _empty_rows(out[name])
        if empty:
            problems.add(f"column {name!r} is empty at {_rows_text(empty, csv)}")
    for name in ("match_weight", "match_probability"):
        try:
            out[name] = _as_string(table.column(name)).cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            problems.add(f"column {name!r} must hold numbers")
            continue
        empty = _empty_rows(out[name])
        if empty:
            problems.add(f"column {name!r} is empty at {_rows_text(empty, csv)}")
    if "match_probability" in out:
        prob = out["match_probability"]
        outside = pc.or_(pc.less(prob, 0.0), pc.greater(prob, 1.0))
        rows = pc.indices_nonzero(pc.fill_null(outside, False)).to_pylist()
        if rows:
            problems.add(f"column 'match_probability' is outside [0, 1] at {_rows_text(rows, csv)}")
    problems.raise_if_any()
    return pa.table(out)


def read_labels(path: Path | str) -> pa.Table:
    """Clerical labels on pairs: ``record_id_l, record_id_r`` and either ``clerical_match_score``
    (1 = same person, 0 = different, as Splink's labels tables) or ``decision``
    (``same``/``different``/``unsure``, as the review queue exports them; ``unsure`` rows are
    dropped). Returns ``record_id_l, record_id_r, clerical_match_score`` (float).
    """
    path = Path(path)
    problems = _Problems(path)
    table = _read_table(path, problems)
    problems.raise_if_any()
    assert table is not None
    names = table.schema.names
    score_column = next((c for c in ("clerical_match_score", "decision") if c in names), None)
    _check_columns(
        table,
        ("record_id_l", "record_id_r"),
        problems,
        optional=("clerical_match_score", "decision"),
    )
    if score_column is None:
        problems.add(
            "a column 'clerical_match_score' (0 to 1) or 'decision' "
            "(same/different/unsure) is required"
        )
    problems.raise_if_any()
    assert score_column is not None
    csv = _is_csv(path)
    left = _as_string(table.column("record_id_l"))
    right = _as_string(table.column("record_id_r"))
    for name, column in (("record_id_l", left), ("record_id_r", right)):
        empty = _empty_rows(column)
        if empty:
            problems.add(f"column {name!r} is empty at {_rows_text(empty, csv)}")
    raw = _as_string(table.column(score_column))
    if score_column == "decision":
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(raw))
        known = pc.is_in(lowered, value_set=pa.array(["same", "different", "unsure"]))
        bad = pc.indices_nonzero(pc.invert(pc.fill_null(known, False))).to_pylist()
        if bad:
            problems.add(
                f"column 'decision' must be same, different or unsure at {_rows_text(bad, csv)}"
            )
        problems.raise_if_any()
        keep = pc.not_equal(lowered, "unsure")
        score = pc.if_else(pc.equal(lowered, "same"), 1.0, 0.0)
        left, right, score = (pc.filter(c, keep) for c in (left, right, score))
    else:
        try:
            score = raw.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            problems.add("column 'clerical_match_score' must hold numbers between 0 and 1")
            problems.raise_if_any()
        outside = pc.or_(pc.less(score, 0.0), pc.greater(score, 1.0))
        bad = pc.indices_nonzero(pc.fill_null(pc.or_(outside, pc.is_null(score)), True)).to_pylist()
        if bad:
            problems.add(
                f"column 'clerical_match_score' must be between 0 and 1 at {_rows_text(bad, csv)}"
            )
    problems.raise_if_any()
    return pa.table({"record_id_l": left, "record_id_r": right, "clerical_match_score": score})


@contextlib.contextmanager
def atomic_output_dir(target: Path | str, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary directory next to ``target``; rename it to ``target`` on success.

    On any exception the temporary directory is removed and ``target`` is left as it was: a
    failed job never leaves a partial output directory. With ``overwrite`` an existing target
    is replaced only once the new one is complete.
    """
    target = Path(target).resolve()
    if target.exists() and not overwrite and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty (use --overwrite to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_file(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it over ``target`` on success."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)
