"""The committed law dataset (``datasets/penalties_law/``): its files, read and derived.

``versions.jsonl`` holds the article versions with their text and provenance (written by the
extraction from the corpus); everything else is derived from it by :func:`derive_files`, which
is deterministic, so CI can prove the committed derived files are exactly what the parser and
the resolution produce today (``tests/refdata/law/test_dataset.py``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from refdata.law.penalty_sentences import Penalty
from refdata.law.resolution import (
    ArticleVersion,
    Resolved,
    Resolver,
    article_sort_key,
)
from refdata.law.text import alineas, normalise

DATASET_DIR = Path(__file__).resolve().parents[2] / "datasets" / "penalties_law"
VERSIONS_FILE = "versions.jsonl"
PENALTIES_FILE = "penalties.csv"
UNRESOLVED_FILE = "unresolved.csv"
NOTES_FILE = "notes.csv"
COVERAGE_FILE = "coverage.csv"
MANIFEST_FILE = "manifest.json"

PENALTY_COLUMNS = (
    "code",
    "article",
    "version",
    "valid_from",
    "valid_to",
    "statement",
    "alinea",
    "division",
    "form",
    "kind",
    "max_months",
    "life",
    "amount",
    "currency",
    "contravention_class",
    "alternative",
    "fine_may_exceed",
    "legal_persons",
    "quoted",
    "source_code",
    "source_article",
    "source_version",
    "source_alinea",
    "via",
    "sentence",
    "source_sentence",
    "repository",
    "path",
    "commit",
    "source_path",
    "source_commit",
)
UNRESOLVED_COLUMNS = (
    "code",
    "article",
    "version",
    "valid_from",
    "valid_to",
    "alinea",
    "reason",
    "sentence",
    "repository",
    "path",
    "commit",
)
NOTE_COLUMNS = ("code", "article", "version", "alinea", "note", "sentence")
COVERAGE_COLUMNS = ("group", "code", "article", "version", "valid_from", "status", "why")

# The coverage target of issue 12: the Code pénal's legislative livres II to IV and the Code
# de la route's legislative (L.) articles, in their version in force at the end of the corpus.
COVERAGE_GROUPS = (
    (
        "code-penal livres II-IV",
        "code-penal",
        re.compile(r"/partie-legislative/livre-(ii|iii|iv)/"),
    ),
    ("code-de-la-route L.", "code-de-la-route", re.compile(r"/partie-legislative/")),
)
_PENALTY_WORD = re.compile(r"puni|peine", re.IGNORECASE)
_QUOTED = re.compile(r"^\s*(?:[\"«“]|Art\.\s|L\.\s*\d)")


def _flag(value: bool) -> str:
    return "oui" if value else "non"


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:f}"


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def parse_versions(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = data.decode("utf-8").splitlines()
    meta = json.loads(lines[0])["corpus"]
    return meta, [json.loads(line) for line in lines[1:] if line]


def load_versions(
    records: Iterable[dict[str, Any]],
) -> dict[tuple[str, str], list[ArticleVersion]]:
    versions: dict[tuple[str, str], list[ArticleVersion]] = defaultdict(list)
    for record in records:
        version = ArticleVersion(
            code=record["code"],
            article=record["article"],
            version=record["version"],
            valid_from=date.fromisoformat(record["valid_from"]),
            valid_to=date.fromisoformat(record["valid_to"]) if record["valid_to"] else None,
            alineas=alineas(record["alineas"]),
            provenance={
                "repository": record["repository"],
                "path": record["path"],
                "commit": record["commit"],
                "amended_by": record["amended_by"],
            },
        )
        versions[version.key].append(version)
    for article_versions in versions.values():
        article_versions.sort(key=lambda v: v.version)
    return dict(versions)


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _division(version: ArticleVersion, number: int) -> str:
    for alinea in version.alineas:
        if alinea.number == number:
            return alinea.division or ""
    return ""


def _quoted(version: ArticleVersion, number: int) -> bool:
    return any(a.number == number and _QUOTED.match(normalise(a.text)) for a in version.alineas)


def _penalty_rows(item: Resolved) -> list[dict[str, Any]]:
    statement, version = item.statement, item.version
    number = 1 + next(i for i, s in enumerate(version.reading.statements) if s is statement)
    rows = []
    for penalty in item.penalties:
        rows.append(
            {
                "code": version.code,
                "article": version.article,
                "version": version.version,
                "valid_from": _iso(item.interval[0]),
                "valid_to": _iso(item.interval[1]),
                "statement": number,
                "alinea": statement.alinea,
                "division": _division(version, statement.alinea),
                "form": statement.form,
                **_penalty_fields(penalty),
                "alternative": _flag(item.source.alternative),
                "fine_may_exceed": _flag(item.source.fine_may_exceed and penalty.kind == "amende"),
                "legal_persons": _flag(statement.legal_persons or item.source.legal_persons),
                "quoted": _flag(_quoted(version, statement.alinea)),
                "source_code": item.source_version.code,
                "source_article": item.source_version.article,
                "source_version": item.source_version.version,
                "source_alinea": item.source.alinea,
                "via": " > ".join(item.via),
                "sentence": statement.sentence,
                "source_sentence": item.source.sentence,
                "repository": version.provenance["repository"],
                "path": version.provenance["path"],
                "commit": version.provenance["commit"],
                "source_path": item.source_version.provenance["path"],
                "source_commit": item.source_version.provenance["commit"],
            }
        )
    return rows


def _penalty_fields(penalty: Penalty) -> dict[str, Any]:
    return {
        "kind": penalty.kind,
        "max_months": penalty.months or "",
        "life": _flag(penalty.life),
        "amount": _amount(penalty.amount),
        "currency": penalty.currency or "",
        "contravention_class": penalty.contravention_class or "",
    }


def _unresolved_row(
    version: ArticleVersion,
    interval: tuple[date, date | None],
    alinea: int,
    reason: str,
    sentence: str,
) -> dict[str, Any]:
    return {
        "code": version.code,
        "article": version.article,
        "version": version.version,
        "valid_from": _iso(interval[0]),
        "valid_to": _iso(interval[1]),
        "alinea": alinea,
        "reason": reason,
        "sentence": sentence,
        "repository": version.provenance["repository"],
        "path": version.provenance["path"],
        "commit": version.provenance["commit"],
    }


def _why_none(version: ArticleVersion) -> str:
    """Why an article with the words "puni"/"peine" states no principal penalty of its own."""
    reasons = sorted({m.why for m in version.reading.mentions})
    text = normalise(" ".join(a.text for a in version.alineas)).lower()
    if version.reading.legal_persons_fine or "personnes morales" in text:
        reasons.append("legal persons' penalties (art. 131-38, 131-39)")
    if re.search(
        r"peines?\s+complémentaires?|encour\w*\s+également|peuvent\s+être\s+prononcées", text
    ):
        reasons.append("complementary penalties")
    if re.search(r"ramenée|réduite\s+de\s+moitié|exempt", text):
        reasons.append("exemption or reduction of penalty (repentis)")
    if "période de sûreté" in text:
        reasons.append("safety period (période de sûreté)")
    if re.search(r"peut\s+être\s+élevée|peuvent\s+être\s+élevées", text):
        reasons.append("fines may be raised (proportional ceiling)")
    if not reasons:
        reasons.append("no principal penalty stated ('peine'/'puni' used otherwise)")
    return "; ".join(reasons)


def derive_files(versions_bytes: bytes) -> dict[str, bytes]:
    """penalties.csv, unresolved.csv, notes.csv and coverage.csv from versions.jsonl."""
    meta, records = parse_versions(versions_bytes)
    versions = load_versions(records)
    resolver = Resolver(versions, complete_codes=frozenset(meta["full_codes"]))
    penalty_rows: list[dict[str, Any]] = []
    unresolved_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    outcome: dict[tuple[str, str, int], tuple[int, int]] = {}
    for key in sorted(versions, key=lambda k: (k[0], article_sort_key(k[1]))):
        for version in versions[key]:
            resolved, unresolved = resolver.resolve_version(version)
            for item in sorted(
                resolved, key=lambda r: (r.statement.alinea, r.statement.offset, r.interval[0])
            ):
                penalty_rows.extend(_penalty_rows(item))
            interval = (version.valid_from, version.valid_to)
            problems = [
                _unresolved_row(version, interval, u.alinea, u.reason, u.sentence)
                for u in version.reading.unread
            ] + [
                _unresolved_row(
                    version, u.interval, u.statement.alinea, u.reason, u.statement.sentence
                )
                for u in unresolved
            ]
            problems.sort(key=lambda r: (r["alinea"], r["valid_from"], r["reason"]))
            unresolved_rows.extend(problems)
            notes = (
                [
                    {
                        "code": version.code,
                        "article": version.article,
                        "version": version.version,
                        "alinea": m.alinea,
                        "note": m.why,
                        "sentence": m.sentence,
                    }
                    for m in version.reading.mentions
                ]
                + [
                    {
                        "code": version.code,
                        "article": version.article,
                        "version": version.version,
                        "alinea": number,
                        "note": "legal persons' fine: art. 131-38 (quintuple)",
                        "sentence": sentence,
                    }
                    for number, sentence in version.reading.legal_persons_fine
                ]
                + [
                    {
                        "code": version.code,
                        "article": version.article,
                        "version": version.version,
                        "alinea": number,
                        "note": "fine may exceed its stated amount",
                        "sentence": sentence,
                    }
                    for number, sentence in version.reading.fine_may_exceed
                ]
            )
            notes.sort(key=lambda r: (r["alinea"], r["note"], r["sentence"]))
            note_rows.extend(notes)
            outcome[(version.code, version.article, version.version)] = (
                len(resolved),
                len(problems),
            )
    coverage_rows = _coverage(versions, outcome)
    return {
        PENALTIES_FILE: _csv(PENALTY_COLUMNS, penalty_rows),
        UNRESOLVED_FILE: _csv(UNRESOLVED_COLUMNS, unresolved_rows),
        NOTES_FILE: _csv(NOTE_COLUMNS, note_rows),
        COVERAGE_FILE: _csv(COVERAGE_COLUMNS, coverage_rows),
    }


def _coverage(
    versions: dict[tuple[str, str], list[ArticleVersion]],
    outcome: dict[tuple[str, str, int], tuple[int, int]],
) -> list[dict[str, Any]]:
    rows = []
    for group, code, path_pattern in COVERAGE_GROUPS:
        for key in sorted(
            (k for k in versions if k[0] == code), key=lambda k: article_sort_key(k[1])
        ):
            latest = versions[key][-1]
            if latest.valid_to is not None or not path_pattern.search(latest.provenance["path"]):
                continue  # abrogated before the end of the corpus, or outside the group
            if not any(_PENALTY_WORD.search(a.text) for a in latest.alineas):
                continue
            resolved, problems = outcome[(latest.code, latest.article, latest.version)]
            if resolved and not problems:
                status, why = "parsed", ""
            elif resolved:
                status, why = "partly", "some penalty sentences not read (see unresolved.csv)"
            elif problems:
                status, why = "unread", "see unresolved.csv"
            else:
                status, why = "no_principal_penalty", _why_none(latest)
            rows.append(
                {
                    "group": group,
                    "code": latest.code,
                    "article": latest.article,
                    "version": latest.version,
                    "valid_from": latest.valid_from.isoformat(),
                    "status": status,
                    "why": why,
                }
            )
    return rows


def coverage_summary(coverage_csv: bytes) -> dict[str, Any]:
    rows = list(csv.DictReader(io.StringIO(coverage_csv.decode("utf-8")), delimiter=";"))
    summary: dict[str, Any] = {}
    for group, _, _ in COVERAGE_GROUPS:
        counts = Counter(r["status"] for r in rows if r["group"] == group)
        with_penalties = counts["parsed"] + counts["partly"] + counts["unread"]
        summary[group] = {
            "articles_with_puni_or_peine": sum(counts.values()),
            **{
                status: counts[status]
                for status in ("parsed", "partly", "unread", "no_principal_penalty")
            },
            "parsed_share": (
                round(counts["parsed"] / with_penalties, 4) if with_penalties else None
            ),
        }
    return summary


def manifest_bytes(versions_bytes: bytes, derived: dict[str, bytes]) -> bytes:
    meta, records = parse_versions(versions_bytes)
    files = {VERSIONS_FILE: versions_bytes, **derived}
    manifest = {
        "corpus": meta,
        "files": {
            name: {
                "sha256": hashlib.sha256(payload).hexdigest(),
                "bytes": len(payload),
                "lines": payload.count(b"\n"),
            }
            for name, payload in sorted(files.items())
        },
        "article_versions": len(records),
        "articles": len({(r["code"], r["article"]) for r in records}),
        "coverage": coverage_summary(derived[COVERAGE_FILE]),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
