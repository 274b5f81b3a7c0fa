"""Where offence reads get their facts: the database, or an in-memory snapshot of it.

:func:`refdata.natinf.offences.get_offence` assembles a code as of a date from four facts — its
versions, its curated penalties on that date, its successors and, for a contravention, the
maximum fine of its class — and the penalties the law dataset reads in the articles its
"Réprimée par" cites. :class:`DbOffenceSource` asks the database for each; the API uses
an :class:`OffenceSnapshot` instead, loaded in a few bulk queries once per release state
(see :mod:`refdata.releases.read_cache`), so that a lookup the body cache has not seen yet costs
dictionary reads rather than five SQL round trips. Both give the same answers: the snapshot is
the same rows, grouped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from refdata.law.cited import CitedPenalties, LawIndex
from refdata.natinf import repository as repo
from refdata.natinf.models import OffenceVersion, PenaltyVersion


class ClassRule(Protocol):
    """What the tariffs answer for a contravention class on a date (read-only)."""

    @property
    def amount_eur(self) -> Decimal: ...

    @property
    def recidivism_amount_eur(self) -> Decimal | None: ...

    @property
    def source(self) -> str: ...

    @property
    def valid_from(self) -> date: ...

    @property
    def valid_to(self) -> date | None: ...


class OffenceSource(Protocol):
    def versions(self, natinf: int) -> Sequence[OffenceVersion | VersionRecord]: ...

    def penalties(self, natinf: int, on: date) -> Sequence[PenaltyVersion | PenaltyRecord]: ...

    def successors(self, natinf: int) -> list[int]: ...

    def class_rule(self, classe: int, on: date) -> ClassRule | None: ...

    def law(self, refs: Sequence[dict[str, Any]], on: date) -> CitedPenalties: ...

    def history_start(self, any_release_id: str) -> date | None: ...


def _history_start(session: Session, any_release_id: str) -> date | None:
    """Publication date of the first release of the dataset ``any_release_id`` belongs to:
    before it, the NATINF history we hold says nothing."""
    from refdata.releases.repository import first_release

    first = first_release(session, any_release_id)
    return first.published_on if first else None


def class_maxima_token(session: Session) -> tuple[Any, ...]:
    """The contravention class maxima offence lookups embed: a change must drop the read
    caches (``ReadCache(extra_token=class_maxima_token)``).

    A tariffs load that changes them also publishes a ``tariffs`` release (which moves the
    release state), but the rows are compared directly too: they are what the lookups embed,
    and ten-odd rows read once per check interval cost nothing.
    """
    from refdata.tariffs.repository import max_fines

    return tuple(
        (r.classe, r.amount_eur, r.recidivism_amount_eur, r.valid_from, r.valid_to)
        for r in max_fines(session, on=None)
    )


def _class_rule(session: Session, classe: int, on: date) -> ClassRule | None:
    from refdata.tariffs.service import max_fine_for_class

    return max_fine_for_class(session, classe, on)


class DbOffenceSource:
    def __init__(self, session: Session) -> None:
        self.session = session

    def versions(self, natinf: int) -> Sequence[OffenceVersion]:
        return repo.offence_versions(self.session, natinf)

    def penalties(self, natinf: int, on: date) -> Sequence[PenaltyVersion]:
        return repo.penalties_in_force(self.session, natinf, on)

    def successors(self, natinf: int) -> list[int]:
        return repo.successors_of(self.session, natinf)

    def class_rule(self, classe: int, on: date) -> ClassRule | None:
        return _class_rule(self.session, classe, on)

    def law(self, refs: Sequence[dict[str, Any]], on: date) -> CitedPenalties:
        return LawIndex.for_references(self.session, refs).cited(refs, on)

    def history_start(self, any_release_id: str) -> date | None:
        return _history_start(self.session, any_release_id)


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """An offence version detached from any session (the snapshot outlives its session)."""

    id: int
    natinf: int
    version: int
    nature: str | None
    qualification: str
    defined_by: str
    repressed_by: str
    defined_by_refs: list[dict[str, Any]]
    repressed_by_refs: list[dict[str, Any]]
    valid_from: date
    valid_to: date | None
    introduced_in: str
    retired_in: str | None


@dataclass(frozen=True, slots=True)
class PenaltyRecord:
    natinf: int
    category: str
    kind: str
    label: str
    max_months: int | None
    life: bool
    max_amount_eur: Decimal | None
    article: str
    citation: str
    source: str
    valid_from: date
    valid_to: date | None


def _detached(record_type: type[Any], row: object) -> Any:
    return record_type(**{f.name: getattr(row, f.name) for f in fields(record_type)})


class OffenceSnapshot:
    """Every offence version, current penalty and successor, grouped by code.

    Plain records, not ORM instances: a worker thread's session rolling back must not expire
    what other threads read.
    """

    def __init__(self, session: Session) -> None:
        self._versions: dict[int, list[VersionRecord]] = defaultdict(list)
        for row in repo.offence_version_rows(session):  # ordered by code, then version
            self._versions[row.natinf].append(_detached(VersionRecord, row))
        self._penalties: dict[int, list[PenaltyRecord]] = defaultdict(list)
        for row in repo.current_penalty_rows(session):
            self._penalties[row.natinf].append(_detached(PenaltyRecord, row))
        self._successors: dict[int, list[int]] = defaultdict(list)
        for natinf, successor in sorted(repo.successor_pairs(session)):
            self._successors[natinf].append(successor)
        # Tariffs are read through their own service, once per (class, date).
        self._class_rules: dict[tuple[int, date], ClassRule | None] = {}
        # The law dataset: the penalties of the articles "Réprimée par" cites (a law load
        # publishes a release, which rebuilds the snapshot).
        self._law = LawIndex.load(session)
        self._history_starts: dict[str, date | None] = {}

    def all_versions(self) -> Iterator[VersionRecord]:
        for versions in self._versions.values():
            yield from versions

    def bind(self, session: Session) -> SnapshotSource:
        return SnapshotSource(self, session)


class SnapshotSource:
    def __init__(self, snapshot: OffenceSnapshot, session: Session) -> None:
        self.snapshot = snapshot
        self.session = session

    def versions(self, natinf: int) -> Sequence[VersionRecord]:
        return self.snapshot._versions.get(natinf, [])

    def penalties(self, natinf: int, on: date) -> Sequence[PenaltyRecord]:
        in_force = [
            p
            for p in self.snapshot._penalties.get(natinf, [])
            if p.valid_from <= on and (p.valid_to is None or on < p.valid_to)
        ]
        # The order of repository.penalties_in_force: principal first, then by kind.
        return sorted(in_force, key=lambda p: (p.category != "principale", p.kind))

    def successors(self, natinf: int) -> list[int]:
        return list(self.snapshot._successors.get(natinf, []))

    def law(self, refs: Sequence[dict[str, Any]], on: date) -> CitedPenalties:
        return self.snapshot._law.cited(refs, on)

    def history_start(self, any_release_id: str) -> date | None:
        starts = self.snapshot._history_starts
        if any_release_id not in starts:
            starts[any_release_id] = _history_start(self.session, any_release_id)
        return starts[any_release_id]

    def class_rule(self, classe: int, on: date) -> ClassRule | None:
        key = (classe, on)
        rules = self.snapshot._class_rules
        if key not in rules:
            rules[key] = _class_rule(self.session, classe, on)
        return rules[key]
