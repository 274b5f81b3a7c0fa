"""Build the versioned articles and the penalties they state, from the codes' git history.

Two stages, both deterministic (same inputs, same bytes):

``extract`` (needs the corpus) reads the bare git snapshot of ``etalab/codes-juridiques-
francais`` (one Markdown file per article; each commit is a date of entry into force, its
message names the amending text) and writes ``versions.jsonl``: every version of every article
in scope, with its dates and provenance (repository, path, commit, amending text, blob) and its
text split into alinéas, verbatim. Scope: the legislative parts of the Code pénal and of the
Code de la route in full, the articles the NATINF seed's "Réprimée par" cites
(``datasets/natinf/natinf.csv``), those listed in ``scope.csv``, and, until nothing new
appears, every article their penalty sentences refer to.

``derive`` (no corpus needed: CI runs it) reads ``versions.jsonl``, reads the penalty sentences
of every version (``refdata.law``), resolves the references at the same dates and writes
``penalties.csv``, ``unresolved.csv``, ``notes.csv``, ``coverage.csv`` and the checksums in
``manifest.json``.

Run from the repository root with the project's virtualenv::

    .venv/bin/python datasets/penalties_law/build_penalties_law.py          # both stages
    .venv/bin/python datasets/penalties_law/build_penalties_law.py derive   # stage 2 only
    .venv/bin/python datasets/penalties_law/build_penalties_law.py --check  # write nothing

The corpus is found at ``$SRJ_ETALAB_CODES_GIT`` (default:
``/work/.mirror/etalab+codes-juridiques-francais/repo``, a bare clone).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The script runs from anywhere: the repository root goes on the path before refdata is
# imported, hence the imports below the top of the module (E402).
sys.path.insert(0, str(ROOT))

from refdata.law.dataset import (  # noqa: E402
    COVERAGE_FILE,
    MANIFEST_FILE,
    NOTES_FILE,
    PENALTIES_FILE,
    UNRESOLVED_FILE,
    VERSIONS_FILE,
    derive_files,
    load_versions,
    manifest_bytes,
)
from refdata.law.penalty_sentences import REFERENCE  # noqa: E402
from refdata.law.text import article_key, split_markdown  # noqa: E402
from refdata.natinf.articles import parse_references  # noqa: E402

REPOSITORY = "etalab/codes-juridiques-francais"
DEFAULT_MIRROR = "/work/.mirror/etalab+codes-juridiques-francais/repo"
ROOT_DIR = "codes-en-vigueur"
FULL_CODES = {
    "code-penal": f"{ROOT_DIR}/code-penal/partie-legislative",
    "code-de-la-route": f"{ROOT_DIR}/code-de-la-route/partie-legislative",
}
# A code's articles cannot apply before the code itself came into force. The corpus dates a
# few Code pénal articles from their 1992 laws (LEGI's dates of signature); the new Code pénal
# came into force on 1 March 1994, as the corpus's own commit for loi n° 92-1336 says.
CODE_IN_FORCE_FROM = {
    "code-penal": (
        date(1994, 3, 1),
        "loi n° 92-1336 du 16 décembre 1992, art. 373 (corpus commit "
        "460a55583e2fb7d9bf0d2fab4cd2b2c9436ab1ec: « Loi 92-1336 1992-12-16 art. 345, 346 et "
        "373 JORF 23 décembre 1992 en vigueur le 1er mars 1994 »)",
    ),
}
MONTHS = {
    "janvier": 1,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
}
_TEXT_DATE = re.compile(
    r"\bdu\s+(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE
)


# --- git -----------------------------------------------------------------------------------


def _git(mirror: str, *args: str, data: bytes | None = None) -> bytes:
    result = subprocess.run(
        ["git", "--git-dir", mirror, "-c", "core.quotePath=false", *args],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout


def _all_article_paths(mirror: str) -> list[str]:
    """Every article file the history ever held under codes-en-vigueur/."""
    output = _git(mirror, "log", "--no-renames", "--format=", "--name-only", "HEAD")
    paths = {
        line
        for line in output.decode("utf-8").splitlines()
        if line.startswith(ROOT_DIR + "/") and "/article-" in line and line.endswith(".md")
    }
    return sorted(paths)


def _code_of(path: str) -> str:
    return path.split("/")[1]


def _file_key(path: str) -> str:
    return path.rsplit("/", 1)[1].removeprefix("article-").removesuffix(".md")


@dataclass(frozen=True)
class Event:
    commit: str
    timestamp: int
    message: str
    status: str  # A, M, D
    path: str
    blob: str | None


def _events(mirror: str, pathspecs: list[str]) -> list[Event]:
    events: list[Event] = []
    # One call per batch of pathspecs (argument lists have limits).
    for start in range(0, len(pathspecs), 500):
        batch = pathspecs[start : start + 500]
        output = _git(
            mirror,
            "log",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            "--reverse",
            "--format=C %H %at %s",
            "HEAD",
            "--",
            *batch,
        ).decode("utf-8")
        commit = message = ""
        timestamp = 0
        for line in output.splitlines():
            if line.startswith("C "):
                _, commit, stamp, *rest = line.split(" ", 3)
                timestamp = int(stamp)
                message = rest[0] if rest else ""
            elif line.startswith(":"):
                meta, path = line.split("\t", 1)
                fields = meta.split()
                status = fields[4][0]
                if "/article-" not in path:
                    continue
                events.append(
                    Event(
                        commit=commit,
                        timestamp=timestamp,
                        message=message,
                        status=status,
                        path=path,
                        blob=None if status == "D" else fields[3],
                    )
                )
    # Batches may overlap in commits: keep one event per (commit, path), in history order.
    order: dict[tuple[str, str], Event] = {}
    for event in events:
        order.setdefault((event.commit, event.path), event)
    commit_rank = _commit_rank(mirror)
    return sorted(order.values(), key=lambda e: (commit_rank[e.commit], e.path))


_RANK_CACHE: dict[str, dict[str, int]] = {}


def _commit_rank(mirror: str) -> dict[str, int]:
    if mirror not in _RANK_CACHE:
        output = _git(mirror, "rev-list", "--reverse", "HEAD").decode("ascii").split()
        _RANK_CACHE[mirror] = {sha: rank for rank, sha in enumerate(output)}
    return _RANK_CACHE[mirror]


def _read_blobs(mirror: str, blobs: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(blobs))
    output = _git(mirror, "cat-file", "--batch", data="".join(f"{b}\n" for b in wanted).encode())
    result: dict[str, str] = {}
    position = 0
    for blob in wanted:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        size = int(header[2])
        body = output[header_end + 1 : header_end + 1 + size]
        result[blob] = body.decode("utf-8")
        position = header_end + 1 + size + 1
    return result


# --- versions ------------------------------------------------------------------------------


def _date_of(timestamp: int) -> date | None:
    """The version date; None for the corpus's undated versions (squeezed into January 1970
    with a time of day, the repository's way of placing pre-1970 texts)."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    if moment.hour or moment.minute or moment.second:
        return None
    return moment.date()


