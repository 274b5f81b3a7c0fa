"""Business rules of the review: the queue, what a reviewer reads, decisions, and undo.

Decisions are final and take effect at once, in the caller's transaction (never committed
here):

- **same**: the two persons become one. The survivor (the person with more records, then the
  older, then the smaller identifier) keeps its identifier; every record of the other moves to
  it, and the other identifier redirects to the survivor. The two records get a manual link
  (no automatic process moves them again) and the decision is a must-link for every later
  re-linkage.
- **different**: a cannot-link between the two records, honoured by resolve and re-linkage.
  If they already belong to one person (a re-linkage put them together meanwhile and the page
  was refreshed), the suggestion's record leaves it for a new person of its own.
- **unsure**: escalated; the suggestion stays open in the ``escalated`` queue.

"same" and "different" close every other pending suggestion they settle: between the two
persons merged, or between the two persons declared different.

A decision quotes the version it read; the version covers the suggestion and the persons of its
two records, so a decision made on an outdated page (another reviewer, a re-linkage) is refused
(:class:`StaleReviewError`, HTTP 409) instead of applied to something the reviewer did not see.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from identity.audit import AccessContext, record_access
from identity.crypto import RegistryCrypto
from identity.ids import normalise_person_id
from identity.models import (
    ChangeCause,
    Decision,
    DecisionKind,
    EventKind,
    Link,
    MatchSuggestion,
    PersonStatus,
    SuggestionStatus,
)
from identity.persons import PersonChanges, choose_survivor, manual_link
from identity.review.comparison import compare_fields, parse_contributions, prior_weight
from identity.review.config import ReviewSettings
from identity.review.models import OpinionStatus
from identity.review.namesakes import find_namesakes
from identity.review.repository import QueueCursor, QueueFilter, ReviewRepository
from identity.review.schemas import (
    DecisionIn,
    DecisionOut,
    DecisionResult,
    DecisionValue,
    IdentityOut,
    OtherRecord,
    PersonSummary,
    QueueCounts,
    QueueStatus,
    RecordOut,
    ReviewDetail,
    ReviewListItem,
    ReviewPage,
    SettledBy,
    SettledReview,
    SplitOut,
)
from identity.schemas import LinkOut
from identity.service import link_out
from srj.auth import Principal


class ReviewNotFoundError(LookupError):
    pass


class StaleReviewError(Exception):
    """The suggestion changed since the reviewer read it; ``current`` is its version now."""

    def __init__(self, reason: str, current: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.current = current


class ReviewRuleError(ValueError):
    """The request breaks a rule of the review (the message says which, in French; ``field``
    names the form field at fault, for the pages to write the message next to it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SplitConflictError(Exception):
    """The undo cannot apply to the registry as it stands now (the message says why)."""


class InvalidCursorError(ValueError):
    pass


def utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC): make every timestamp aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _link_out(link: Link) -> LinkOut:
    # SQLite hands back naive datetimes (stored as UTC): answer RFC 3339 with an offset.
    out = link_out(link)
    return out.model_copy(update={"linked_at": utc(out.linked_at)})


def version_token(
    suggestion_version: int, person_a: str, person_b: str, opinion_id: int | None = None
) -> str:
    """The review's version: the suggestion's counter and a digest of what else the reviewer
    saw change-prone (the persons of its two records, a pending second opinion)."""
    digest = hashlib.blake2b(
        f"{person_a}|{person_b}|{opinion_id or ''}".encode(), digest_size=5
    ).hexdigest()
    return f"{suggestion_version}.{digest}"


