"""Resolving a commune code, current or historical, to the commune it designates today.

A code may name a current commune, a commune déléguée or associée (inside a commune
nouvelle), an arrondissement municipal (Paris, Lyon, Marseille), or a commune that
disappeared in a merger. Resolution answers with the *current* commune and says how it got
there, so callers (courts by commune, birthplaces in the registry) never lose an old code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from refdata.communes import repository
from refdata.communes.index import (
    CommuneEntry,
    CommuneIndex,
    SuccessionEntry,
    commune_index,
)
from refdata.communes.models import Commune, CommuneSuccession

CODE_PATTERN = r"^(?:\d{5}|2[AB]\d{3})$"
CODE_RE = re.compile(CODE_PATTERN)
# A merged code can point to a commune that later merged again; follow at most this many steps.
_MAX_SUCCESSION_STEPS = 8

Resolution = Literal["current", "delegue", "associe", "arrondissement", "merged"]
_BY_TYPE: dict[str, Resolution] = {
    "commune-deleguee": "delegue",
    "commune-associee": "associe",
    "arrondissement-municipal": "arrondissement",
}


class CommuneError(Exception):
    status = 422
    title = "Invalid commune code"


class InvalidCommuneCodeError(CommuneError):
    pass


class CommuneNotFoundError(CommuneError):
    status = 404
    title = "Unknown commune"


@dataclass(frozen=True)
class ResolvedCommune:
    requested_code: str
    resolution: Resolution
    commune: CommuneEntry
    # The COG entry the code matched when it is not the commune itself (déléguée, associée,
    # arrondissement), or the successions followed for a merged code.
    matched: CommuneEntry | None
    successions: tuple[SuccessionEntry, ...]
    cog_millesime: date


def normalise_code(code: str) -> str:
    """Upper-case Corsican codes (2a004 → 2A004); reject anything that is not an INSEE code."""
    normalised = code.strip().upper()
    if not CODE_RE.match(normalised):
        raise InvalidCommuneCodeError(
            "a commune code is 5 characters: 5 digits, or 2A/2B followed by 3 digits (Corsica)"
        )
    return normalised


def effective_date(index: CommuneIndex, on: date, *, clamp_to_earliest: bool) -> tuple[date, date]:
    """The date to read the COG at and the millésime in force then.

    With ``clamp_to_earliest``, a date before the first loaded millésime reads the earliest
    one: commune codes and their département are stable enough for jurisdiction lookups, and
    the caller reports which millésime it used.
    """
    millesime = index.millesime_on(on)
    if millesime is not None:
        return on, millesime
    if not index.millesimes:
        raise CommuneNotFoundError("no Code officiel géographique has been loaded")
    earliest = index.millesimes[0]
    if not clamp_to_earliest:
        raise CommuneNotFoundError(
            f"the loaded COG history starts on {earliest.isoformat()}; "
            f"nothing is recorded for {on.isoformat()}"
        )
    return earliest, earliest


def _current(index: CommuneIndex, code: str, on: date) -> CommuneEntry | None:
    for entry in index.entries.get(code, ()):
        if entry.type == "commune-actuelle" and entry.valid_on(on):
            return entry
    return None


def resolve_commune(
    session: Session, code: str, on: date, *, clamp_to_earliest: bool = False
) -> ResolvedCommune:
    requested = normalise_code(code)
    index = commune_index(session)
    read_on, millesime = effective_date(index, on, clamp_to_earliest=clamp_to_earliest)
    by_type = {e.type: e for e in index.entries.get(requested, ()) if e.valid_on(read_on)}
    current = by_type.get("commune-actuelle")
    if current is not None:
        return ResolvedCommune(requested, "current", current, None, (), millesime)
    for entry_type in ("arrondissement-municipal", "commune-deleguee", "commune-associee"):
        entry = by_type.get(entry_type)
        if entry is None or entry.parent_code is None:
            continue
        parent = _current(index, entry.parent_code, read_on)
        if parent is not None:
            return ResolvedCommune(requested, _BY_TYPE[entry_type], parent, entry, (), millesime)
    followed: list[SuccessionEntry] = []
    cursor = requested
    for _ in range(_MAX_SUCCESSION_STEPS):
        successors = [s for s in index.successions.get(cursor, ()) if s.valid_on(read_on)]
        if not successors:
            break
        if len({s.successor_code for s in successors}) > 1:
            # The COG never splits a code between communes today; refuse to pick one if it does.
            raise CommuneNotFoundError(
                f"the code {requested} was absorbed by several communes; it cannot be resolved"
            )
        followed.append(successors[0])
        cursor = successors[0].successor_code
        current = _current(index, cursor, read_on)
        if current is not None:
            return ResolvedCommune(requested, "merged", current, None, tuple(followed), millesime)
    raise CommuneNotFoundError(
        f"no commune, commune déléguée, arrondissement or merged commune has the code "
        f"{requested} in the COG of {millesime.isoformat()}"
    )


def commune_history(session: Session, code: str) -> tuple[list[Commune], list[CommuneSuccession]]:
    requested = normalise_code(code)
    entries = list(repository.entries_history(session, requested))
    successions = list(repository.successions_history(session, requested))
    if not entries and not successions:
        raise CommuneNotFoundError(f"the code {requested} never appears in the loaded COG")
    return entries, successions
