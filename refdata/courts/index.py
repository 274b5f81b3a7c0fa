"""The per-process index of the courts and their ressort (see ``refdata.communes.index``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.communes.index import cached
from refdata.courts.models import CourtRessort, CourtVersion


@dataclass(frozen=True, slots=True)
class CourtEntry:
    """A court version, with the attribute names of ``CourtVersion``."""

    court_id: str
    type: str
    name: str
    seat_code_insee: str
    seat_commune: str
    parent_id: str | None
    valid_from: date
    valid_to: date | None
    valid_from_basis: str
    source: str
    note: str

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to > on)


@dataclass(frozen=True, slots=True)
class RessortEntry:
    """A ressort row, with the attribute names of ``CourtRessort``."""

    court_id: str
    granularity: str
    code: str
    scope: str
    valid_from: date
    valid_to: date | None
    valid_from_basis: str
    source: str
    note: str

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to > on)


@dataclass(frozen=True)
class CourtIndex:
    versions: dict[str, tuple[CourtEntry, ...]]
    ressorts: dict[tuple[str, str], tuple[RessortEntry, ...]]

    def version_on(self, court_id: str, on: date) -> CourtEntry | None:
        return next((v for v in self.versions.get(court_id, ()) if v.valid_on(on)), None)

    def ressorts_on(self, granularity: str, code: str, on: date) -> list[RessortEntry]:
        return [r for r in self.ressorts.get((granularity, code), ()) if r.valid_on(on)]


def build_court_index(session: Session) -> CourtIndex:
    versions: dict[str, list[CourtEntry]] = defaultdict(list)
    columns = [getattr(CourtVersion, f) for f in CourtEntry.__dataclass_fields__]
    for row in session.execute(select(*columns).order_by(CourtVersion.valid_from)):
        versions[row[0]].append(CourtEntry(*row))
    ressorts: dict[tuple[str, str], list[RessortEntry]] = defaultdict(list)
    columns = [getattr(CourtRessort, f) for f in RessortEntry.__dataclass_fields__]
    for row in session.execute(select(*columns).order_by(CourtRessort.court_id)):
        entry = RessortEntry(*row)
        ressorts[(entry.granularity, entry.code)].append(entry)
    return CourtIndex(
        versions={k: tuple(v) for k, v in versions.items()},
        ressorts={k: tuple(v) for k, v in ressorts.items()},
    )


def court_index(session: Session) -> CourtIndex:
    return cached(session, "courts", build_court_index)
