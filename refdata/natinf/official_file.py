"""Read and validate the official NATINF file (``Liste des infractions en vigueur``).

Contract (docs/refdata.md, "The importer contract"):

- ``;``-separated, one offence per physical line, LF or CRLF;
- header exactly ``Numéro NATINF;Nature de l'infraction;Qualification de l'infraction;Définie
  par;Réprimée par``; title lines above it (some editions put the ministry's name there) are
  skipped;
- encoding detected: UTF-8 (with or without BOM), else Latin-1 read as Windows-1252 (its
  superset: Windows exports put ``œ``, ``’`` or ``€`` in 0x80-0x9F, where ISO-8859-1 has only
  control characters) or, when only that decoding yields the exact header, DOS code page 850
  (seen in a 2026 edition). UTF-16 and binary files are refused;
- every row is validated and *every* problem reported with its line number; the caller imports
  nothing unless the list is empty.

This module is pure (bytes in, rows or problems out) so that the CLI, the HTTP import and the
tests share exactly the same rules.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from refdata.errors import Problem
from refdata.natinf.natures import Nature, UnknownNatureError, parse_nature, vocabulary_text

HEADER = (
    "Numéro NATINF",
    "Nature de l'infraction",
    "Qualification de l'infraction",
    "Définie par",
    "Réprimée par",
)
HEADER_LINE = ";".join(HEADER)

# The ministry announces 210 characters; real extracts reach 218. Longer values are refused:
# in practice they reveal a merged column or a separator problem, not a real qualification.
MAX_QUALIFICATION = 255
MAX_ARTICLES = 4000
MAX_NATINF_DIGITS = 6
# Title lines tolerated above the header.
MAX_PREAMBLE_LINES = 10
# Problems listed before the report stops (the count of the rest is still given).
MAX_PROBLEMS = 1000

_NATINF = re.compile(rf"^\d{{1,{MAX_NATINF_DIGITS}}}$")
# C0 controls except TAB, DEL and C1 controls: never part of a legitimate text file.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class NatinfRow:
    line: int
    natinf: int
    nature: Nature | None
    qualification: str
    defined_by: str
    repressed_by: str


@dataclass
class NatinfFile:
    encoding: str
    rows: list[NatinfRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    preamble_lines: int = 0
    skipped_blank_lines: int = 0


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# What spreadsheets, PDFs and archives start with, when uploaded instead of the CSV export.
_BINARY_SIGNATURES = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\x1f\x8b")


def _looks_binary(data: bytes) -> bool:
    """A spreadsheet (.xlsx, .ods, .xls), a PDF, an archive, or UTF-16 without its byte-order
    mark: a known signature, or NUL bytes throughout (a stray NUL in a field of a text file is
    reported on its row instead)."""
    if data.startswith(_BINARY_SIGNATURES):
        return True
    sample = data[:65536]
    return sample.count(b"\x00") * 100 > len(sample)


def decode(data: bytes) -> tuple[str | None, str, list[Problem]]:
    """(text, encoding, problems): text is None when the bytes cannot be read as text."""
    if not data.strip():
        return None, "unknown", [Problem(1, "the file is empty")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            None,
            "utf-16",
            [
                Problem(
                    1,
                    "the file is encoded in UTF-16; save it as UTF-8 or Latin-1 "
                    "(the official encoding)",
                )
            ],
        )
    if _looks_binary(data):
        nul = max(data.find(b"\x00"), 0)
        return (
            None,
            "binary",
            [
                Problem(
                    data[:nul].count(b"\n") + 1,
                    "the file is binary (a spreadsheet, a PDF, an archive...) or UTF-16, not "
                    "the official CSV text; export it as CSV in Latin-1 or UTF-8",
                )
            ],
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8", []
        except UnicodeDecodeError as exc:
            line = data[: exc.start + 3].count(b"\n") + 1
            return (
                None,
                "utf-8",
                [Problem(line, "the file starts with a UTF-8 byte-order mark but is not UTF-8")],
            )
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    # Not UTF-8 throughout. If its header is UTF-8 (the accents of "Numéro", "Définie"...), the
    # file was assembled from two encodings: refuse it rather than import half of it garbled.
    # (Deciding on the header, not on individual lines: a Latin-1 line can by chance also be
    # valid UTF-8.)
    if HEADER_LINE.encode("utf-8") in data[:4096]:
        lines = data.split(b"\n")
        header_line = next(
            i for i, raw in enumerate(lines, start=1) if HEADER_LINE.encode("utf-8") in raw
        )
        for number, raw in enumerate(lines, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return (
                    None,
                    "mixed",
                    [
                        Problem(
                            number,
                            f"mixed encodings: the header (line {header_line}) is UTF-8 but "
                            f"line {number} is not; save the whole file in one encoding",
                        )
                    ],
                )
    candidates = []
    for codec, name in (("cp1252", "latin-1"), ("cp850", "cp850")):
        try:
            candidates.append((data.decode(codec), name))
        except UnicodeDecodeError:
            continue
    for text, name in candidates:
        if HEADER_LINE in text[:4096]:
            return text, name, []
    if candidates:
        # Neither decoding gives the header: report the header problem on the Latin-1 reading.
        return candidates[0][0], candidates[0][1], []
    return (
        None,
        "unknown",
        [Problem(1, "the file is neither UTF-8 nor Latin-1 text")],
    )


class MalformedLineError(ValueError):
    """A physical line that cannot be read as ``;``-separated fields (the message says why)."""


def split_fields(line: str) -> list[str]:
    """The fields of one physical line (without its line ending).

    Raises :class:`MalformedLineError` for what the csv module cannot read: a carriage return
    left inside the line (a line break typed in a spreadsheet cell, or classic Mac OS line
    endings).
    """
    if "\r" in line:
        raise MalformedLineError(
            "carriage return (CR) inside the line: a field holds a line break, or the file "
            "ends its lines with CR alone; one offence per line, lines ending in CRLF or LF"
        )
    try:
        return next(csv.reader([line], delimiter=";", quotechar='"', strict=False), [])
    except csv.Error as exc:
        raise MalformedLineError(f"unreadable line ({exc})") from None


def _split_fields(line: str) -> list[str]:
    """Fields for header detection: an unreadable line is simply not the header."""
    try:
        return split_fields(line)
    except MalformedLineError:
        return []


def _header_problem(line_no: int, line: str) -> Problem:
    if "\r" in line:
        return Problem(
            line_no,
            "the lines end with a carriage return (CR) alone, or the header holds one; "
            "save the file with CRLF or LF line endings",
        )
    bad = CONTROL_CHARACTERS.search(line)
    if bad:
        return Problem(
            line_no,
            f"control character U+{ord(bad.group()):04X} where the header should be: the file "
            "is not CSV text (a binary file?); export it as CSV in Latin-1 or UTF-8",
        )
    if ";" not in line:
        for sep, name in ((",", "','"), ("\t", "a tab"), ("|", "'|'")):
            if sep in line:
                return Problem(
                    line_no,
                    f"the file is separated by {name}, not by ';' as the official layout is",
                )
    fields = [f.strip() for f in _split_fields(line)]
    if len(fields) < len(HEADER):
        missing = [h for h in HEADER if h not in fields]
        return Problem(
            line_no,
            f"header has {len(fields)} columns, expected {len(HEADER)}; missing: "
            + ", ".join(f"'{m}'" for m in missing),
        )
    for index, (found, expected) in enumerate(zip(fields, HEADER, strict=False), start=1):
        if found != expected:
            return Problem(
                line_no,
                f"header column {index} is '{_clip(found)}', expected '{expected}' "
                f"(expected header: {HEADER_LINE})",
            )
    return Problem(
        line_no,
        f"header has {len(fields)} columns, expected {len(HEADER)} ({HEADER_LINE})",
    )


def _is_header(line: str) -> bool:
    fields = [f.strip() for f in _split_fields(line)]
    while len(fields) > len(HEADER) and not fields[-1]:
        fields.pop()
    return tuple(fields) == HEADER


def _check_text(line_no: int, column: str, value: str, problems: list[Problem]) -> None:
    bad = CONTROL_CHARACTERS.search(value)
    if bad:
        problems.append(
            Problem(
                line_no,
                f"control character U+{ord(bad.group()):04X}: the file is not text in the "
                "detected encoding",
                column,
            )
        )
        return
    try:
        value.encode("cp1252")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        problems.append(
            Problem(
                line_no,
                f"character U+{ord(char):04X} ('{char}') cannot be written in the official "
                "Latin-1 file",
                column,
            )
        )


def parse(data: bytes) -> NatinfFile:
    """Decode and validate the whole file; ``problems`` lists everything that is wrong."""
    text, encoding, problems = decode(data)
    result = NatinfFile(encoding=encoding, problems=problems)
    if text is None:
        return result
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]

    header_index = None
    for index, line in enumerate(lines[: MAX_PREAMBLE_LINES + 1]):
        if _is_header(line):
            header_index = index
            break
    if header_index is None:
        first = next((i for i, line in enumerate(lines) if line.strip()), 0)
        result.problems.append(_header_problem(first + 1, lines[first] if lines else ""))
        return result
    result.preamble_lines = header_index

    seen: dict[int, int] = {}
    overflow = 0
    rows: list[NatinfRow] = []
    for index in range(header_index + 1, len(lines)):
        line_no = index + 1
        line = lines[index]
        if not line.strip() or not line.replace(";", "").strip():
            result.skipped_blank_lines += 1
            continue
        row_problems: list[Problem] = []
        try:
            fields = split_fields(line)
        except MalformedLineError as exc:
            fields = []
            row_problems.append(Problem(line_no, str(exc)))
        while len(fields) > len(HEADER) and not fields[-1].strip():
            fields.pop()  # trailing empty columns: a spreadsheet artefact, nothing is lost
        if row_problems:
            pass
        elif len(fields) != len(HEADER):
            hint = (
                "; a ';' inside a field must be enclosed in double quotes"
                if len(fields) > len(HEADER)
                else ""
            )
            row_problems.append(
                Problem(
                    line_no,
                    f"{len(fields)} fields, expected {len(HEADER)} ({HEADER_LINE}){hint}",
                )
            )
        else:
            raw_code, raw_nature, qualification, defined_by, repressed_by = (
                f.strip() for f in fields
            )
            for column, value in zip(HEADER, fields, strict=True):
                _check_text(line_no, column, value, row_problems)
            natinf = None
            if not _NATINF.match(raw_code) or int(raw_code) == 0:
                row_problems.append(
                    Problem(
                        line_no,
                        f"'{_clip(raw_code)}' is not a NATINF number "
                        f"(1 to {MAX_NATINF_DIGITS} digits, not zero)",
                        HEADER[0],
                    )
                )
            else:
                natinf = int(raw_code)
                if natinf in seen:
                    row_problems.append(
                        Problem(
                            line_no,
                            f"duplicate code: NATINF {natinf} is already on line {seen[natinf]}",
                            HEADER[0],
                        )
                    )
                else:
                    seen[natinf] = line_no
            nature: Nature | None = None
            try:
                nature = parse_nature(raw_nature)
            except UnknownNatureError:
                row_problems.append(
                    Problem(
                        line_no,
                        f"unknown nature '{_clip(raw_nature)}'; expected one of: "
                        f"{vocabulary_text()} (or empty when not stated)",
                        HEADER[1],
                    )
                )
            if not qualification:
                row_problems.append(Problem(line_no, "the qualification is empty", HEADER[2]))
            elif len(qualification) > MAX_QUALIFICATION:
                row_problems.append(
                    Problem(
                        line_no,
                        f"qualification of {len(qualification)} characters, at most "
                        f"{MAX_QUALIFICATION} allowed",
                        HEADER[2],
                    )
                )
            for column, value in ((HEADER[3], defined_by), (HEADER[4], repressed_by)):
                if len(value) > MAX_ARTICLES:
                    row_problems.append(
                        Problem(
                            line_no,
                            f"{len(value)} characters, at most {MAX_ARTICLES} allowed",
                            column,
                        )
                    )
            if not row_problems and natinf is not None:
                rows.append(
                    NatinfRow(line_no, natinf, nature, qualification, defined_by, repressed_by)
                )
        for problem in row_problems:
            if len(result.problems) < MAX_PROBLEMS:
                result.problems.append(problem)
            else:
                overflow += 1
    if overflow:
        result.problems.append(
            Problem(None, f"{overflow} more problems not listed (fix the ones above first)")
        )
    if not result.problems and not rows:
        result.problems.append(
            Problem(
                header_index + 1,
                "the file has a header but no offence: refusing to retire every code",
            )
        )
    result.rows = rows if not result.problems else []
    return result


def render_csv(rows: list[tuple[int, str | None, str, str, str]]) -> str:
    """The official layout (CRLF, ``;``, minimal quoting) for (natinf, nature, qualification,
    defined_by, repressed_by) rows; re-reading it with :func:`parse` gives the rows back."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n")
    writer.writerow(HEADER)
    for natinf, nature, qualification, defined_by, repressed_by in rows:
        writer.writerow([str(natinf), nature or "", qualification, defined_by, repressed_by])
    return buffer.getvalue()
