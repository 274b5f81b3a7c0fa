"""Persons, the links of records to them and their events: who holds which record, and the
history of every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from identity.models import (
    EventKind,
    Link,
    Person,
    PersonEvent,
    PersonStatus,
    SourceRecord,
)
from identity.repository.base import BaseRepository, chunks


class PersonRepository(BaseRepository):
    """Persons, links and events."""

    def get_person(self, person_id: str) -> Person | None:
        return self.session.get(Person, person_id)

    def survivor_of(self, person_id: str) -> str | None:
        """The active person a (possibly merged-away) identifier stands for now."""
        current = person_id
        for _ in range(64):  # redirects are re-pointed on merge; a long chain means corruption
            row = self.session.execute(
                select(Person.status, Person.merged_into_id).where(Person.id == current)
            ).first()
            if row is None:
                return None
            if row.merged_into_id is None:
                return current
            current = row.merged_into_id
        raise RuntimeError("redirect chain too long")

    def person_created_at(self, person_ids: Iterable[str]) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for chunk in chunks(list(set(person_ids))):
            stmt = select(Person.id, Person.created_at).where(Person.id.in_(list(chunk)))
            out.update({pid: at for pid, at in self.session.execute(stmt)})
        return out

    def persons_of(self, record_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        out: dict[uuid.UUID, str] = {}
        for chunk in chunks(list(set(record_ids))):
            stmt = select(Link.record_id, Link.person_id).where(Link.record_id.in_(list(chunk)))
            out.update({rid: pid for rid, pid in self.session.execute(stmt)})
        return out

    def records_of_person(self, person_id: str) -> list[uuid.UUID]:
        stmt = select(Link.record_id).where(Link.person_id == person_id)
        return list(self.session.scalars(stmt))

    def record_counts(self, person_ids: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in chunks(list(set(person_ids))):
            stmt = (
                select(Link.person_id, func.count())
                .where(Link.person_id.in_(list(chunk)))
                .group_by(Link.person_id)
            )
            counts.update({pid: n for pid, n in self.session.execute(stmt)})
        return counts

    def person_records(self, person_id: str) -> list[tuple[SourceRecord, Link]]:
        stmt = (
            select(SourceRecord, Link)
            .join(Link, Link.record_id == SourceRecord.id)
            .where(Link.person_id == person_id)
            .order_by(SourceRecord.source, SourceRecord.record_date, SourceRecord.created_at)
        )
        return [(rec, link) for rec, link in self.session.execute(stmt)]

    def person_events(self, person_ids: Sequence[str]) -> list[PersonEvent]:
        stmt = (
            select(PersonEvent)
            .where(PersonEvent.person_id.in_(list(person_ids)))
            .order_by(PersonEvent.at, PersonEvent.id)
        )
        return list(self.session.scalars(stmt))

    def merged_into(self, person_id: str) -> list[str]:
        """Every identifier that (directly or not) redirects to ``person_id``."""
        stmt = select(Person.id).where(Person.merged_into_id == person_id).order_by(Person.id)
        return list(self.session.scalars(stmt))

    def insert_persons(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(Person, rows)

    def insert_links(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(Link, rows)

    def update_links(self, rows: list[dict[str, Any]]) -> None:
        """Rows carry ``record_id`` and the columns to set."""
        if rows:
            self._update_many(Link, "record_id", rows)

    def mark_merged(self, merged: Sequence[tuple[str, str]], at: datetime) -> None:
        """Persons ``loser`` now redirect to ``survivor``; earlier redirects follow them."""
        for loser, survivor in merged:
            self.session.execute(
                update(Person)
                .where(Person.id == loser)
                .values(status=PersonStatus.MERGED.value, merged_into_id=survivor, updated_at=at)
            )
            self.session.execute(
                update(Person)
                .where(Person.merged_into_id == loser)
                .values(merged_into_id=survivor, updated_at=at)
            )

    def set_person_status(
        self, person_ids: Sequence[str], status: PersonStatus, at: datetime
    ) -> None:
        for chunk in chunks(list(person_ids)):
            self.session.execute(
                update(Person)
                .where(Person.id.in_(list(chunk)))
                .values(status=status.value, updated_at=at)
            )

    def touch_persons(self, person_ids: Iterable[str], at: datetime) -> None:
        for chunk in chunks(sorted(set(person_ids))):
            self.session.execute(
                update(Person).where(Person.id.in_(list(chunk))).values(updated_at=at)
            )

    def insert_events(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(PersonEvent, rows)

    def records_with_source(self, person_id: str) -> list[tuple[uuid.UUID, str]]:
        """(record id, source) of every record ``person_id`` holds, by record id."""
        stmt = (
            select(Link.record_id, SourceRecord.source)
            .join(SourceRecord, SourceRecord.id == Link.record_id)
            .where(Link.person_id == person_id)
            .order_by(Link.record_id)
        )
        return [(rid, source) for rid, source in self.session.execute(stmt)]

    def restore_person(self, person_id: str, at: datetime) -> None:
        self.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(status="active", merged_into_id=None, updated_at=at)
            .execution_options(synchronize_session=False)
        )

    def repoint_redirects(self, person_ids: Sequence[str], target: str, at: datetime) -> None:
        for chunk in chunks(list(person_ids)):
            self.session.execute(
                update(Person)
                .where(Person.id.in_(list(chunk)))
                .values(merged_into_id=target, updated_at=at)
                .execution_options(synchronize_session=False)
            )

    def redirected_to(self, person_id: str) -> list[Person]:
        stmt = (
            select(Person)
            .where(Person.merged_into_id == person_id)
            .order_by(Person.updated_at.desc(), Person.id)
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(stmt))

    def last_event(self, person_id: str, kind: EventKind) -> PersonEvent | None:
        stmt = (
            select(PersonEvent)
            .where(PersonEvent.person_id == person_id, PersonEvent.kind == kind.value)
            .order_by(PersonEvent.at.desc(), PersonEvent.id.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def last_merge_targets(self, person_ids: Sequence[str]) -> dict[str, str | None]:
        """For each person, the person its latest ``merged_into`` event names."""
        out: dict[str, str | None] = {}
        for pid in person_ids:
            event = self.last_event(pid, EventKind.MERGED_INTO)
            out[pid] = event.other_person_id if event else None
        return out

    def records_unlinked_at(self, person_id: str, at: datetime) -> list[uuid.UUID]:
        """Records that left ``person_id`` in the unit of work stamped ``at`` (a merge)."""
        stmt = (
            select(PersonEvent.record_id)
            .where(
                PersonEvent.person_id == person_id,
                PersonEvent.kind == EventKind.RECORD_UNLINKED.value,
                PersonEvent.at == at,
                PersonEvent.record_id.is_not(None),
            )
            .order_by(PersonEvent.id)
        )
        return [rid for rid in self.session.scalars(stmt) if rid is not None]
