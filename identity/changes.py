"""The change feed: what changed for an application's records, read from the person events.

Applications cache person identifiers. When a record of theirs joins, leaves or changes person,
when the person it belongs to is merged into another, when a reviewer undoes a merge, or when
retention deletes the record, they read it here instead of polling every person:
``GET /v1/changes?after=CURSOR``.

- One entry per change (the events ``identity.persons.PersonChanges`` wrote together, one
  ``change_id``): why (``cause``, ``decision_id``), the caller's records concerned with their
  person before and after, the identifiers that now redirect, the persons created.
- Only changes that concern a record of the caller's applications (the sources its token may
  write), and of those only the caller's records: another application's references never show.
- Ordered, resumable and paginated by a cursor (an event's position ``xact_id.id``): each page
  holds whole changes, and a change is served only once every transaction older than it has
  finished (``identity.repository.changes``), so no change can appear behind a cursor.
- Retention: the feed reads the append-only history, which nothing deletes (retention deletes
  records, and says so in the history): a cursor stays valid however long the consumer was
  away — a weekly consumer, or a monthly one, resumes where it stopped.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from identity.crypto import RegistryCrypto
from identity.models import EventKind, PersonEvent
from identity.repository.changes import ChangeRepository, FeedEvent, Position
from identity.schemas import ChangedRecordOut, ChangeOut, ChangesOut, RedirectChangeOut

MAX_CHANGES = 1000
_CURSOR = re.compile(r"^([0-9]{1,19})\.([0-9]{1,19})$")


class InvalidChangeCursorError(ValueError):
    """The cursor is not one the feed handed out."""


HEAD = "head"


def parse_cursor(raw: str | None) -> Position | None:
    if raw is None or raw == "":
        return None
    match = _CURSOR.match(raw)
    if match is None:
        raise InvalidChangeCursorError(
            "`after` takes the next_cursor of a previous page (digits, a dot, digits), "
            "'head' to start from now, or nothing to start from the beginning."
        )
    return Position(int(match.group(1)), int(match.group(2)))


def format_cursor(position: Position) -> str:
    return f"{position.xact_id}.{position.event_id}"


@dataclass
class _RecordChange:
    source: str
    before: str | None = None
    after: str | None = None
    linked: bool = False
    moved: bool = False
    updated: bool = False
    deleted: bool = False

    @property
    def change(self) -> str:
        if self.deleted:
            return "deleted"
        if self.moved:
            return "moved"
        if self.linked:
            return "added"
        return "updated"


class ChangeFeed:
    def __init__(self, repo: ChangeRepository, crypto: RegistryCrypto) -> None:
        self.repo = repo
        self.crypto = crypto

    def head(self, sources: Collection[str]) -> ChangesOut:
        """No change, and the cursor of the latest one: where a consumer that has just
        synchronised in full (a batch, an ingest) starts reading."""
        last = self.repo.last_position(frozenset(sources))
        return ChangesOut(
            changes=[], next_cursor=format_cursor(last) if last else None, has_more=False
        )

    def page(self, sources: Collection[str], after: Position | None, limit: int) -> ChangesOut:
        """The changes after ``after`` concerning records of ``sources``: at most ``limit``,
        whole changes only."""
        sources = frozenset(sources)
        first = self.repo.events_of_sources(sources, after, limit)
        if not first:
            cursor = format_cursor(after) if after else None
            return ChangesOut(changes=[], next_cursor=cursor, has_more=False)
        keys, events, upto = self._whole_changes(sources, first)
        changes = self._entries(sources, keys, events)
        return ChangesOut(
            changes=changes,
            next_cursor=format_cursor(upto),
            has_more=self.repo.any_after(sources, upto),
        )

    def _whole_changes(
        self, sources: frozenset[str], first: list[FeedEvent]
    ) -> tuple[list[str], list[PersonEvent], Position]:
        """Extend a page to the whole changes it touches: the page ends at the last event of
        its changes that concerns ``sources``, and every change with such an event before
        that point is in it (changes written in one transaction may interleave)."""
        order: dict[str, Position] = {}
        for event in first:
            order.setdefault(event.change_key, event.position)
        upto = first[-1].position
        while True:
            events = self.repo.events_of_changes(order)
            mine = [Position(e.xact_id, e.id) for e in events if e.source in sources]
            top = max(mine, default=upto)
            if top <= upto:
                break
            for event in self.repo.events_of_sources(sources, upto, 0, upto=top):
                order.setdefault(event.change_key, event.position)
            upto = top
        keys = sorted(order, key=lambda k: order[k])
        return keys, events, upto

    def _entries(
        self, sources: frozenset[str], keys: list[str], events: list[PersonEvent]
    ) -> list[ChangeOut]:
        by_change: dict[str, list[PersonEvent]] = defaultdict(list)
        for event in events:
            by_change[event.change_id or f"#{event.id}"].append(event)
        record_ids = [
            e.record_id for e in events if e.record_id is not None and e.source in sources
        ]
        sealed = self.repo.sealed_records(record_ids)
        refs: dict[uuid.UUID, str] = {}
        for rid, (key_id, blob) in sealed.items():
            refs[rid] = str(self.crypto.sealer.open(rid, key_id, blob)["source_ref"])
        return [self._entry(key, by_change[key], sources, refs) for key in keys]

    def _entry(
        self,
        key: str,
        events: list[PersonEvent],
        sources: frozenset[str],
        refs: dict[uuid.UUID, str],
    ) -> ChangeOut:
        records: dict[uuid.UUID, _RecordChange] = {}
        redirects: list[RedirectChangeOut] = []
        created: list[str] = []
        for e in events:
            kind = e.kind
            if e.record_id is not None and e.source in sources:
                r = records.setdefault(e.record_id, _RecordChange(str(e.source)))
                if kind == EventKind.RECORD_LINKED:
                    r.linked = True
                    r.after = e.person_id
                    if e.other_person_id is not None:
                        r.moved = True
                        r.before = r.before or e.other_person_id
                elif kind == EventKind.RECORD_UNLINKED:
                    r.moved = True
                    r.before = e.person_id
                    r.after = r.after or e.other_person_id
                elif kind == EventKind.RECORD_UPDATED:
                    r.updated = True
                    r.before = r.before or e.person_id
                    r.after = r.after or e.person_id
                elif kind == EventKind.RECORD_DELETED:
                    r.deleted = True
                    r.before = e.person_id
                    r.after = None
            if kind in (EventKind.MERGED_INTO, EventKind.REDIRECTED) and e.other_person_id:
                redirects.append(
                    RedirectChangeOut(from_person_id=e.person_id, to_person_id=e.other_person_id)
                )
            elif kind == EventKind.CREATED:
                created.append(e.person_id)
        first = events[0]
        return ChangeOut(
            change_id=first.change_id or key,
            at=max(e.at for e in events),
            cause=first.cause,
            decision_id=next((e.decision_id for e in events if e.decision_id), None),
            kinds=[e.kind for e in events],
            records=[
                ChangedRecordOut(
                    source=r.source,
                    source_ref=None if r.deleted else refs.get(rid),
                    change=r.change,
                    person_before=None if r.change == "added" else r.before,
                    person_after=r.after,
                )
                for rid, r in records.items()
            ],
            redirects=redirects,
            created_person_ids=created,
        )