def _versions_of(code: str, key: str, events: list[Event], blobs: dict[str, str]) -> list[dict]:
    """The successive versions of one article from its file events (possibly across paths)."""
    present: dict[str, str] = {}  # path -> blob
    written: dict[str, int] = {}  # path -> rank of its last write
    states: list[tuple[Event, str | None, str | None]] = []  # (event, blob, path) per commit
    by_commit: dict[str, list[Event]] = defaultdict(list)
    commits: list[str] = []
    for event in events:
        if event.commit not in by_commit:
            commits.append(event.commit)
        by_commit[event.commit].append(event)
    for rank, commit in enumerate(commits):
        for event in by_commit[commit]:
            if event.status == "D":
                present.pop(event.path, None)
            else:
                assert event.blob is not None
                present[event.path] = event.blob
                written[event.path] = rank
        # When an article number is reused in another section, the new file can be added a
        # commit before the old one is deleted (same day): the latest written file is the text.
        path = max(present, key=lambda p: (written[p], p)) if present else None
        states.append((by_commit[commit][0], present[path] if path else None, path))

    versions: list[dict] = []
    undated = 0
    for event, blob, path in states:
        day = _date_of(event.timestamp)
        if day is None:
            undated += 1
            continue
        if versions and versions[-1]["blob"] == blob:
            continue  # a move between sections, not a new text
        if versions and versions[-1]["valid_from"] == day.isoformat():
            versions.pop()  # two states the same day: the later one is the day's text
            if versions and versions[-1]["blob"] == blob:
                versions[-1].update(valid_to=None, ended_by_commit=None, ended_by=None)
                continue
        if versions:
            versions[-1]["valid_to"] = day.isoformat()
            versions[-1]["ended_by_commit"] = event.commit
            versions[-1]["ended_by"] = event.message
        if blob is None:
            versions.append({"blob": None, "valid_from": day.isoformat()})
            continue
        heading, paragraphs = split_markdown(blobs[blob])
        versions.append(
            {
                "blob": blob,
                "valid_from": day.isoformat(),
                "valid_to": None,
                "path": path,
                "commit": event.commit,
                "amended_by": event.message,
                "ended_by_commit": None,
                "ended_by": None,
                "heading": heading,
                "paragraphs": paragraphs,
            }
        )
    kept = [v for v in versions if v["blob"] is not None]
    floor = CODE_IN_FORCE_FROM.get(code)
    result = []
    for v in kept:
        record = {
            "code": code,
            "article": _article_number(v["heading"], key),
            "file_key": key,
            "valid_from": v["valid_from"],
            "valid_to": v["valid_to"],
            "recorded_from": v["valid_from"],
            "repository": REPOSITORY,
            "path": v["path"],
            "commit": v["commit"],
            "amended_by": v["amended_by"],
            "ended_by_commit": v["ended_by_commit"],
            "ended_by": v["ended_by"],
            "blob": v["blob"],
            "undated_states_skipped": undated,
            "alineas": v["paragraphs"],
        }
        if floor is not None:
            if record["valid_to"] is not None and record["valid_to"] <= floor[0].isoformat():
                continue
            if record["valid_from"] < floor[0].isoformat():
                record["valid_from"] = floor[0].isoformat()
                record["in_force_from_basis"] = floor[1]
        result.append(record)
    for number, record in enumerate(result, start=1):
        record["version"] = number
    return result


