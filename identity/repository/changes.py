"""The queries of the change feed (``GET /v1/changes``): person events in commit-safe order.

Events are read in ``(xact_id, id)`` order. On PostgreSQL only events of transactions older
than every transaction still in flight are visible to the feed (``xact_id`` below the
snapshot's ``xmin``): a transaction that commits later has an id at least that ``xmin``, so
its events sort after every event already served, and a cursor never passes an event that is
not there yet. SQLite serialises writers: every committed event is safe (``xact_id`` 0).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, literal, or_, select, text, tuple_

from identity.models import PersonEvent, SourceRecord
from identity.repository.base import BaseRepository, chunks


@dataclass(frozen=True, order=True)
class Position:
    """Where an event stands in the feed."""

    xact_id: int
    event_id: int


@dataclass(frozen=True)
class FeedEvent:
    position: Position
    change_key: str  # its change_id (hex), or "#<id>" for events written before identity_0002


class ChangeRepository(BaseRepository):
    def _after(self, position: Position | None) -> ColumnElement[bool]:
        if position is None:
            return literal(True)
        return tuple_(PersonEvent.xact_id, PersonEvent.id) > tuple_(
            literal(position.xact_id), literal(position.event_id)
        )

    def _visible(self) -> ColumnElement[bool]:
        if not self.is_postgresql:
            return literal(True)
        # Older than every transaction in flight; or written by the reading transaction
        # itself (none for a request of the feed, which writes nothing: a job, or a test
        # running in one transaction, reads its own changes).
        return or_(
            PersonEvent.xact_id < text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint"),
            PersonEvent.xact_id == text("pg_current_xact_id_if_assigned()::text::bigint"),
        )

    def events_of_sources(
        self,
        sources: Collection[str],
        after: Position | None,
        limit: int,
        upto: Position | None = None,
    ) -> list[FeedEvent]:
        """The next events concerning records of ``sources``, in feed order (at most
        ``limit``; all of them up to ``upto`` included when it is given)."""
        conditions = [
            PersonEvent.source.in_(sorted(sources)),
            self._after(after),
            self._visible(),
        ]
        if upto is not None:
            conditions.append(
                tuple_(PersonEvent.xact_id, PersonEvent.id)
                <= tuple_(literal(upto.xact_id), literal(upto.event_id))
            )
        stmt = (
            select(PersonEvent.xact_id, PersonEvent.id, PersonEvent.change_id)
            .where(and_(*conditions))
            .order_by(PersonEvent.xact_id, PersonEvent.id)
        )
        if upto is None:
            stmt = stmt.limit(limit)
        return [
            FeedEvent(Position(int(x), int(i)), change_id or f"#{i}")
            for x, i, change_id in self.session.execute(stmt)
        ]

    def events_of_changes(self, keys: Collection[str]) -> list[PersonEvent]:
        """Every event of these changes (any source), in feed order."""
        change_ids = sorted(k for k in keys if not k.startswith("#"))
        legacy = sorted(int(k[1:]) for k in keys if k.startswith("#"))
        out: list[PersonEvent] = []
        for chunk in chunks(change_ids):
            out.extend(
                self.session.scalars(select(PersonEvent).where(PersonEvent.change_id.in_(chunk)))
            )
        for chunk in chunks(legacy):
            out.extend(self.session.scalars(select(PersonEvent).where(PersonEvent.id.in_(chunk))))
        return sorted(out, key=lambda e: (e.xact_id, e.id))

    def sealed_records(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[str, bytes]]:
        """(seal key id, sealed payload) of the records still held."""
        out: dict[uuid.UUID, tuple[str, bytes]] = {}
        for chunk in chunks(sorted(set(record_ids))):
            stmt = select(SourceRecord.id, SourceRecord.seal_key_id, SourceRecord.sealed).where(
                SourceRecord.id.in_(chunk)
            )
            for rid, key_id, sealed in self.session.execute(stmt):
                out[rid] = (key_id, bytes(sealed))
        return out

    def any_after(self, sources: Collection[str], after: Position | None) -> bool:
        stmt = (
            select(PersonEvent.id)
            .where(
                PersonEvent.source.in_(sorted(sources)),
                self._after(after),
                self._visible(),
            )
            .limit(1)
        )
        return self.session.execute(stmt).first() is not None

    def last_position(self, sources: Collection[str]) -> Position | None:
        """The position of the last visible event concerning ``sources``."""
        stmt = (
            select(PersonEvent.xact_id, PersonEvent.id)
            .where(PersonEvent.source.in_(sorted(sources)), self._visible())
            .order_by(PersonEvent.xact_id.desc(), PersonEvent.id.desc())
            .limit(1)
        )
        row = self.session.execute(stmt).first()
        return Position(int(row[0]), int(row[1])) if row else None
