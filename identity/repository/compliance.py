"""What the registry owes as a holder of personal data: the access log, retention (deleting
records past their period) and key rotation (rewriting sealed rows).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update

from identity.models import (
    AccessLogEntry,
    BlockingKey,
    Decision,
    Link,
    MatchSuggestion,
    SourceRecord,
)
from identity.repository.base import BaseRepository, chunks


class ComplianceRepository(BaseRepository):
    """Access log, retention and key rotation."""

    def add_access(self, row: dict[str, Any]) -> None:
        self.session.execute(insert(AccessLogEntry), [row])

    def access_entries(self, person_ids: Sequence[str]) -> list[AccessLogEntry]:
        stmt = (
            select(AccessLogEntry)
            .where(AccessLogEntry.person_id.in_(list(person_ids)))
            .order_by(AccessLogEntry.at, AccessLogEntry.id)
        )
        return list(self.session.scalars(stmt))

    def count_expired(self, today: date) -> int:
        stmt = select(func.count()).where(SourceRecord.retain_until < today)
        return int(self.session.execute(stmt).scalar_one())

    def expired_records(self, today: date, limit: int) -> list[Any]:
        stmt = (
            select(SourceRecord.id, SourceRecord.source, Link.person_id)
            .join(Link, Link.record_id == SourceRecord.id)
            .where(SourceRecord.retain_until < today)
            .order_by(SourceRecord.retain_until, SourceRecord.id)
            .limit(limit)
        )
        return list(self.session.execute(stmt))

    def delete_records(self, record_ids: Sequence[uuid.UUID]) -> None:
        """Deletes records; their keys, links and suggestions go with them (ON DELETE CASCADE)."""
        for chunk in chunks(list(record_ids)):
            ids = list(chunk)
            # Cascades are declared, but SQLite enforces them only with foreign_keys=ON: be
            # explicit so the result never depends on a pragma.
            self.session.execute(delete(BlockingKey).where(BlockingKey.record_id.in_(ids)))
            self.session.execute(delete(Link).where(Link.record_id.in_(ids)))
            self.session.execute(
                delete(MatchSuggestion).where(
                    or_(
                        MatchSuggestion.record_id.in_(ids),
                        MatchSuggestion.candidate_record_id.in_(ids),
                    )
                )
            )
            self.session.execute(
                update(Decision).where(Decision.record_a_id.in_(ids)).values(record_a_id=None)
            )
            self.session.execute(
                update(Decision).where(Decision.record_b_id.in_(ids)).values(record_b_id=None)
            )
            self.session.execute(delete(SourceRecord).where(SourceRecord.id.in_(ids)))

    def records_for_rotation(
        self, ref_key: str, seal_key: str, after: uuid.UUID | None, limit: int
    ) -> list[Any]:
        r = SourceRecord
        stmt = (
            select(r.id, r.source, r.record_date, r.sealed, r.seal_key_id)
            .where(or_(r.ref_key_id != ref_key, r.seal_key_id != seal_key))
            .order_by(r.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(r.id > after)
        return list(self.session.execute(stmt))

    def sealed_page(self, after: uuid.UUID | None, limit: int) -> list[Any]:
        stmt = (
            select(
                SourceRecord.id,
                SourceRecord.source,
                SourceRecord.ref_key_id,
                SourceRecord.sealed,
                SourceRecord.seal_key_id,
            )
            .order_by(SourceRecord.id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(SourceRecord.id > after)
        return list(self.session.execute(stmt))
