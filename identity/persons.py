"""A person's lifecycle, in one place: create, link, move, merge, split, redirect, empty.

Every change of which person holds a record, and of which identifier answers for whom, goes
through :class:`PersonChanges`, whoever decides it: online resolve and ingest (the model),
re-linkage (the batch model), the review (a reviewer's decision or undo) and retention. Each
operation writes its rows *and* the events that say what happened, so the rules live here
once:

- a new person gets a ``created`` event (and ``split_from`` when its records came from
  another person);
- a record changing person leaves a ``record_unlinked`` event on the old person and a
  ``record_linked`` on the new one, each naming the other;
- an identifier that was handed out never disappears: a person left without records by a
  move, or absorbed by a merge, redirects to the person that took them (``merged_into`` /
  ``merged_from``), and identifiers that redirected to it follow;
- undoing a merge restores the identifier (``split_from``) and re-points the identifiers that
  had followed it (``redirected``);
- every person a change concerns is touched (``updated_at``).

Every event says what a change feed needs (issue 10): which change it belongs to
(``change_id``: one per operation, or per :meth:`PersonChanges.change` block — a record
moving, a merge with all its records, an undo), what changed (``kind``), the identifiers
before and after (``person_id``, ``other_person_id``), the record and its application
(``record_id``, ``source``: filled in when the caller did not know it), and why (``cause``:
auto, relink, reviewer, retention; ``decision_id``; ``detail``: scores, model version, run id,
never traits).

Rows are collected and written by :meth:`PersonChanges.flush` in foreign-key order, in the
caller's transaction (never committed here); resolve hands the collected rows to its own
one-statement write instead. Callers that read the registry between two changes flush first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson

from identity.ids import new_person_id
from identity.models import ChangeCause, EventKind, LinkOrigin, PersonStatus
from identity.repository import RegistryRepository


def auto_link(
    match_probability: float | None, match_weight: float | None, model_version: str | None
) -> dict[str, Any]:
    """The columns of a link the model decided (what a resolve or a re-linkage writes)."""
    return {
        "origin": LinkOrigin.AUTO.value,
        "match_probability": match_probability,
        "match_weight": match_weight,
        "model_version": model_version,
        "decision_id": None,
    }


def manual_link(decision_id: int) -> dict[str, Any]:
    """The columns a reviewer's decision sets on a link (its score stays as it was)."""
    return {"origin": LinkOrigin.MANUAL.value, "decision_id": decision_id}


def _naive_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def choose_survivor(repo: RegistryRepository, a: str, b: str) -> tuple[str, str]:
    """(survivor, merged) of two persons a reviewer declared the same: the one with more
    records keeps its identifier, then the older, then the smaller identifier."""
    counts = repo.persons.record_counts([a, b])
    created = repo.persons.person_created_at([a, b])
    ranked = sorted((a, b), key=lambda p: (-counts.get(p, 0), _naive_utc(created[p]), p))
    return ranked[0], ranked[1]