def encode_cursor(cursor: QueueCursor) -> str:
    raw = orjson.dumps([cursor.n_sources, cursor.uncertainty_rank, cursor.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> QueueCursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        n_sources, rank, last_id = values
        if not all(isinstance(v, int) for v in values):
            raise ValueError
        return QueueCursor(n_sources, rank, last_id)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise InvalidCursorError("the cursor is not one this API returned") from None


@dataclass(frozen=True)
class _PairState:
    suggestion: MatchSuggestion
    person_a: str
    person_b: str
    opinion_id: int | None
    opinion_first_reviewer: str | None

    @property
    def version(self) -> str:
        return version_token(self.suggestion.version, self.person_a, self.person_b, self.opinion_id)


class ReviewService:
    def __init__(
        self,
        repo: ReviewRepository,
        crypto: RegistryCrypto,
        settings: ReviewSettings,
        *,
        now: datetime | None = None,
    ) -> None:
        self.repo = repo
        self.crypto = crypto
        self.settings = settings
        self._now = now

    @property
    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    # -- the queue -----------------------------------------------------------------------------

    def _status_of(self, row: Any, reviewer: str) -> QueueStatus:
        if row.status == SuggestionStatus.PENDING.value:
            return QueueStatus.PENDING if row.decision_id is None else QueueStatus.ESCALATED
        opinion = self.repo.second_opinion(row.id)
        if (
            opinion is not None
            and opinion.status == OpinionStatus.PENDING.value
            and opinion.first_reviewer != reviewer
        ):
            return QueueStatus.SECOND_OPINION
        return QueueStatus.CLOSED

    def _list_item(
        self, row: Any, status: QueueStatus, courts: dict[uuid.UUID, str]
    ) -> ReviewListItem:
        opinion_id = None
        if status == QueueStatus.SECOND_OPINION:
            opinion = self.repo.second_opinion(row.id)
            opinion_id = opinion.id if opinion else None
        created = utc(row.created_at)
        return ReviewListItem(
            id=row.id,
            status=status,
            version=version_token(row.version, row.person_a, row.person_b, opinion_id),
            match_probability=row.match_probability,
            match_weight=row.match_weight,
            uncertainty=round(1 - abs(2 * row.match_probability - 1), 4),
            created_at=created,
            age_days=round((self.now - created).total_seconds() / 86400, 2),
            person_ids=[row.person_a, row.person_b],
            sources=[row.source_a, row.source_b],
            sources_in_persons=int(row.n_sources),
            records_in_persons=int(row.n_records),
            courts=sorted(
                {c for c in (courts.get(row.record_id), courts.get(row.candidate_record_id)) if c}
            ),
        )

    def queue(
        self,
        principal: Principal,
        *,
        status: QueueStatus = QueueStatus.PENDING,
        source: str | None = None,
        court: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> ReviewPage:
        """A page of the queue. No identity trait is read: nothing to write to the access log."""
        size = min(limit or self.settings.page_size, 500)
        flt = QueueFilter(source=source, court=court)
        position = decode_cursor(cursor) if cursor else None
        entries = self.repo.queue_page(
            status.value,
            flt,
            size + 1,
            position,
            principal.subject,
            order_ttl=self.settings.queue_order_seconds,
        )
        more = len(entries) > size
        entries = entries[:size]
        rows = [row for _, row in entries]
        courts = self.repo.courts_of(
            [r.record_id for r in rows] + [r.candidate_record_id for r in rows]
        )
        items = [self._list_item(r, status, courts) for r in rows]
        next_cursor = encode_cursor(entries[-1][0]) if more and entries else None
        counts = self.repo.queue_counts(flt, principal.subject)
        first = self.repo.oldest_open(flt)
        oldest = round((self.now - utc(first)).total_seconds() / 86400, 2) if first else None
        return ReviewPage(
            items=items,
            next_cursor=next_cursor,
            counts=QueueCounts(**counts),
            oldest_pending_days=oldest,
        )

    def next_review_id(
        self, principal: Principal, *, source: str | None = None, court: str | None = None
    ) -> int | None:
        """The first suggestion of the queue: second opinions the caller owes come first, then
        the pending ones (never one the caller just escalated)."""
        flt = QueueFilter(source=source, court=court)
        for status in (QueueStatus.SECOND_OPINION, QueueStatus.PENDING):
            entries = self.repo.queue_page(
                status.value,
                flt,
                1,
                None,
                principal.subject,
                order_ttl=self.settings.queue_order_seconds,
            )
            if entries:
                return int(entries[0][1].id)
        return None

    # -- one review ------------------------------------------------------------------------------

    def _pair_state(self, suggestion_id: int) -> _PairState:
        suggestion = self.repo.suggestion(suggestion_id)
        if suggestion is None:
            raise ReviewNotFoundError(suggestion_id)
        persons = self.repo.registry.persons.persons_of(
            [suggestion.record_id, suggestion.candidate_record_id]
        )
        opinion = None
        if suggestion.status == SuggestionStatus.CLOSED.value:
            found = self.repo.second_opinion(suggestion_id)
            if found is not None and found.status == OpinionStatus.PENDING.value:
                opinion = found
        return _PairState(
            suggestion=suggestion,
            person_a=persons[suggestion.record_id],
            person_b=persons[suggestion.candidate_record_id],
            opinion_id=opinion.id if opinion else None,
            opinion_first_reviewer=opinion.first_reviewer if opinion else None,
        )

    def _status(self, state: _PairState, principal: Principal) -> QueueStatus:
        s = state.suggestion
        if s.status == SuggestionStatus.PENDING.value:
            return QueueStatus.PENDING if s.decision_id is None else QueueStatus.ESCALATED
        if state.opinion_id is not None and state.opinion_first_reviewer != principal.subject:
            return QueueStatus.SECOND_OPINION
        return QueueStatus.CLOSED

    def _open(self, record_id: uuid.UUID, key_id: str, sealed: bytes) -> dict[str, Any]:
        return self.crypto.sealer.open(record_id, key_id, sealed)

    def review(self, suggestion_id: int, ctx: AccessContext) -> ReviewDetail:
        """Everything a reviewer reads about a suggestion; every person shown is access-logged."""
        state = self._pair_state(suggestion_id)
        s = state.suggestion
        status = self._status(state, ctx.principal)
        a_id, b_id = s.record_id, s.candidate_record_id
        records = self.repo.records([a_id, b_id])
        links = self.repo.links([a_id, b_id])
        courts = self.repo.courts_of([a_id, b_id])
        sides = []
        for rid in (a_id, b_id):
            rec = records[rid]
            payload = self._open(rec.id, rec.seal_key_id, rec.sealed)
            traits = payload.get("traits")
            sides.append(
                IdentityOut(
                    record=RecordOut(
                        source=rec.source,
                        source_ref=str(payload["source_ref"]),
                        record_date=rec.record_date,
                        court=courts.get(rid),
                    ),
                    person_id=links[rid].person_id,
                    link=_link_out(links[rid]),
                    traits=dict(traits) if isinstance(traits, dict) else {},
                    standardised=orjson.loads(rec.std),
                )
            )
        left, right = sides
        record_access(self.repo.registry, ctx, person_id=left.person_id, record_id=a_id)
        record_access(self.repo.registry, ctx, person_id=right.person_id, record_id=b_id)

        person_ids = list(dict.fromkeys([left.person_id, right.person_id]))
        persons = self._person_summaries(person_ids, {a_id, b_id})
        namesakes = find_namesakes(
            self.repo,
            [(a_id, left.standardised), (b_id, right.standardised)],
            exclude_persons=set(person_ids),
            settings=self.settings,
        )
        for namesake in namesakes:
            record_access(self.repo.registry, ctx, person_id=namesake.person_id)

        contributions = parse_contributions(orjson.loads(s.contributions or "{}"))
        blind = status == QueueStatus.SECOND_OPINION
        settled_by = None
        if s.closed_reason == "settled_by_decision" and s.decision_id is not None:
            settling = self.repo.decisions([s.decision_id]).get(s.decision_id)
            if settling is not None and settling.suggestion_id is not None:
                settled_by = SettledBy(
                    decision_id=settling.id,
                    decision=DecisionValue(settling.decision),
                    review_id=settling.suggestion_id,
                    decided_at=utc(settling.decided_at),
                )
        decisions = [] if blind else self._decisions_out(self.repo.decisions_of_suggestion(s.id))
        return ReviewDetail(
            id=s.id,
            status=status,
            version=state.version,
            created_at=utc(s.created_at),
            match_probability=s.match_probability,
            match_weight=s.match_weight,
            model_version=s.model_version,
            closed_reason=None if blind else s.closed_reason,
            left=left,
            right=right,
            comparison=compare_fields(
                left.traits, right.traits, left.standardised, right.standardised
            ),
            contributions=contributions,
            prior_weight=round(prior_weight(s.match_weight, contributions), 6),
            persons=persons,
            same_person_now=left.person_id == right.person_id,
            namesakes=namesakes,
            decisions=decisions,
            settled_by=settled_by,
        )

    def _person_summaries(
        self, person_ids: Sequence[str], suggested: set[uuid.UUID]
    ) -> list[PersonSummary]:
        grouped: dict[str, list[OtherRecord]] = defaultdict(list)
        for row in self.repo.person_record_rows(person_ids):
            payload = self._open(row.id, row.seal_key_id, row.sealed)
            grouped[row.person_id].append(
                OtherRecord(
                    source=row.source,
                    source_ref=str(payload["source_ref"]),
                    record_date=row.record_date,
                    origin=row.origin,
                    suggested=row.id in suggested,
                )
            )
        return [PersonSummary(person_id=p, records=grouped.get(p, [])) for p in person_ids]

    @staticmethod
    def _decisions_out(decisions: Sequence[Decision]) -> list[DecisionOut]:
        return [
            DecisionOut(
                id=d.id,
                decision=d.decision,
                reviewer=d.reviewer,
                reason=d.reason,
                decided_at=utc(d.decided_at),
                revoked=d.revoked_by_id is not None,
            )
            for d in decisions
        ]

    # -- decisions -----------------------------------------------------------------------------

    def settled(self, decision_id: int) -> list[SettledReview]:
        """The suggestions a decision settled, each with why (no identity trait: sources and
        probability only, as in the queue)."""
        decision = self.repo.decisions([decision_id]).get(decision_id)
        rows = self.repo.settled_by(decision_id)
        if decision is None or not rows:
            return []
        records = self.repo.records(
            [r.record_id for r in rows] + [r.candidate_record_id for r in rows]
        )
        why = (
            f"ses deux fiches appartiennent désormais à la même personne (décision n° "
            f"{decision_id} : même personne)"
            if decision.decision == DecisionKind.SAME.value
            else f"ses deux fiches appartiennent aux deux personnes déclarées différentes "
            f"(décision n° {decision_id})"
        )
        return [
            SettledReview(
                id=r.id,
                match_probability=r.match_probability,
                sources=[records[r.record_id].source, records[r.candidate_record_id].source],
                why=why,
            )
            for r in rows
        ]

    def _check_reason(self, decision: DecisionValue, reason: str | None) -> str | None:
        text = (reason or "").strip() or None
        if decision == DecisionValue.DIFFERENT and (
            text is None or len(text) < self.settings.min_reason_length
        ):
            raise ReviewRuleError(
                "Un motif est obligatoire pour déclarer deux personnes différentes "
                f"(au moins {self.settings.min_reason_length} caractères).",
                field="reason",
            )
        return text

    def decide(
        self,
        suggestion_id: int,
        body: DecisionIn,
        principal: Principal,
        *,
        source: str | None = None,
        court: str | None = None,
    ) -> DecisionResult:
        reason = self._check_reason(body.decision, body.reason)
        # One decision at a time across the registry: resolves and re-linkage hold this lock
        # (shared / exclusive) on PostgreSQL; SQLite's writers already queue.
        self.repo.registry.lock_keys((), exclusive_registry=True)
        state = self._pair_state(suggestion_id)
        s = state.suggestion
        if s.status == SuggestionStatus.CLOSED.value:
            if state.opinion_id is None:
                raise StaleReviewError("closed", None)
            if state.opinion_first_reviewer == principal.subject:
                raise ReviewRuleError(
                    "Vous avez pris la première décision : le second avis revient à un autre "
                    "relecteur."
                )
            if body.version != state.version:
                raise StaleReviewError("changed", state.version)
            return self._second_opinion(state, body.decision, reason, principal, source, court)
        if body.version != state.version:
            raise StaleReviewError("changed", state.version)

        self._check_constraints(state, body.decision)
        now = self.now
        decision_id = self.repo.insert_decision(
            {
                "suggestion_id": s.id,
                "record_a_id": s.record_id,
                "record_b_id": s.candidate_record_id,
                "decision": body.decision.value,
                "reviewer": principal.subject[:128],
                "reason": reason,
                "decided_at": now,
            }
        )
        result = _Applied(persons=[state.person_a, state.person_b])
        if body.decision == DecisionValue.SAME:
            self._apply_same(state, decision_id, principal, now, result)
        elif body.decision == DecisionValue.DIFFERENT:
            self._apply_different(state, decision_id, principal, now, result)

        if body.decision == DecisionValue.UNSURE:
            values: dict[str, Any] = {"decision_id": decision_id, "updated_at": now}
            status = QueueStatus.ESCALATED
        else:
            values = {
                "status": SuggestionStatus.CLOSED.value,
                "closed_reason": "decided",
                "decision_id": decision_id,
                "updated_at": now,
            }
            status = QueueStatus.CLOSED
        if not self.repo.update_suggestion(s.id, s.version, **values):
            # Only possible if something wrote the suggestion without the registry lock.
            raise StaleReviewError("changed", None)

        requested = False
        if body.decision != DecisionValue.UNSURE and self._sampled():
            self.repo.add_second_opinion(
                {
                    "suggestion_id": s.id,
                    "decision_id": decision_id,
                    "first_reviewer": principal.subject[:128],
                    "status": OpinionStatus.PENDING.value,
                    "requested_at": now,
                }
            )
            requested = True
        return DecisionResult(
            review_id=s.id,
            decision_id=decision_id,
            decision=body.decision,
            kind="decision",
            status=status,
            person_ids=result.persons,
            merged_person_id=result.merged,
            survivor_person_id=result.survivor,
            separated_person_id=result.separated,
            settled_reviews=result.settled,
            settled=self.settled(decision_id) if result.settled else [],
            second_opinion_requested=requested,
            agreement=None,
            next_review_id=self.next_review_id(principal, source=source, court=court),
        )

    def _check_constraints(self, state: _PairState, decision: DecisionValue) -> None:
        """Refuse a decision that would break an earlier one still in force: a merge across a
        cannot-link, or taking a record away from a record it was declared the same as."""
        registry = self.repo.registry
        s = state.suggestion
        if decision == DecisionValue.SAME and state.person_a != state.person_b:
            left = set(registry.persons.records_of_person(state.person_a))
            right = set(registry.persons.records_of_person(state.person_b))
            clash = sorted(
                {
                    d.id
                    for d in registry.suggestions.decisions_touching(sorted(left, key=str))
                    if d.revoked_by_id is None
                    and d.decision == DecisionKind.DIFFERENT.value
                    and {d.record_a_id, d.record_b_id} & left
                    and {d.record_a_id, d.record_b_id} & right
                }
            )
            if clash:
                raise ReviewRuleError(
                    "Fusion impossible : une décision en vigueur déclare différentes deux fiches "
                    f"de ces personnes (décision n° {', '.join(map(str, clash))}). Consultez "
                    "l'historique des deux personnes : si cette décision était erronée, "
                    "signalez-le ; sinon, l'une des fiches est mal rattachée."
                )
        if decision == DecisionValue.DIFFERENT and state.person_a == state.person_b:
            staying = set(registry.persons.records_of_person(state.person_a)) - {s.record_id}
            tied = sorted(
                d.id
                for d in registry.suggestions.decisions_touching([s.record_id])
                if d.revoked_by_id is None
                and d.decision == DecisionKind.SAME.value
                and ({d.record_a_id, d.record_b_id} - {s.record_id}) & staying
            )
            if tied:
                raise ReviewRuleError(
                    "Séparation impossible : une décision en vigueur rattache cette fiche à la "
                    f"même personne (décision n° {', '.join(map(str, tied))}). Annulez d'abord "
                    "la fusion correspondante depuis l'historique de la personne."
                )

    def _sampled(self) -> bool:
        rate = self.settings.second_opinion_rate
        if rate <= 0:
            return False
        if rate >= 1:
            return True
        return secrets.randbelow(1_000_000) < rate * 1_000_000

    def _changes(self, principal: Principal, decision_id: int, now: datetime) -> PersonChanges:
        return PersonChanges(
            self.repo.registry,
            cause=ChangeCause.REVIEWER,
            actor=principal.subject,
            at=now,
            decision_id=decision_id,
        )

    def _apply_same(
        self,
        state: _PairState,
        decision_id: int,
        principal: Principal,
        now: datetime,
        result: _Applied,
    ) -> None:
        s = state.suggestion
        changes = self._changes(principal, decision_id, now)
        if state.person_a != state.person_b:
            survivor, merged = choose_survivor(self.repo.registry, state.person_a, state.person_b)
            changes.merge(merged, survivor, detail={"review_id": s.id})
            result.survivor, result.merged = survivor, merged
            result.persons = [survivor, survivor]
        changes.pin([s.record_id, s.candidate_record_id])
        changes.flush()
        # Every pending suggestion inside the survivor is settled.
        person = result.survivor or state.person_a
        records = self.repo.registry.persons.records_of_person(person)
        settled = [sid for sid in self.repo.pending_between(records, records) if sid != s.id]
        result.settled = self.repo.settle_suggestions(settled, decision_id, now)

    def _apply_different(
        self,
        state: _PairState,
        decision_id: int,
        principal: Principal,
        now: datetime,
        result: _Applied,
    ) -> None:
        s = state.suggestion
        if state.person_a == state.person_b:
            # The two records are one person now: the suggestion's record leaves it.
            person = state.person_a
            changes = self._changes(principal, decision_id, now)
            source = self.repo.records([s.record_id])[s.record_id].source
            with changes.change():
                new_person = changes.create(split_from=person)
                changes.move(s.record_id, source, person, new_person, manual_link(decision_id))
            changes.flush()
            result.separated = new_person
            result.persons = [new_person, person]
            return
        left = self.repo.registry.persons.records_of_person(state.person_a)
        right = self.repo.registry.persons.records_of_person(state.person_b)
        settled = [sid for sid in self.repo.pending_between(left, right) if sid != s.id]
        result.settled = self.repo.settle_suggestions(settled, decision_id, now)

    def _second_opinion(
        self,
        state: _PairState,
        opinion: DecisionValue,
        reason: str | None,
        principal: Principal,
        source: str | None,
        court: str | None,
    ) -> DecisionResult:
        assert state.opinion_id is not None
        first = self.repo.decisions([state.suggestion.decision_id or 0]).get(
            state.suggestion.decision_id or 0
        )
        agreed = first is not None and first.decision == opinion.value
        now = self.now
        if not self.repo.answer_second_opinion(
            state.opinion_id,
            status=(OpinionStatus.AGREED if agreed else OpinionStatus.DISAGREED).value,
            reviewer=principal.subject[:128],
            opinion=opinion.value,
            reason=reason,
            answered_at=now,
        ):
            raise StaleReviewError("changed", None)
        return DecisionResult(
            review_id=state.suggestion.id,
            decision_id=first.id if first else 0,
            decision=opinion,
            kind="second_opinion",
            status=QueueStatus.CLOSED,
            person_ids=[state.person_a, state.person_b],
            merged_person_id=None,
            survivor_person_id=None,
            separated_person_id=None,
            settled_reviews=0,
            second_opinion_requested=False,
            agreement=agreed,
            next_review_id=self.next_review_id(principal, source=source, court=court),
        )

    # -- undo a merge ------------------------------------------------------------------------

    def split(
        self, raw_person_id: str, raw_merged_id: str, reason: str, principal: Principal
    ) -> SplitOut:
        """Undo the merge of ``merged`` into ``person``: the records that moved with it go back,
        the merged-away identifier is active again, and a cannot-link keeps them apart."""
        text = reason.strip()
        if len(text) < self.settings.min_reason_length:
            raise ReviewRuleError(
                "Un motif est obligatoire pour annuler une fusion "
                f"(au moins {self.settings.min_reason_length} caractères)."
            )
        person_id = normalise_person_id(raw_person_id)
        merged_id = normalise_person_id(raw_merged_id)
        registry = self.repo.registry
        registry.lock_keys((), exclusive_registry=True)
        person = registry.persons.get_person(person_id)
        merged = registry.persons.get_person(merged_id)
        if person is None or merged is None:
            raise ReviewNotFoundError(person_id if person is None else merged_id)
        registry.session.refresh(person)
        registry.session.refresh(merged)
        if person.status != PersonStatus.ACTIVE.value:
            raise SplitConflictError(
                "This person is not active (merged away or emptied): undo from the person "
                "its identifier redirects to."
            )
        if merged.status != PersonStatus.MERGED.value or merged.merged_into_id != person_id:
            raise SplitConflictError(
                "The identifier to restore is not merged into this person (already undone, or "
                "merged elsewhere)."
            )
        merge_event = self.repo.registry.persons.last_event(merged_id, EventKind.MERGED_INTO)
        if merge_event is None:
            raise SplitConflictError("No merge of this identifier is recorded.")
        moved = self.repo.registry.persons.records_unlinked_at(merged_id, merge_event.at)
        holder = registry.persons.persons_of(moved)
        back = [rid for rid in moved if holder.get(rid) == person_id]
        if not back:
            raise SplitConflictError(
                "None of the records that came with the merge belong to this person any more."
            )
        staying = [
            rid for rid in registry.persons.records_of_person(person_id) if rid not in set(back)
        ]
        if not staying:
            raise SplitConflictError(
                "Every record of this person came with the merge: nothing would remain."
            )
        earlier = (
            self.repo.decisions([merge_event.decision_id]).get(merge_event.decision_id)
            if merge_event.decision_id
            else None
        )
        back_set, staying_set = set(back), set(staying)
        later = sorted(
            d.id
            for d in registry.suggestions.decisions_touching(back)
            if d.revoked_by_id is None
            and d.decision == DecisionKind.SAME.value
            and (earlier is None or d.id != earlier.id)
            and {d.record_a_id, d.record_b_id} & back_set
            and {d.record_a_id, d.record_b_id} & staying_set
        )
        if later:
            raise SplitConflictError(
                "A later decision put records of both sides together "
                f"(decision {', '.join(map(str, later))}): undo the merges it made first."
            )
        anchor_back, anchor_stay = back[0], staying[0]
        if earlier is not None and earlier.decision == DecisionKind.SAME.value:
            pair = {earlier.record_a_id, earlier.record_b_id}
            anchor_back = next((r for r in back if r in pair), anchor_back)
            anchor_stay = next((r for r in staying if r in pair), anchor_stay)

        now = self.now
        actor = principal.subject
        undo_id = self.repo.insert_decision(
            {
                "suggestion_id": None,
                "record_a_id": anchor_back,
                "record_b_id": anchor_stay,
                "decision": DecisionKind.DIFFERENT.value,
                "reviewer": actor[:128],
                "reason": text,
                "decided_at": now,
            }
        )
        revoked = None
        if earlier is not None and earlier.decision == DecisionKind.SAME.value:
            self.repo.revoke_decision(earlier.id, undo_id)
            revoked = earlier.id

        changes = self._changes(principal, undo_id, now)
        sources = {r.id: r.source for r in self.repo.records(back).values()}
        # Identifiers that had been merged into the restored one follow it back.
        followers = [
            p.id
            for p in self.repo.registry.persons.redirected_to(person_id)
            if p.id != merged_id
            and self.repo.registry.persons.last_merge_targets([p.id]).get(p.id) == merged_id
        ]
        with changes.change():  # the undo is one change
            changes.restore(merged_id, person_id, detail={"undoes_decision": revoked})
            # The restored records are where a reviewer put them: manual links.
            for rid in back:
                changes.move(rid, sources.get(rid), person_id, merged_id, manual_link(undo_id))
            changes.pin([anchor_stay])
            changes.repoint(followers, merged_id)
        changes.flush()
        return SplitOut(
            person_id=person_id,
            restored_person_id=merged_id,
            records_moved=len(back),
            decision_id=undo_id,
            revoked_decision_id=revoked,
        )


@dataclass
class _Applied:
    persons: list[str]
    survivor: str | None = None
    merged: str | None = None
    separated: str | None = None
    settled: int = 0
