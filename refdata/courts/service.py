"""Which courts are competent for a commune, and reads of courts by id, type or département.

The rule for a commune (resolved through the COG history first, so merged, delegated and
arrondissement codes work):

1. Courts of first instance (tribunal judiciaire, or tribunal de première instance overseas)
   with a *commune-level* ressort fact for the commune decide alone — today that is the seat
   rule: a court's seat commune lies within its own ressort.
2. Otherwise every first-instance court whose ressort contains the commune's département is a
   candidate. One candidate is an answer; several are returned flagged ``ambiguous`` — we only
   hold département-level facts there and never pick one.
3. Courts holding an enclave in the département (airport grounds) are listed apart; they do
   not make the answer ambiguous.
4. The appeal courts are the parents of the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from refdata.communes.models import Commune
from refdata.communes.service import CommuneError, ResolvedCommune, resolve_commune
from refdata.courts import repository
from refdata.courts.index import CourtEntry, RessortEntry, court_index
from refdata.courts.models import (
    APPEAL_TYPES,
    COURT_TYPES,
    FIRST_INSTANCE_TYPES,
    CourtRessort,
    CourtVersion,
)

DEPARTEMENT_PATTERN = r"^(?:\d{2}|2[AB]|97\d|98\d)$"
_DEPARTEMENT_RE = re.compile(DEPARTEMENT_PATTERN)

Role = Literal["first_instance", "appeal", "enclave"]
Match = Literal["commune", "departement"]


class CourtLookupError(Exception):
    status = 422
    title = "Invalid parameter"

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class CourtNotFoundError(CourtLookupError):
    status = 404
    title = "Not found"


@dataclass(frozen=True)
class CompetentCourt:
    court: CourtEntry
    role: Role
    match: Match
    ressort: RessortEntry | None
    # For an appeal court: the first-instance courts it is listed for.
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class CourtsForCommune:
    commune: ResolvedCommune
    on: date
    ambiguous: bool
    match: Match
    courts: tuple[CompetentCourt, ...]


@dataclass(frozen=True)
class CourtDetail:
    version: CourtVersion
    parent: CourtVersion | None
    children: tuple[CourtVersion, ...]
    ressorts: tuple[CourtRessort, ...]


def check_types(types: list[str] | None) -> list[str] | None:
    if not types:
        return None
    unknown = [t for t in types if t not in COURT_TYPES]
    if unknown:
        raise CourtLookupError(
            f"unknown court type {', '.join(unknown)}; choose among {', '.join(COURT_TYPES)}",
            parameter="type",
        )
    return types


def courts_for_commune(
    session: Session, code: str, on: date, *, types: list[str] | None = None
) -> CourtsForCommune:
    types = check_types(types)
    try:
        resolved = resolve_commune(session, code, on, clamp_to_earliest=True)
    except CommuneError as exc:
        raise CourtNotFoundError(str(exc), parameter="code_commune") from None
    commune = resolved.commune
    index = court_index(session)
    ressorts = index.ressorts_on("commune", commune.code_insee, on) + index.ressorts_on(
        "departement", commune.departement, on
    )
    versions = {
        r.court_id: v for r in ressorts if (v := index.version_on(r.court_id, on)) is not None
    }
    first_instance = [
        r
        for r in ressorts
        if r.court_id in versions and versions[r.court_id].type in FIRST_INSTANCE_TYPES
    ]
    by_commune = [
        r for r in first_instance if r.granularity == "commune" and r.scope == "territory"
    ]
    by_departement = [
        r for r in first_instance if r.granularity == "departement" and r.scope == "territory"
    ]
    match: Match = "commune" if by_commune else "departement"
    decisive = by_commune if by_commune else by_departement
    if not decisive:
        raise CourtNotFoundError(
            f"no court with a recorded ressort covers {commune.nom} ({commune.code_insee}, "
            f"département {commune.departement}) on {on.isoformat()}",
            parameter="code_commune",
        )
    decisive_ids = sorted({r.court_id for r in decisive})
    chosen: list[CompetentCourt] = [
        CompetentCourt(versions[r.court_id], "first_instance", match, r)
        for r in sorted(decisive, key=lambda r: r.court_id)
    ]
    enclave_ids = {r.court_id for r in first_instance if r.scope == "enclave"} - set(decisive_ids)
    chosen += [
        CompetentCourt(versions[r.court_id], "enclave", "departement", r)
        for r in sorted(first_instance, key=lambda r: r.court_id)
        if r.scope == "enclave" and r.court_id in enclave_ids
    ]
    parents = {
        parent_id: parent
        for parent_id in {c.court.parent_id for c in chosen if c.court.parent_id}
        if (parent := index.version_on(parent_id, on)) is not None
    }
    for parent_id, parent in sorted(parents.items()):
        if parent.type not in APPEAL_TYPES:
            continue
        children = [c for c in chosen if c.court.parent_id == parent_id]
        # An appeal court reached only through an enclave court is not the commune's own.
        own = any(c.role == "first_instance" for c in children)
        chosen.append(
            CompetentCourt(
                parent,
                "appeal" if own else "enclave",
                match if own else "departement",
                None,
                tuple(c.court.court_id for c in children),
            )
        )
    if types:
        chosen = [c for c in chosen if c.court.type in types]
    return CourtsForCommune(
        commune=resolved,
        on=on,
        ambiguous=len(decisive_ids) > 1,
        match=match,
        courts=tuple(chosen),
    )


def check_departement(session: Session, departement: str) -> str:
    value = departement.strip().upper()
    if not _DEPARTEMENT_RE.match(value):
        raise CourtLookupError(
            "a département code is 2 digits, 2A/2B, or 3 digits for overseas (971...988)",
            parameter="departement",
        )
    known = session.scalar(select(exists().where(Commune.departement == value)))
    if not known:
        raise CourtNotFoundError(f"no commune of the COG belongs to département {value}")
    return value


def list_courts(
    session: Session,
    *,
    on: date,
    types: list[str] | None = None,
    departement: str | None = None,
    history: bool = False,
) -> list[CourtVersion]:
    """Courts (versions valid on ``on``, or every version with ``history``), filtered.

    ``departement`` keeps the courts whose ressort covers it, their appeal courts, and the
    courts seated there (chambres détachées, cours d'appel).
    """
    types = check_types(types)
    court_ids: set[str] | None = None
    if departement is not None:
        dept = check_departement(session, departement)
        with_ressort = repository.courts_with_ressort_in(session, dept, None if history else on)
        seated = repository.courts_seated_in_departement(session, dept)
        parents = {
            v.parent_id
            for v in repository.list_versions(
                session, on=None if history else on, court_ids=with_ressort
            )
            if v.parent_id
        }
        court_ids = with_ressort | seated | parents
    return list(
        repository.list_versions(
            session, on=None if history else on, types=types, court_ids=court_ids
        )
    )


def court_detail(session: Session, court_id: str, on: date) -> CourtDetail:
    versions = repository.versions_of(session, court_id)
    if not versions:
        raise CourtNotFoundError(f"no court has the id '{court_id}'", parameter="id")
    current = next(
        (v for v in versions if v.valid_from <= on and (v.valid_to is None or v.valid_to > on)),
        None,
    )
    if current is None:
        span = ", ".join(f"{v.valid_from} to {v.valid_to or 'today'}" for v in versions)
        raise CourtNotFoundError(
            f"the court '{court_id}' is not recorded on {on.isoformat()} (recorded: {span})",
            parameter="as_of",
        )
    parent = None
    if current.parent_id:
        parent = repository.versions_on(session, [current.parent_id], on).get(current.parent_id)
    return CourtDetail(
        version=current,
        parent=parent,
        children=tuple(repository.children_on(session, court_id, on)),
        ressorts=tuple(repository.ressorts_of(session, court_id, on)),
    )


def court_history(session: Session, court_id: str) -> tuple[list[CourtVersion], list[CourtRessort]]:
    versions = list(repository.versions_of(session, court_id))
    if not versions:
        raise CourtNotFoundError(f"no court has the id '{court_id}'", parameter="id")
    return versions, list(repository.ressorts_of(session, court_id, None))
