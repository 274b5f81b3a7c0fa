"""Every query of the review workflow.

Registry-wide queries (records, links, persons, events, the access log) stay in
:class:`identity.repository.RegistryRepository`; this repository reaches them through
``self.registry`` and adds what only the review needs: the ordered queue, the pair of a
suggestion, merge history, second opinions, courts and the figures of the statistics page.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Result,
    Row,
    and_,
    case,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from identity.models import (
    BlockingKey,
    Decision,
    Link,
    MatchSuggestion,
    SourceRecord,
    SuggestionStatus,
)
from identity.repository import RegistryRepository
from identity.review.models import OpinionStatus, RecordCourt, SecondOpinion
from identity.review.queue_order import PENDING_ORDER
from matching import SOURCES

_CHUNK = 5000


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (DML results are cursor results; the generic type hides it)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class QueueCursor:
    """Keyset position in the queue: the sort key of the last row of the previous page."""

    n_sources: int
    uncertainty_rank: int
    id: int


@dataclass(frozen=True)
class QueueFilter:
    source: str | None = None
    court: str | None = None


def uncertainty_rank_expr(probability: Any) -> Any:
    """Five bands of ``1 - |2p - 1|`` (4: p near 0.5, the most uncertain), portable SQL."""
    distance = func.abs(probability * 2 - 1)
    return case(
        (distance < 0.2, 4),
        (distance < 0.4, 3),
        (distance < 0.6, 2),
        (distance < 0.8, 1),
        else_=0,
    )


def uncertainty_rank(probability: float) -> int:
    distance = abs(2 * probability - 1)
    for rank, bound in ((4, 0.2), (3, 0.4), (2, 0.6), (1, 0.8)):
        if distance < bound:
            return rank
    return 0


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.registry = RegistryRepository(session)

    # -- the queue ---------------------------------------------------------------------------
    #
    # The queue is ordered by values computed over both persons of each suggestion (how many
    # applications their records span, how many records). Computing them with a correlated
    # subquery per suggestion cost ~0.7 s for 20,000 pending suggestions on PostgreSQL; here
    # each person's set of sources is one bit mask, computed once per person with a GROUP BY,
    # and a suggestion's number of sources is the population count of the OR of its two masks.

    def _status_clause(self, status: str, reviewer: str) -> Any:
        s = MatchSuggestion.__table__
        if status == "pending":
            return and_(s.c.status == SuggestionStatus.PENDING.value, s.c.decision_id.is_(None))
        if status == "escalated":
            return and_(s.c.status == SuggestionStatus.PENDING.value, s.c.decision_id.is_not(None))
        if status == "second_opinion":
            so = SecondOpinion.__table__
            return (
                select(literal(1))
                .where(
                    so.c.suggestion_id == s.c.id,
                    so.c.status == OpinionStatus.PENDING.value,
                    so.c.first_reviewer != reviewer,
                )
                .exists()
            )
        if status == "closed":
            return s.c.status == SuggestionStatus.CLOSED.value
        if status == "open":  # pending or escalated
            return s.c.status == SuggestionStatus.PENDING.value
        raise ValueError(status)

    def _base(self, flt: QueueFilter, status: str, reviewer: str, *, light: bool = False) -> Any:
        """Suggestions of a queue with their two persons and sources (no priority yet);
        ``light``: only the suggestions' own columns (counts and ages)."""
        s = MatchSuggestion.__table__
        if light:
            return self._light_base(flt, status, reviewer)
        links = Link.__table__
        records = SourceRecord.__table__
        la, lb = links.alias("la"), links.alias("lb")
        ra, rb = records.alias("ra"), records.alias("rb")
        stmt = (
            select(
                s.c.id,
                s.c.record_id,
                s.c.candidate_record_id,
                s.c.match_probability,
                s.c.match_weight,
                s.c.created_at,
                s.c.updated_at,
                s.c.version,
                s.c.status,
                s.c.decision_id,
                la.c.person_id.label("person_a"),
                lb.c.person_id.label("person_b"),
                ra.c.source.label("source_a"),
                rb.c.source.label("source_b"),
            )
            .select_from(
                s.join(la, la.c.record_id == s.c.record_id)
                .join(lb, lb.c.record_id == s.c.candidate_record_id)
                .join(ra, ra.c.id == s.c.record_id)
                .join(rb, rb.c.id == s.c.candidate_record_id)
            )
            .where(self._status_clause(status, reviewer))
        )
        return self._filtered(stmt, flt)

    def _light_base(self, flt: QueueFilter, status: str, reviewer: str) -> Any:
        s = MatchSuggestion.__table__
        stmt = select(s.c.id, s.c.created_at).where(self._status_clause(status, reviewer))
        return self._filtered(stmt, flt)

    @staticmethod
    def _filtered(stmt: Any, flt: QueueFilter) -> Any:
        """Either record of the suggestion from this source / this court."""
        s = MatchSuggestion.__table__
        records = SourceRecord.__table__
        if flt.source:
            stmt = stmt.where(
                select(literal(1))
                .where(
                    records.c.source == flt.source,
                    or_(records.c.id == s.c.record_id, records.c.id == s.c.candidate_record_id),
                )
                .exists()
            )
        if flt.court:
            courts = RecordCourt.__table__
            stmt = stmt.where(
                select(literal(1))
                .where(
                    courts.c.court == flt.court,
                    or_(
                        courts.c.record_id == s.c.record_id,
                        courts.c.record_id == s.c.candidate_record_id,
                    ),
                )
                .exists()
            )
        return stmt

    @staticmethod
    def _with_priority(base: Any) -> Any:
        """``base`` plus n_sources, n_records and urank, as a subquery.

        Each suggestion appears once per person (UNION ALL), is joined to that person's
        records (an equi-join on the indexed person id), and is grouped back: the OR of the
        records' source bits is the set of applications of both persons, and the distinct
        record ids their records (one person counted once if both records are in it).
        """
        rows = base.subquery("queue_rows")
        links = Link.__table__
        records = SourceRecord.__table__
        columns = list(rows.c)
        per_person = union_all(
            select(*columns, rows.c.person_a.label("person")),
            select(*columns, rows.c.person_b.label("person")),
        ).subquery("per_person")
        kept = [per_person.c[c.name] for c in columns]
        bit = case(
            *((records.c.source == src, 1 << i) for i, src in enumerate(SOURCES)),
            else_=1 << len(SOURCES),  # any other application
        )
        mask = func.sum(distinct(bit))
        n_sources = sum((mask.op(">>")(i).op("&")(1) for i in range(len(SOURCES) + 1)), literal(0))
        return (
            select(
                *kept,
                n_sources.label("n_sources"),
                func.count(distinct(links.c.record_id)).label("n_records"),
                uncertainty_rank_expr(per_person.c.match_probability).label("urank"),
            )
            .select_from(
                per_person.join(links, links.c.person_id == per_person.c.person).join(
                    records, records.c.id == links.c.record_id
                )
            )
            .group_by(*kept)
            .subquery()
        )

    def _priorities(self, base: Any) -> list[tuple[int, int, int]]:
        """(-n_sources, -urank, id) of every suggestion of ``base``: the queue's sort keys."""
        if self.registry.is_postgresql:
            # The planner cannot estimate joins on subqueries and overestimates this query by
            # orders of magnitude, which switches JIT compilation on: seconds of compiling for
            # a query that runs in a fraction of one. Off for this transaction only.
            self.session.execute(text("SET LOCAL jit = off"))
        sub = self._with_priority(base)
        stmt = select(sub.c.n_sources, sub.c.urank, sub.c.id)
        return [(-int(n), -int(u), int(i)) for n, u, i in self.session.execute(stmt)]

    def suggestion_marker(self) -> tuple[int, datetime | None]:
        """The newest suggestion of any status: (its id, its creation time)."""
        s = MatchSuggestion
        row = self.session.execute(
            select(s.id, s.created_at).order_by(s.id.desc()).limit(1)
        ).first()
        return (int(row.id), row.created_at) if row else (0, None)

    def queue_page(
        self,
        status: str,
        flt: QueueFilter,
        limit: int,
        cursor: QueueCursor | None,
        reviewer: str,
        *,
        order_ttl: float = 60.0,
    ) -> list[tuple[QueueCursor, Row[Any]]]:
        """One page of the queue, most consequential first, each row with its cursor.

        ``pending``: undecided suggestions; ``escalated``: suggestions a reviewer marked
        unsure; ``second_opinion``: decided suggestions sampled for a blind second review,
        owed by anyone but their first decider (``reviewer`` sees those he did not decide);
        ``closed``: decided or settled, latest first. The pending queue's order is kept
        between requests (:mod:`identity.review.queue_order`); the rows are always read
        afresh.
        """
        s = MatchSuggestion.__table__
        base = self._base(flt, status, reviewer)
        if status == "closed":
            # History can be long: take the page first, then compute its priorities.
            if cursor is not None:
                base = base.where(s.c.id < cursor.id)
            sub = self._with_priority(base.order_by(s.c.id.desc()).limit(limit))
            rows = self.session.execute(select(sub).order_by(sub.c.id.desc()))
            return [(QueueCursor(int(r.n_sources), int(r.urank), r.id), r) for r in rows]
        if status == "pending":
            url = self.session.get_bind().engine.url.render_as_string(hide_password=True)
            keys = PENDING_ORDER.keys(
                (url, flt),
                self.suggestion_marker(),
                order_ttl,
                lambda after: self._priorities(
                    base if after is None else base.where(s.c.id > after)
                ),
            )
        else:  # short queues: ordered afresh
            keys = sorted(self._priorities(base))
        start = 0
        if cursor is not None:
            start = bisect.bisect_right(
                keys, (-cursor.n_sources, -cursor.uncertainty_rank, cursor.id)
            )
        page: list[tuple[QueueCursor, Row[Any]]] = []
        position = start
        while len(page) < limit and position < len(keys):
            chunk = keys[position : position + max(2 * limit, 20)]
            position += len(chunk)
            sub = self._with_priority(base.where(s.c.id.in_([k[2] for k in chunk])))
            fresh = {r.id: r for r in self.session.execute(select(sub))}
            for key in chunk:
                row = fresh.get(key[2])
                if row is not None:  # still in this queue
                    page.append((QueueCursor(-key[0], -key[1], key[2]), row))
                    if len(page) == limit:
                        break
        return page

    def queue_counts(self, flt: QueueFilter, reviewer: str) -> dict[str, int]:
        counts = {}
        for status in ("pending", "escalated", "second_opinion"):
            sub = self._base(flt, status, reviewer, light=True).subquery()
            counts[status] = int(
                self.session.execute(select(func.count()).select_from(sub)).scalar_one()
            )
        return counts

    def oldest_open(self, flt: QueueFilter) -> datetime | None:
        """Creation time of the oldest open suggestion (pending or escalated)."""
        sub = self._base(flt, "open", "", light=True).subquery()
        return self.session.execute(select(func.min(sub.c.created_at))).scalar_one()

    def pending_ages(self, flt: QueueFilter) -> list[datetime]:
        """Creation times of the open suggestions (pending or escalated), for their ages."""
        sub = self._base(flt, "open", "", light=True).subquery()
        return list(self.session.scalars(select(sub.c.created_at)))

    def pending_by_source(self) -> dict[str, int]:
        """Undecided suggestions per source (a suggestion counts for each of its two sources)."""
        s = MatchSuggestion.__table__
        r = SourceRecord.__table__
        counts: dict[str, int] = defaultdict(int)
        for column in (s.c.record_id, s.c.candidate_record_id):
            stmt = (
                select(r.c.source, func.count(distinct(s.c.id)))
                .select_from(s.join(r, r.c.id == column))
                .where(s.c.status == SuggestionStatus.PENDING.value)
                .group_by(r.c.source)
            )
            for source, n in self.session.execute(stmt):
                counts[source] += int(n)
        return dict(counts)

    def courts(self) -> list[str]:
        stmt = select(RecordCourt.court).distinct().order_by(RecordCourt.court)
        return list(self.session.scalars(stmt))

    # -- one suggestion ---------------------------------------------------------------------

    def suggestion(self, suggestion_id: int) -> MatchSuggestion | None:
        stmt = (
            select(MatchSuggestion)
            .where(MatchSuggestion.id == suggestion_id)
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(stmt).first()

    def records(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SourceRecord]:
        out: dict[uuid.UUID, SourceRecord] = {}
        for chunk in _chunks(list(set(ids))):
            stmt = (
                select(SourceRecord)
                .where(SourceRecord.id.in_(list(chunk)))
                .execution_options(populate_existing=True)
            )
            out.update({r.id: r for r in self.session.scalars(stmt)})
        return out

    def links(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Link]:
        out: dict[uuid.UUID, Link] = {}
        for chunk in _chunks(list(set(record_ids))):
            stmt = (
                select(Link)
                .where(Link.record_id.in_(list(chunk)))
                .execution_options(populate_existing=True)
            )
            out.update({lk.record_id: lk for lk in self.session.scalars(stmt)})
        return out

    def person_record_rows(self, person_ids: Sequence[str]) -> list[Row[Any]]:
        """(person_id, record id, source, record_date, sealed, seal_key_id, origin, linked_at,
        decision_id, match_probability) of every record of ``person_ids``."""
        r, lk = SourceRecord, Link
        stmt = (
            select(
                lk.person_id,
                r.id,
                r.source,
                r.record_date,
                r.sealed,
                r.seal_key_id,
                lk.origin,
                lk.linked_at,
                lk.decision_id,
                lk.match_probability,
            )
            .join(lk, lk.record_id == r.id)
            .where(lk.person_id.in_(list(person_ids)))
            .order_by(lk.person_id, r.record_date, r.created_at, r.id)
        )
        return list(self.session.execute(stmt))

    def courts_of(self, record_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        out: dict[uuid.UUID, str] = {}
        for chunk in _chunks(list(set(record_ids))):
            stmt = select(RecordCourt.record_id, RecordCourt.court).where(
                RecordCourt.record_id.in_(list(chunk))
            )
            out.update({rid: court for rid, court in self.session.execute(stmt)})
        return out

    def key_hashes_of(self, record_ids: Sequence[uuid.UUID]) -> list[int]:
        stmt = (
            select(BlockingKey.key_hash)
            .where(BlockingKey.record_id.in_(list(record_ids)))
            .distinct()
        )
        return list(self.session.scalars(stmt))

    def decisions_of_suggestion(self, suggestion_id: int) -> list[Decision]:
        stmt = (
            select(Decision)
            .where(Decision.suggestion_id == suggestion_id)
            .order_by(Decision.decided_at, Decision.id)
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(stmt))

    def settled_by(self, decision_id: int) -> list[MatchSuggestion]:
        """The other suggestions a decision settled (closed without a decision of their own)."""
        stmt = (
            select(MatchSuggestion)
            .where(
                MatchSuggestion.decision_id == decision_id,
                MatchSuggestion.closed_reason == "settled_by_decision",
            )
            .order_by(MatchSuggestion.id)
            .execution_options(populate_existing=True)
        )
        return list(self.session.scalars(stmt))

    def decisions(self, ids: Sequence[int]) -> dict[int, Decision]:
        if not ids:
            return {}
        stmt = (
            select(Decision)
            .where(Decision.id.in_(list(set(ids))))
            .execution_options(populate_existing=True)
        )
        return {d.id: d for d in self.session.scalars(stmt)}

    # -- writes --------------------------------------------------------------------------------

    def insert_decision(self, row: dict[str, Any]) -> int:
        result = self.session.execute(insert(Decision).values(**row).returning(Decision.id))
        return int(result.scalar_one())

    def revoke_decision(self, decision_id: int, revoked_by: int) -> None:
        self.session.execute(
            update(Decision)
            .where(Decision.id == decision_id, Decision.revoked_by_id.is_(None))
            .values(revoked_by_id=revoked_by)
        )

    def update_suggestion(self, suggestion_id: int, expected_version: int, **values: Any) -> bool:
        """Compare-and-set on the suggestion's version; False if someone changed it meanwhile."""
        s = MatchSuggestion
        result = self.session.execute(
            update(s)
            .where(s.id == suggestion_id, s.version == expected_version)
            .values(version=s.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def pending_between(self, left: Sequence[uuid.UUID], right: Sequence[uuid.UUID]) -> list[int]:
        """Pending suggestions with one record in ``left`` and the other in ``right``."""
        s = MatchSuggestion
        lset, rset = set(left), set(right)
        ids: set[int] = set()
        for chunk in _chunks(sorted(lset | rset)):
            stmt = select(s.id, s.record_id, s.candidate_record_id).where(
                s.status == SuggestionStatus.PENDING.value,
                or_(s.record_id.in_(list(chunk)), s.candidate_record_id.in_(list(chunk))),
            )
            for sid, a, b in self.session.execute(stmt):
                if (a in lset and b in rset) or (a in rset and b in lset):
                    ids.add(sid)
        return sorted(ids)

    def settle_suggestions(self, ids: Sequence[int], decision_id: int, at: datetime) -> int:
        s = MatchSuggestion
        closed = 0
        for chunk in _chunks(list(ids)):
            result = self.session.execute(
                update(s)
                .where(s.id.in_(list(chunk)), s.status == SuggestionStatus.PENDING.value)
                .values(
                    status=SuggestionStatus.CLOSED.value,
                    closed_reason="settled_by_decision",
                    decision_id=decision_id,
                    version=s.version + 1,
                    updated_at=at,
                )
                .execution_options(synchronize_session=False)
            )
            closed += _rowcount(result)
        return closed

    # -- second opinions -------------------------------------------------------------------------

    def add_second_opinion(self, row: dict[str, Any]) -> None:
        self.session.execute(insert(SecondOpinion), [row])

    def second_opinion(self, suggestion_id: int) -> SecondOpinion | None:
        stmt = (
            select(SecondOpinion)
            .where(SecondOpinion.suggestion_id == suggestion_id)
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(stmt).first()

    def answer_second_opinion(self, opinion_id: int, **values: Any) -> bool:
        so = SecondOpinion
        result = self.session.execute(
            update(so)
            .where(so.id == opinion_id, so.status == OpinionStatus.PENDING.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    def answered_opinions(self) -> list[Row[Any]]:
        """(first decision, second opinion, status) of every answered second opinion."""
        so, d = SecondOpinion, Decision
        stmt = (
            select(d.decision, so.opinion, so.status)
            .join(d, d.id == so.decision_id)
            .where(so.status != OpinionStatus.PENDING.value)
        )
        return list(self.session.execute(stmt))

    def disagreements(self, limit: int = 50) -> list[Row[Any]]:
        so, d = SecondOpinion, Decision
        stmt = (
            select(so.suggestion_id, d.decision, so.opinion, so.answered_at, d.record_a_id)
            .join(d, d.id == so.decision_id)
            .where(so.status == OpinionStatus.DISAGREED.value)
            .order_by(so.answered_at.desc())
            .limit(limit)
        )
        return list(self.session.execute(stmt))

    # -- statistics and labels -----------------------------------------------------------------

    def decisions_since(self, since: datetime) -> list[Row[Any]]:
        d = Decision
        stmt = select(d.decided_at, d.decision, d.reviewer).where(d.decided_at >= since)
        return list(self.session.execute(stmt))

    def label_rows(self) -> list[Row[Any]]:
        """Decisions with their pair's score when it was suggested, oldest first.

        (decision id, record a, record b, decision, revoked_by, decided_at, match_probability,
        match_weight, model_version) — score columns are null for decisions without a
        suggestion (an undo after a re-linkage merge).
        """
        d, s = Decision, MatchSuggestion
        stmt = (
            select(
                d.id,
                d.record_a_id,
                d.record_b_id,
                d.decision,
                d.revoked_by_id,
                d.decided_at,
                s.match_probability,
                s.match_weight,
                s.model_version,
            )
            .outerjoin(s, s.id == d.suggestion_id)
            .where(d.record_a_id.is_not(None), d.record_b_id.is_not(None))
            .order_by(d.decided_at, d.id)
        )
        return list(self.session.execute(stmt))

    def sealed_records(self, ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
        out: list[Row[Any]] = []
        for chunk in _chunks(list(set(ids))):
            stmt = select(
                SourceRecord.id, SourceRecord.source, SourceRecord.sealed, SourceRecord.seal_key_id
            ).where(SourceRecord.id.in_(list(chunk)))
            out.extend(self.session.execute(stmt))
        return out

    # -- courts ----------------------------------------------------------------------------------

    def upsert_courts(self, rows: Sequence[tuple[uuid.UUID, str]], at: datetime) -> None:
        ids = [rid for rid, _ in rows]
        for chunk in _chunks(ids):
            self.session.execute(delete(RecordCourt).where(RecordCourt.record_id.in_(list(chunk))))
        if rows:
            self.session.execute(
                insert(RecordCourt),
                [{"record_id": rid, "court": court, "updated_at": at} for rid, court in rows],
            )