def _article_number(heading: str, key: str) -> str:
    match = re.match(r"^Article\s+(.+)$", heading.strip())
    if not match:
        raise SystemExit(f"article file {key}: unexpected heading {heading!r}")
    number = match.group(1).replace("*", "").strip()
    if article_key(number) != key:
        raise SystemExit(f"article file {key}: heading says {number!r}")
    return number


# --- scope ---------------------------------------------------------------------------------


def _seed_references() -> list[tuple[str, str, str]]:
    """(code, article, why) for every article the NATINF seed's "Réprimée par" cites."""
    natinf = (ROOT / "datasets" / "natinf" / "natinf.csv").read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(natinf), delimiter=";"))
    result = []
    for row in rows[1:]:
        for ref in parse_references(row[4]):
            if ref["text"]:
                result.append((ref["text"], ref["article"], f"NATINF {row[0]} Réprimée par"))
    return result


def _listed_scope() -> list[tuple[str, str, str]]:
    with (HERE / "scope.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["code"], r["article"], r["why"]) for r in csv.DictReader(handle)]


def extract(mirror: str) -> tuple[list[dict], dict]:
    head = _git(mirror, "rev-parse", "HEAD").decode().strip()
    head_date = _git(mirror, "log", "-1", "--format=%ad", "--date=short", "HEAD").decode().strip()
    all_paths = _all_article_paths(mirror)
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in all_paths:
        by_key[(_code_of(path), _file_key(path))].append(path)

    wanted: dict[tuple[str, str], str] = {}
    for code, prefix in FULL_CODES.items():
        for path in all_paths:
            if path.startswith(prefix + "/"):
                wanted.setdefault((code, _file_key(path)), f"{code}, partie législative")
    missing: list[tuple[str, str, str]] = []
    pending = _seed_references() + _listed_scope()
    records: list[dict] = []
    extracted: set[tuple[str, str]] = set()
    while True:
        for code, article, why in pending:
            key = (code, article_key(article))
            if key in by_key:
                wanted.setdefault(key, why)
            else:
                missing.append((code, article, why))
        todo = sorted(k for k in wanted if k not in extracted)
        if not todo:
            break
        paths = sorted({p for k in todo for p in by_key[k]})
        events = _events(mirror, paths)
        grouped: dict[tuple[str, str], list[Event]] = defaultdict(list)
        for event in events:
            grouped[(_code_of(event.path), _file_key(event.path))].append(event)
        blobs = _read_blobs(mirror, (e.blob for e in events if e.blob))
        new_records = []
        for key in todo:
            for record in _versions_of(key[0], key[1], grouped[key], blobs):
                record["scope"] = wanted[key]
                new_records.append(record)
            extracted.add(key)
        records.extend(new_records)
        # Follow the references of what was just read, until nothing new appears.
        pending = []
        versions = load_versions(new_records)
        for article_versions in versions.values():
            for version in article_versions:
                for statement in version.reading.statements:
                    target = statement.target
                    if statement.form != REFERENCE or target is None or target.article is None:
                        continue
                    code = target.code or version.code
                    pending.append((code, target.article, f"referred to by {version.label()}"))
    messages = _git(mirror, "log", "--format=%s", "HEAD").decode("utf-8").splitlines()
    known_until, named_in = _latest_text_date(messages)
    records.sort(key=_record_order)
    meta = {
        "repository": REPOSITORY,
        "commit": head,
        "commit_date": head_date,
        "corpus_known_until": known_until.isoformat(),
        "corpus_known_until_basis": (
            "the latest signature date of the amending texts named in the corpus history "
            f"(« {named_in} »): texts published after it are not in the corpus"
        ),
        "full_codes": {code: prefix for code, prefix in FULL_CODES.items()},
        "code_in_force_from": {
            code: {"date": d.isoformat(), "basis": basis}
            for code, (d, basis) in CODE_IN_FORCE_FROM.items()
        },
        "not_in_corpus": [{"code": c, "article": a, "why": w} for c, a, w in sorted(set(missing))],
    }
    return records, meta


def _latest_text_date(messages: list[str]) -> tuple[date, str]:
    best: tuple[date, str] | None = None
    for message in messages:
        for day, month, year in _TEXT_DATE.findall(message):
            try:
                found = date(int(year), MONTHS[month.lower()], int(day))
            except ValueError:
                continue
            if best is None or found > best[0]:
                best = (found, message)
    assert best is not None
    return best


def _record_order(record: dict) -> tuple[object, ...]:
    from refdata.law.resolution import article_sort_key

    return (record["code"], article_sort_key(record["article"]), record["version"])


def render_versions(records: list[dict], meta: dict) -> bytes:
    lines = [json.dumps({"corpus": meta}, ensure_ascii=False, sort_keys=True)]
    lines.extend(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- main ----------------------------------------------------------------------------------


def _write_or_check(files: dict[str, bytes], check: bool) -> int:
    differing = []
    for name, payload in files.items():
        target = HERE / name
        if check:
            if not target.exists() or target.read_bytes() != payload:
                differing.append(name)
        else:
            target.write_bytes(payload)
    if check:
        for name in differing:
            print(f"differs: {name}")
        print("identical" if not differing else f"{len(differing)} file(s) differ")
        return 1 if differing else 0
    for name, payload in files.items():
        print(f"{name}: {len(payload)} bytes, sha256 {hashlib.sha256(payload).hexdigest()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", nargs="?", choices=("all", "extract", "derive"), default="all")
    parser.add_argument(
        "--check", action="store_true", help="compare with the files, write nothing"
    )
    args = parser.parse_args(argv)
    files: dict[str, bytes] = {}
    if args.stage in ("all", "extract"):
        mirror = os.environ.get("SRJ_ETALAB_CODES_GIT", DEFAULT_MIRROR)
        records, meta = extract(mirror)
        files[VERSIONS_FILE] = render_versions(records, meta)
    if args.stage in ("all", "derive"):
        versions_bytes = files.get(VERSIONS_FILE) or (HERE / VERSIONS_FILE).read_bytes()
        derived = derive_files(versions_bytes)
        files.update(derived)
        files[MANIFEST_FILE] = manifest_bytes(
            versions_bytes, {name: derived[name] for name in derived}
        )
    names = (VERSIONS_FILE, PENALTIES_FILE, UNRESOLVED_FILE, NOTES_FILE, COVERAGE_FILE)
    assert all(n in files for n in names if n != VERSIONS_FILE or args.stage != "derive")
    return _write_or_check(files, args.check)


if __name__ == "__main__":
    raise SystemExit(main())
