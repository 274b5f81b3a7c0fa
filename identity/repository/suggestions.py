"""Match suggestions and reviewers' decisions, as the registry's automatic processes read and
write them (the review queue itself is ``identity.review.repository``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from identity.models import (
    Decision,
    DecisionKind,
    Link,
    MatchSuggestion,
    SuggestionStatus,
)
from identity.repository.base import BaseRepository, chunks


class SuggestionRepository(BaseRepository):
    """Suggestions and decisions (must-links, cannot-links)."""

    def pending_pairs(self, record_ids: Iterable[uuid.UUID]) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """Pending suggestion pairs touching ``record_ids`` (both orders)."""
        s = MatchSuggestion
        pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for chunk in chunks(list(set(record_ids))):
            ids = list(chunk)
            stmt = select(s.record_id, s.candidate_record_id).where(
                s.status == SuggestionStatus.PENDING.value,
                or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)),
            )
            for a, b in self.session.execute(stmt):
                pairs.add((a, b))
                pairs.add((b, a))
        return pairs

    def insert_suggestions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._insert_many(MatchSuggestion, rows)

    def close_suggestions_of(
        self, record_ids: Sequence[uuid.UUID], reason: str, at: datetime
    ) -> int:
        s = MatchSuggestion
        closed = 0
        for chunk in chunks(list(record_ids)):
            ids = list(chunk)
            result = self.session.execute(
                update(s)
                .where(
                    s.status == SuggestionStatus.PENDING.value,
                    or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)),
                )
                .values(
                    status=SuggestionStatus.CLOSED.value,
                    closed_reason=reason,
                    version=s.version + 1,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )
            closed += getattr(result, "rowcount", 0) or 0
        return closed

    def pending_suggestions(self) -> list[Any]:
        s = MatchSuggestion
        stmt = select(s.id, s.record_id, s.candidate_record_id).where(
            s.status == SuggestionStatus.PENDING.value
        )
        return list(self.session.execute(stmt))

    def close_suggestions(self, ids: Sequence[int], reason: str, at: datetime) -> None:
        s = MatchSuggestion
        for chunk in chunks(list(ids)):
            self.session.execute(
                update(s)
                .where(s.id.in_(list(chunk)), s.status == SuggestionStatus.PENDING.value)
                .values(
                    status=SuggestionStatus.CLOSED.value,
                    closed_reason=reason,
                    version=s.version + 1,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )

    def pending_count_for_record(self, record_id: uuid.UUID) -> int:
        s = MatchSuggestion
        stmt = select(func.count()).where(
            s.status == SuggestionStatus.PENDING.value,
            or_(s.record_id == record_id, s.candidate_record_id == record_id),
        )
        return int(self.session.execute(stmt).scalar_one())

    def active_constraints(
        self, record_ids: Iterable[uuid.UUID] | None = None
    ) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], list[tuple[uuid.UUID, uuid.UUID]]]:
        """(must_link, cannot_link) pairs from decisions still in force.

        With ``record_ids``, only the decisions touching those records.
        """
        d = Decision
        stmt = select(d.record_a_id, d.record_b_id, d.decision).where(
            d.revoked_by_id.is_(None),
            d.record_a_id.is_not(None),
            d.record_b_id.is_not(None),
            d.decision.in_([DecisionKind.SAME.value, DecisionKind.DIFFERENT.value]),
        )
        rows: list[Any] = []
        if record_ids is None:
            rows = list(self.session.execute(stmt))
        else:
            for chunk in chunks(list(set(record_ids))):
                ids = list(chunk)
                rows.extend(
                    self.session.execute(
                        stmt.where(or_(d.record_a_id.in_(ids), d.record_b_id.in_(ids)))
                    )
                )
        must: list[tuple[uuid.UUID, uuid.UUID]] = []
        cannot: list[tuple[uuid.UUID, uuid.UUID]] = []
        for a, b, kind in rows:
            (must if kind == DecisionKind.SAME.value else cannot).append((a, b))
        return must, cannot

    def persons_declared_different(self, person_id: str, others: Sequence[str]) -> set[str]:
        """Those of ``others`` holding a record declared "different" from one of ``person_id``."""
        if not others:
            return set()
        d = Decision
        la, lb = Link.__table__.alias("la"), Link.__table__.alias("lb")
        stmt = (
            select(la.c.person_id, lb.c.person_id)
            .select_from(d)
            .join(la, la.c.record_id == d.record_a_id)
            .join(lb, lb.c.record_id == d.record_b_id)
            .where(
                d.decision == DecisionKind.DIFFERENT.value,
                d.revoked_by_id.is_(None),
                or_(
                    (la.c.person_id == person_id) & lb.c.person_id.in_(list(others)),
                    (lb.c.person_id == person_id) & la.c.person_id.in_(list(others)),
                ),
            )
        )
        return {b if a == person_id else a for a, b in self.session.execute(stmt)}

    def decided_pairs(self) -> set[frozenset[uuid.UUID]]:
        """Record pairs with a decision in force, whatever it said (never suggested again)."""
        d = Decision
        stmt = select(d.record_a_id, d.record_b_id).where(
            d.revoked_by_id.is_(None), d.record_a_id.is_not(None), d.record_b_id.is_not(None)
        )
        return {frozenset((a, b)) for a, b in self.session.execute(stmt) if a and b}

    def latest_decision_id(self) -> int:
        return int(
            self.session.execute(select(func.coalesce(func.max(Decision.id), 0))).scalar_one()
        )

    def decisions_touching(self, record_ids: Sequence[uuid.UUID]) -> list[Decision]:
        if not record_ids:
            return []
        ids = list(record_ids)
        stmt = (
            select(Decision)
            .where(or_(Decision.record_a_id.in_(ids), Decision.record_b_id.in_(ids)))
            .order_by(Decision.decided_at, Decision.id)
        )
        return list(self.session.scalars(stmt))

    def suggestions_touching(self, record_ids: Sequence[uuid.UUID]) -> list[MatchSuggestion]:
        if not record_ids:
            return []
        ids = list(record_ids)
        s = MatchSuggestion
        stmt = (
            select(s)
            .where(or_(s.record_id.in_(ids), s.candidate_record_id.in_(ids)))
            .order_by(s.created_at, s.id)
        )
        return list(self.session.scalars(stmt))