class PersonChanges:
    """The person changes of one unit of work, with their events (see the module docstring).

    ``cause``, ``actor`` (the application, job or reviewer), ``at``, ``decision_id`` and
    ``detail`` (scores, run id...; never traits) are stamped on every event; an operation's
    own ``detail`` replaces the default one.
    """

    def __init__(
        self,
        repo: RegistryRepository,
        *,
        cause: ChangeCause,
        actor: str,
        at: datetime,
        decision_id: int | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        self.repo = repo
        self.cause = cause
        self.actor = actor[:128]
        self.at = at
        self.decision_id = decision_id
        self._detail = self._json(detail)
        self.new_persons: list[dict[str, Any]] = []
        self.new_links: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.touched: set[str] = set()
        self._created: set[str] = set()
        self._link_updates: list[dict[str, Any]] = []
        self._redirects: list[tuple[str, str]] = []
        self._restored: list[str] = []
        self._repointed: list[tuple[list[str], str]] = []
        self._emptied: list[str] = []
        self._deleted: list[uuid.UUID] = []
        self._change: str | None = None

    @contextmanager
    def change(self) -> Iterator[None]:
        """Operations inside the block are one change (one ``change_id``): e.g. a new
        record's person and its link, or an undo's restore, moves and re-pointed redirects."""
        if self._change is not None:
            yield
            return
        self._change = uuid.uuid4().hex
        try:
            yield
        finally:
            self._change = None

    # -- persons ---------------------------------------------------------------------------------

    def create(self, *, split_from: str | None = None) -> str:
        """A new person (split from ``split_from`` when its records come from that person)."""
        with self.change():
            person_id = new_person_id()
            self.new_persons.append(
                {
                    "id": person_id,
                    "status": PersonStatus.ACTIVE.value,
                    "merged_into_id": None,
                    "created_at": self.at,
                    "updated_at": self.at,
                }
            )
            self._created.add(person_id)
            self._event(person_id, EventKind.CREATED, other=split_from)
            if split_from is not None:
                self._event(person_id, EventKind.SPLIT_FROM, other=split_from)
            return person_id

    def redirect(
        self, loser: str, survivor: str, *, detail: Mapping[str, Any] | None = None
    ) -> None:
        """``loser`` answers from now on as ``survivor`` (and so do the identifiers that
        redirected to it)."""
        with self.change():
            self._redirects.append((loser, survivor))
            self._event(loser, EventKind.MERGED_INTO, other=survivor, detail=detail)
            self._event(survivor, EventKind.MERGED_FROM, other=loser, detail=detail)
            self.touched.update((loser, survivor))

    def merge(
        self, loser: str, survivor: str, *, detail: Mapping[str, Any] | None = None
    ) -> list[uuid.UUID]:
        """Every record ``loser`` holds now moves to ``survivor`` (its link otherwise as it
        was), then ``loser`` redirects to it. Returns the records moved."""
        with self.change():
            moved = self.repo.persons.records_with_source(loser)
            for record_id, source in moved:
                self.move(record_id, source, loser, survivor)
            self.redirect(loser, survivor, detail=detail)
            return [record_id for record_id, _ in moved]

    def restore(
        self, person_id: str, from_person: str, *, detail: Mapping[str, Any] | None = None
    ) -> None:
        """Undo a merge: ``person_id`` (merged into ``from_person``) is active again."""
        with self.change():
            self._restored.append(person_id)
            self._event(person_id, EventKind.SPLIT_FROM, other=from_person, detail=detail)
            self.touched.add(from_person)

    def repoint(self, redirects: Sequence[str], target: str) -> None:
        """Identifiers that redirect elsewhere now redirect to ``target``."""
        with self.change():
            if not redirects:
                return
            self._repointed.append((list(redirects), target))
            for person_id in redirects:
                self._event(person_id, EventKind.REDIRECTED, other=target)

    def relinked(self, person_ids: Iterable[str]) -> None:
        """A re-linkage run changed these persons' records (one summary event each)."""
        for person_id in person_ids:
            with self.change():
                self._event(person_id, EventKind.RELINKED)

    def empty(self, person_ids: Sequence[str]) -> None:
        """Persons left without records (retention): kept, with their history, as emptied."""
        self._emptied.extend(person_ids)
        for person_id in person_ids:
            with self.change():
                self._event(person_id, EventKind.EMPTIED)

    # -- records -------------------------------------------------------------------------------

    def link(
        self,
        record_id: uuid.UUID,
        source: str | None,
        person_id: str,
        values: Mapping[str, Any],
        *,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """A new record's link to ``person_id`` (``values``: :func:`auto_link`...)."""
        with self.change():
            self.new_links.append(
                {"record_id": record_id, "person_id": person_id, **values, "linked_at": self.at}
            )
            self._event(person_id, EventKind.RECORD_LINKED, record_id, source, detail=detail)
            self.touched.add(person_id)

    def update_in_place(
        self,
        record_id: uuid.UUID,
        source: str | None,
        person_id: str,
        values: Mapping[str, Any] | None,
        *,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """The record's traits changed and it stays with ``person_id``: a ``record_updated``
        event names whoever changed it. ``values``: what its link says now (a new score);
        None leaves the link as it is (a reviewer's manual link)."""
        with self.change():
            if values is not None:
                self._link_updates.append(
                    {"record_id": record_id, "person_id": person_id, **values, "linked_at": self.at}
                )
                self.touched.add(person_id)
            self._event(person_id, EventKind.RECORD_UPDATED, record_id, source, detail=detail)

    def pin(self, record_ids: Iterable[uuid.UUID]) -> None:
        """A reviewer put these records where they are: manual links, never moved again by an
        automatic process (the unit's ``decision_id``)."""
        assert self.decision_id is not None, "pinning a record needs the reviewer's decision"
        for record_id in record_ids:
            self._link_updates.append(
                {"record_id": record_id, **manual_link(self.decision_id), "linked_at": self.at}
            )

    def move(
        self,
        record_id: uuid.UUID,
        source: str | None,
        old: str,
        new: str,
        values: Mapping[str, Any] | None = None,
        *,
        detail: Mapping[str, Any] | None = None,
        redirect_old: bool = False,
    ) -> None:
        """The record leaves ``old`` for ``new`` (``values``: what its link says now; None
        keeps the link's score and origin). ``redirect_old``: ``old`` is left without records,
        and its identifier, already handed out, must keep answering: it redirects to ``new``."""
        with self.change():
            self._link_updates.append(
                {"record_id": record_id, "person_id": new, **(values or {}), "linked_at": self.at}
            )
            self._event(old, EventKind.RECORD_UNLINKED, record_id, source, other=new)
            self._event(new, EventKind.RECORD_LINKED, record_id, source, other=old, detail=detail)
            self.touched.update((old, new))
            if redirect_old:
                self._redirects.append((old, new))
                self._event(old, EventKind.MERGED_INTO, other=new)
                self._event(new, EventKind.MERGED_FROM, other=old)

    def delete_records(self, rows: Iterable[tuple[uuid.UUID, str | None, str]]) -> None:
        """(record, source, person): records deleted with their links (retention); the person
        keeps its identifier and history."""
        for record_id, source, person_id in rows:
            self._deleted.append(record_id)
            with self.change():
                self._event(person_id, EventKind.RECORD_DELETED, record_id, source)
            self.touched.add(person_id)

    # -- writing ---------------------------------------------------------------------------------

    @property
    def only_inserts(self) -> bool:
        """Nothing but new persons, new links and their events (most of the online path)."""
        return not (
            self._link_updates
            or self._redirects
            or self._restored
            or self._repointed
            or self._emptied
            or self._deleted
        )

    def touched_existing(self) -> list[str]:
        """Persons to touch that this unit did not create (those carry ``updated_at`` already)."""
        return sorted(self.touched - self._created)

    def flush_persons(self) -> None:
        """Write the new persons now (rows of the caller's that point at them come next)."""
        self.repo.persons.insert_persons(self.new_persons)
        self.new_persons = []

    def flush(self) -> None:
        """Write everything collected, in foreign-key order, and start afresh."""
        persons = self.repo.persons
        self.flush_persons()
        if self._deleted:
            self.repo.compliance.delete_records(self._deleted)
        persons.insert_links(self.new_links)
        # In the order they were made (a record may be moved, then pinned), each run of rows
        # setting the same columns in one statement.
        run: list[dict[str, Any]] = []
        for row in self._link_updates:
            if run and row.keys() != run[0].keys():
                persons.update_links(run)
                run = []
            run.append(row)
        persons.update_links(run)
        persons.mark_merged(self._redirects, self.at)
        for person_id in self._restored:
            persons.restore_person(person_id, self.at)
        for redirects, target in self._repointed:
            persons.repoint_redirects(redirects, target, self.at)
        persons.set_person_status(self._emptied, PersonStatus.EMPTIED, self.at)
        self._fill_sources()
        persons.insert_events(self.events)
        touched = self.touched_existing()
        if touched:
            persons.touch_persons(touched, self.at)
        self.clear()

    def clear(self) -> None:
        """Forget what was collected (the caller wrote it)."""
        self.new_persons, self.new_links, self.events = [], [], []
        self._link_updates, self._redirects, self._restored = [], [], []
        self._repointed, self._emptied, self._deleted = [], [], []
        self.touched, self._created = set(), set()

    # -- events ----------------------------------------------------------------------------------

    def _fill_sources(self) -> None:
        """Every record event names the record's application (a re-linkage moves records it
        knows by id only): what a feed routes on, read in one query."""
        unknown = {e["record_id"] for e in self.events if e["record_id"] and not e["source"]}
        if not unknown:
            return
        sources = self.repo.records.sources_of(unknown)
        for event in self.events:
            if event["record_id"] in unknown:
                event["source"] = sources.get(event["record_id"])

    @staticmethod
    def _json(detail: Mapping[str, Any] | None) -> str | None:
        return orjson.dumps(dict(detail)).decode() if detail else None

    def _event(
        self,
        person_id: str,
        kind: EventKind,
        record_id: uuid.UUID | None = None,
        source: str | None = None,
        *,
        other: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        assert self._change is not None, "every event belongs to a change"
        self.events.append(
            {
                "person_id": person_id,
                "kind": kind.value,
                "change_id": self._change,
                "cause": self.cause.value,
                "other_person_id": other,
                "record_id": record_id,
                "source": source,
                "decision_id": self.decision_id,
                "actor": self.actor,
                "detail": self._detail if detail is None else self._json(detail),
                "at": self.at,
            }
        )
