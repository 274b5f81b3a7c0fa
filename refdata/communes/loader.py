"""Load a COG millésime (``datasets/cog/communes.csv``) into the versioned commune tables.

The file is validated in full before anything is written (all problems, with line numbers).
Loading the same file again changes nothing. Loading a newer millésime closes the versions
that disappeared or changed (``valid_to`` = the new millésime) and opens the new ones, so the
history of codes accumulates; population and postal codes, which are statistics rather than
identity, are refreshed in place. A load that changes what the millésime publishes creates a
``communes`` release in the same transaction (``refdata.releases.curated``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from refdata.communes import repository
from refdata.communes.index import fingerprint, record_load
from refdata.communes.models import COMMUNE_TYPES, CogMillesime, Commune, CommuneSuccession
from refdata.communes.release import COLUMNS, COMMUNES
from refdata.communes.service import CODE_RE
from refdata.curated_csv import CsvRow, parse_rows, raise_if_problems
from refdata.dates import today
from refdata.errors import ImportRejectedError, Problem
from refdata.releases.curated import SourceFiles, publish
from refdata.releases.repository import latest_release
from refdata.releases.service import ImportSummary, begin_dataset_write
from refdata.releases.storage import BulkStore

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_COG_FILE = REPO_ROOT / "datasets" / "cog" / "communes.csv"
DEFAULT_MILLESIME = date(2026, 1, 1)

# Attributes that define a version: a change opens a new one.
_IDENTITY = ("nom", "departement", "region", "parent_code", "zone")
# Statistics refreshed in place.
_STATISTICS = ("population", "codes_postaux")


@dataclass(frozen=True)
class CogLoadResult:
    millesime: date
    added: int
    closed: int
    changed: int
    unchanged: int
    successions_added: int
    successions_closed: int
    # The release this load published (set by load_cog once the tables are synced).
    release: ImportSummary = field(default_factory=lambda: ImportSummary(None, False, 0, 0, 0, 0))

    def as_dict(self) -> dict[str, Any]:
        """The release's counts on top (items: communes and merged codes), as every import
        prints them; the commune-level counts of the load under ``communes``."""
        return {
            **self.release.as_dict(),
            "millesime": self.millesime.isoformat(),
            "communes": {
                "added": self.added,
                "closed": self.closed,
                "changed": self.changed,
                "unchanged": self.unchanged,
                "successions_added": self.successions_added,
                "successions_closed": self.successions_closed,
            },
        }


def _parse(
    text: str, name: str
) -> tuple[dict[tuple[str, str], dict[str, Any]], set[tuple[str, str]]]:
    rows = parse_rows(text, COLUMNS, name=name)
    problems: list[Problem] = []
    entries: dict[tuple[str, str], tuple[CsvRow, dict[str, Any]]] = {}
    anciens: dict[str, tuple[str, int]] = {}
    for row in rows:
        code = row.text("code_insee")
        if code and not CODE_RE.match(code):
            problems.append(Problem(row.line, f"'{code}' is not an INSEE code", "code_insee"))
        kind = row.choice("type", COMMUNE_TYPES)
        population_raw = row.values.get("population", "").strip()
        population = None
        if population_raw:
            population = row.integer("population", minimum=0)
        values = {
            "code_insee": code,
            "type": kind,
            "nom": row.text("nom", max_length=120),
            "departement": row.text("departement", max_length=3),
            "region": row.text("region", required=False, max_length=3),
            "parent_code": row.text("commune_parente", required=False, max_length=5) or None,
            "codes_postaux": row.text("codes_postaux", required=False, max_length=255),
            "population": population,
            "zone": row.text("zone", required=False, max_length=8),
        }
        problems.extend(row.problems)
        if (code, kind) in entries:
            problems.append(
                Problem(
                    row.line,
                    f"duplicate entry {code} ({kind}), "
                    f"first on line {entries[(code, kind)][0].line}",
                )
            )
            continue
        entries[(code, kind)] = (row, values)
        if kind == "commune-actuelle":
            for old in filter(None, row.values.get("anciens_codes", "").split("|")):
                if not CODE_RE.match(old):
                    problems.append(
                        Problem(row.line, f"'{old}' is not an INSEE code", "anciens_codes")
                    )
                elif old in anciens and anciens[old][0] != code:
                    problems.append(
                        Problem(
                            row.line,
                            f"former code {old} is also claimed by {anciens[old][0]} "
                            f"(line {anciens[old][1]})",
                            "anciens_codes",
                        )
                    )
                else:
                    anciens[old] = (code, row.line)
    current = {code for (code, kind) in entries if kind == "commune-actuelle"}
    for (code, kind), (row, values) in entries.items():
        if kind == "commune-actuelle":
            values["parent_code"] = None
            continue
        # The COG file leaves the parent of délégués/associés empty: a délégué either keeps
        # the code of its commune nouvelle or its code is listed among that commune's former
        # codes.
        parent = values["parent_code"] or (code if code in current else anciens.get(code, ("",))[0])
        if not parent or parent not in current:
            problems.append(
                Problem(
                    row.line,
                    f"{kind} {code} has no current commune to belong to",
                    "commune_parente",
                )
            )
        values["parent_code"] = parent or None
    for old, (_successor, line) in anciens.items():
        if old in current:
            problems.append(
                Problem(line, f"former code {old} is still a current commune", "anciens_codes")
            )
    raise_if_problems(problems)
    successions = {(old, successor) for old, (successor, _) in anciens.items()}
    return {key: values for key, (_, values) in entries.items()}, successions


def load_cog(
    session: Session,
    path: Path = DEFAULT_COG_FILE,
    millesime: date = DEFAULT_MILLESIME,
    *,
    store: BulkStore | None = None,
    published_on: date | None = None,
    now: datetime | None = None,
) -> CogLoadResult:
    """Validate ``path``, bring the tables to that millésime and publish a ``communes``
    release if anything changed (the caller commits)."""

    def published(result: CogLoadResult) -> CogLoadResult:
        # Also on the early return below: a database loaded before releases existed gets its
        # first release from the same file.
        release = publish(
            session,
            COMMUNES,
            sources=SourceFiles({path.name: raw}),
            store=store,
            published_on=published_on or today(),
            details={"millesime": millesime.isoformat()},
            now=now,
        )
        return replace(result, release=release)

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejectedError(
            [Problem(None, f"{path.name}: not UTF-8 (byte {exc.start})")]
        ) from None
    digest = hashlib.sha256(raw).hexdigest()
    loaded = {m.millesime: m for m in repository.millesimes(session)}
    if millesime in loaded and loaded[millesime].source_sha256 == digest:
        count = loaded[millesime].communes
        record_load(session, "cog", fingerprint([millesime.isoformat().encode(), raw]))
        result = CogLoadResult(millesime, 0, 0, 0, count, 0, 0)
        latest = latest_release(session, COMMUNES.name)
        if latest is not None and latest.source_sha256 == digest:
            # Published from this very file: skip re-reading ~40,000 items to find no change.
            return replace(result, release=ImportSummary.nothing_new(latest, latest.item_count))
        return published(result)
    if loaded and millesime < max(loaded):
        raise ImportRejectedError(
            [
                Problem(
                    None,
                    f"millésime {millesime} is older than the latest loaded ({max(loaded)}); "
                    "millésimes load in order",
                )
            ]
        )
    wanted, successions = _parse(text, path.name)
    begin_dataset_write(session, COMMUNES.name)
    result = _apply(session, wanted, successions, millesime)
    if millesime in loaded:
        loaded[millesime].source_sha256 = digest
        loaded[millesime].communes = len(wanted)
    else:
        session.add(CogMillesime(millesime=millesime, source_sha256=digest, communes=len(wanted)))
    session.flush()
    record_load(session, "cog", fingerprint([millesime.isoformat().encode(), raw]))
    return published(result)


def _apply(
    session: Session,
    wanted: dict[tuple[str, str], dict[str, Any]],
    successions: set[tuple[str, str]],
    millesime: date,
) -> CogLoadResult:
    # Plain rows, not ORM objects: a millésime has ~38,000 entries.
    existing = {(r.code_insee, r.type): r for r in repository.open_commune_rows(session)}
    counts: Counter[str] = Counter()
    to_insert: list[dict[str, Any]] = []
    to_update: list[dict[str, Any]] = []
    to_close: list[int] = []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_insert.append({**values, "valid_from": millesime, "valid_to": None})
            counts["added"] += 1
        elif any(getattr(row, f) != values[f] for f in _IDENTITY):
            if row.valid_from == millesime:
                # A correction of the millésime being loaded: fix the version in place.
                to_update.append(
                    {"id": row.id, **{f: values[f] for f in (*_IDENTITY, *_STATISTICS)}}
                )
            else:
                to_close.append(row.id)
                to_insert.append({**values, "valid_from": millesime, "valid_to": None})
            counts["changed"] += 1
        else:
            if any(getattr(row, f) != values[f] for f in _STATISTICS):
                to_update.append({"id": row.id, **{f: values[f] for f in _STATISTICS}})
            counts["unchanged"] += 1
    gone = [row for key, row in existing.items() if key not in wanted]
    to_delete = [row.id for row in gone if row.valid_from == millesime]
    to_close += [row.id for row in gone if row.valid_from != millesime]
    if to_update:
        session.execute(update(Commune), to_update)
    if to_close:
        session.execute(
            update(Commune)
            .where(Commune.id.in_(to_close))
            .values(valid_to=millesime)
            .execution_options(synchronize_session=False)
        )
    if to_delete:
        session.execute(
            delete(Commune)
            .where(Commune.id.in_(to_delete))
            .execution_options(synchronize_session=False)
        )
    if to_insert:
        session.execute(insert(Commune), to_insert)

    open_successions = {
        (s.old_code, s.successor_code): s for s in repository.open_successions(session)
    }
    new_successions = [
        {"old_code": old, "successor_code": succ, "valid_from": millesime, "valid_to": None}
        for old, succ in sorted(successions - set(open_successions))
    ]
    closed_successions = [s for key, s in open_successions.items() if key not in successions]
    for succession in closed_successions:
        if succession.valid_from == millesime:
            session.delete(succession)
        else:
            succession.valid_to = millesime
    if new_successions:
        session.execute(insert(CommuneSuccession), new_successions)
    session.flush()
    return CogLoadResult(
        millesime=millesime,
        added=counts["added"],
        closed=len(gone),
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        successions_added=len(new_successions),
        successions_closed=len(closed_successions),
    )
