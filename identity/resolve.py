"""Resolving source records to persons: the online API and bulk ingest share this one path.

For each record: standardise, find candidates through the indexed blocking keys (capped per
key), score them with the online scorer, then link to the best person the batch clustering
would let it join (below), or create a person and open a review suggestion for every candidate
person in the review band, or create a person. A batch is resolved in order, each record seeing
the ones before it; all rows are written at the end with a few multi-row statements.

A record joins a person automatically only as batch clustering (``matching.clustering``) lets
a record join a cluster:
- through an auto-link pair: a record of the person scoring at or above ``auto_link``, both
  records having the minimum evidence of ``matching.evidence`` (a surname, a given name, a year
  of birth, and the day or the place of birth);
- consistently: it scores at least ``review`` with *every* record of the person (those the
  candidate search did not return are read and scored too), none of them cannot-linked.
So a record lacking evidence never links (it may be suggested), and a weak record cannot
chain two persons: the next record must agree with the whole person, not with its best record.

Rules that hold whatever the scores say:
- a record is upserted by (source, HMAC(source_ref)): posting it again updates it, never adds
  a second record; an identical re-post changes nothing;
- a record on a manual link never moves;
- a person holding a record a reviewer declared "different" from this one is never linked;
- two writers resolving records with a blocking key in common are serialised (advisory locks
  on PostgreSQL, BEGIN IMMEDIATE on SQLite), so two posts of the same new person at the same
  moment end with one person.

Never commits: the request or the job owns the transaction.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson

from identity.config import RegistrySettings
from identity.crypto import Pseudonymiser, RegistryCrypto
from identity.matcher import CandidateScore, Matcher, Thresholds
from identity.models import (
    BlockingKey,
    ChangeCause,
    Link,
    LinkOrigin,
    MatchSuggestion,
    Person,
    PersonEvent,
    SourceRecord,
    SuggestionStatus,
)
from identity.persons import PersonChanges, auto_link
from identity.repository import CandidateRow, ExistingRecord, RegistryRepository, key_hash
from identity.schemas import RecordIn, ResolveStatus

# Above this many lock keys a batch takes the registry lock exclusively instead of one lock
# per key: PostgreSQL's shared lock table is sized for ~64 locks per connection.
MAX_KEY_LOCKS = 256


@dataclass(frozen=True)
class Resolution:
    record_id: uuid.UUID
    person_id: str
    status: ResolveStatus
    match_probability: float | None
    source: str
    source_ref: str
    changed: bool
    existed: bool = False  # the registry held the record before (a re-post)
    previous_person_id: str | None = None  # set when the record moved to another person


@dataclass(frozen=True)
class PersonScore:
    person_id: str
    best: CandidateScore  # the person's record that scored highest (what reviewers are shown)
    # Its best record having the minimum evidence for an automatic link (None: none has it).
    link: CandidateScore | None = None


@dataclass(frozen=True)
class Outcome:
    link_to: PersonScore | None
    review: tuple[PersonScore, ...]
    best_probability: float | None

    @property
    def link_score(self) -> CandidateScore | None:
        """The auto-link pair the record joins its person through."""
        return self.link_to.link if self.link_to is not None else None


@dataclass(frozen=True)
class Assessment:
    """What the decision rule saw for one record, and what it decided."""

    persons: tuple[PersonScore, ...]  # every candidate person, by its best records
    outcome: Outcome
    evidence: bool  # the record has the minimum evidence for an automatic link
    excluded: frozenset[str]  # persons a reviewer's "different" keeps it from
    decided: set[uuid.UUID]  # records a reviewer already decided about with this one


@dataclass(frozen=True)
class DryRun:
    """What resolve would do with a record: its answer (``person_id`` empty when a new person
    would be created), the assessment behind it (None when the record would not be resolved
    again: held unchanged, or on a reviewer's link) and the persons it would put to reviewers."""

    would: Resolution
    assessment: Assessment | None
    review: tuple[PersonScore, ...]


def _keeps_its_person(current: str | None, state: _BatchState) -> bool:
    """A held record that links to no one keeps its person if it is that person's only record
    (its identifier was handed out); otherwise it leaves for a new person."""
    return current is not None and state.count(current) <= 1


def _always(_: PersonScore) -> bool:
    return True


def _never(_: uuid.UUID) -> bool:
    return False


def decide(
    scores: Iterable[PersonScore],
    thresholds: Thresholds,
    excluded: set[str],
    *,
    evidence: bool = True,
    consistent: Callable[[PersonScore], bool] = _always,
) -> Outcome:
    """Pure decision rule: link, review or new (excluded persons are never linked nor suggested).

    The record links to the person with the strongest auto-link pair (``link`` at or above
    ``auto_link``) with which it is ``consistent``, trying persons from the strongest pair
    down, as batch clustering takes its pairs; never when the record itself lacks the
    minimum ``evidence``. Every other person at or above ``review`` (by its best record) is
    for reviewers.
    """
    eligible = sorted(
        (p for p in scores if p.person_id not in excluded),
        key=lambda p: (-p.best.match_weight, p.person_id),
    )
    if not eligible:
        return Outcome(None, (), None)
    link_to = None
    if evidence:
        linkable = sorted(
            (
                p
                for p in eligible
                if p.link is not None and p.link.match_probability >= thresholds.auto_link
            ),
            key=lambda p: (-p.link.match_weight if p.link else 0.0, p.person_id),
        )
        link_to = next((p for p in linkable if consistent(p)), None)
    review = tuple(
        p for p in eligible if p is not link_to and p.best.match_probability >= thresholds.review
    )
    return Outcome(link_to, review, eligible[0].best.match_probability)


def best_per_person(
    scores: Sequence[CandidateScore],
    rows: dict[uuid.UUID, CandidateRow],
    may_link: Callable[[uuid.UUID], bool] = lambda _: True,
) -> list[PersonScore]:
    """Per person: its best record, and its best record that ``may_link`` (has the evidence)."""
    best: dict[str, CandidateScore] = {}
    link: dict[str, CandidateScore] = {}
    for score in scores:
        person = rows[score.candidate_id].person_id
        current = best.get(person)
        if current is None or score.match_weight > current.match_weight:
            best[person] = score
        if may_link(score.candidate_id):
            current = link.get(person)
            if current is None or score.match_weight > current.match_weight:
                link[person] = score
    return [PersonScore(p, s, link.get(p)) for p, s in best.items()]


def traits_digest(
    pseudonymiser: Pseudonymiser,
    traits: dict[str, Any],
    record_date: date | None,
    client_record_id: str | None,
) -> bytes:
    """Keyed digest of what a source sent: equal digests mean an identical re-post."""
    payload = orjson.dumps(
        {"t": traits, "d": record_date, "r": client_record_id}, option=orjson.OPT_SORT_KEYS
    )
    return pseudonymiser.digest(payload)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class _Prepared:
    record: RecordIn
    std: dict[str, Any]
    std_json: str
    key_hashes: list[int]
    ref_key_id: str
    ref_hmac: bytes
    all_hmacs: list[bytes]
    digest: bytes
    retain_until: date
    existing: ExistingRecord | None = None


@dataclass
class _Writes:
    changes: PersonChanges  # persons, links and their events
    records: list[dict[str, Any]] = field(default_factory=list)
    record_updates: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    keys_replaced_for: list[uuid.UUID] = field(default_factory=list)
    superseded: list[uuid.UUID] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)


class Resolver:
    """Resolves batches of records inside the caller's transaction."""

    def __init__(
        self,
        repo: RegistryRepository,
        matcher: Matcher,
        crypto: RegistryCrypto,
        config: RegistrySettings,
        *,
        actor: str,
    ) -> None:
        self.repo = repo
        self.matcher = matcher
        self.crypto = crypto
        self.config = config
        self.actor = actor

    # -- public ----------------------------------------------------------------------------------

    def resolve(self, record: RecordIn) -> Resolution:
        return self.resolve_many([record])[0]

    def resolve_many(self, records: Sequence[RecordIn]) -> list[Resolution]:
        """Resolve ``records`` in order; a (source, source_ref) given twice keeps the last one."""
        now = datetime.now(UTC)
        last_of: dict[tuple[str, str], int] = {}
        for i, rec in enumerate(records):
            last_of[(rec.source, rec.source_ref)] = i
        prepared = {i: self._prepare(records[i], now) for i in sorted(last_of.values())}

        lock_keys: set[int] = set()
        for p in prepared.values():
            lock_keys.update(p.key_hashes)
            lock_keys.add(key_hash("ref:" + p.record.source + ":" + p.ref_hmac.hex()))
        exclusive = len(lock_keys) > MAX_KEY_LOCKS

        refs = [(p.record.source, h) for p in prepared.values() for h in p.all_hmacs]
        prefetched = None
        if len(prepared) == 1 and self.repo.is_postgresql and not exclusive:
            # The online path: the locks, the upsert lookup and the ranked candidates in one
            # round trip.
            only = next(iter(prepared.values()))
            lookup = self.repo.records.lock_and_lookup_one(
                lock_keys,
                refs,
                only.key_hashes,
                self.config.candidates_per_key,
                self.config.max_candidates,
                self.config.rare_key_records,
            )
            existing = lookup.existing
            prefetched = ([lookup.ranked], lookup.rows, lookup.counts, lookup.members)
        else:
            self.repo.lock_keys(lock_keys, exclusive_registry=exclusive)
            existing = self.repo.records.find_records(refs)
        for p in prepared.values():
            for h in p.all_hmacs:
                if (p.record.source, h) in existing:
                    p.existing = existing[(p.record.source, h)]
                    break

        self.matcher.calibrate(self.repo.records.registry_size)
        state = _BatchState(self.repo, self.config, self.matcher.has_auto_link_evidence)
        to_resolve = [p for p in prepared.values() if not self._unchanged(p)]
        state.prefetch(to_resolve, prefetched if to_resolve else None)

        writes = _Writes(PersonChanges(self.repo, cause=ChangeCause.AUTO, actor=self.actor, at=now))
        by_position: dict[int, Resolution] = {}
        for i, p in prepared.items():
            if self._unchanged(p):
                by_position[i] = self._current_state(p)
            else:
                with writes.changes.change():  # a record's person and link: one change
                    by_position[i] = self._resolve_one(p, state, writes, now)
        self._flush(writes, now)
        return [by_position[last_of[(rec.source, rec.source_ref)]] for rec in records]

    # -- steps -----------------------------------------------------------------------------------

    def _prepare(self, record: RecordIn, now: datetime) -> _Prepared:
        std = self.matcher.standardise(record.canonical())
        keys = sorted({key_hash(k) for k in self.matcher.blocking_keys(std)})
        hmacs = self.crypto.pseudonymiser.ref_hmacs(record.source, record.source_ref)
        traits = {k: v for k, v in record.traits().items() if v is not None}
        start = record.record_date or now.date()
        return _Prepared(
            record=record,
            std=std,
            std_json=orjson.dumps(std, option=orjson.OPT_SORT_KEYS).decode(),
            key_hashes=keys,
            ref_key_id=hmacs[0][0],
            ref_hmac=hmacs[0][1],
            all_hmacs=[h for _, h in hmacs],
            digest=traits_digest(
                self.crypto.pseudonymiser, traits, record.record_date, record.record_id
            ),
            retain_until=add_years(start, self.config.retention_for(record.source)),
        )

    def _unchanged(self, p: _Prepared) -> bool:
        e = p.existing
        return (
            e is not None
            and e.traits_digest == p.digest
            and e.std_version == self.matcher.standardisation_version
            and e.ref_key_id == p.ref_key_id
        )

    def _current_state(self, p: _Prepared) -> Resolution:
        e = p.existing
        assert e is not None
        if e.origin == LinkOrigin.MANUAL.value:
            status = ResolveStatus.LINKED
        elif self.repo.suggestions.pending_count_for_record(e.id):
            status = ResolveStatus.PENDING_REVIEW
        elif self.repo.persons.record_counts([e.person_id]).get(e.person_id, 0) > 1:
            status = ResolveStatus.LINKED
        else:
            status = ResolveStatus.NEW
        return Resolution(
            e.id,
            e.person_id,
            status,
            e.match_probability,
            e.source,
            p.record.source_ref,
            False,
            existed=True,
        )

    def _resolve_one(
        self, p: _Prepared, state: _BatchState, w: _Writes, now: datetime
    ) -> Resolution:
        e = p.existing
        record_id = e.id if e else uuid.uuid4()
        rec = p.record
        key_id, sealed = self.crypto.sealer.seal(
            record_id,
            {
                "source_ref": rec.source_ref,
                "record_id": rec.record_id,
                "traits": {k: v for k, v in rec.traits().items() if v is not None},
            },
        )
        record_row = {
            "id": record_id,
            "ref_hmac": p.ref_hmac,
            "ref_key_id": p.ref_key_id,
            "sealed": sealed,
            "seal_key_id": key_id,
            "traits_digest": p.digest,
            "std": p.std_json,
            "std_version": self.matcher.standardisation_version,
            "record_date": rec.record_date,
            "retain_until": p.retain_until,
            "updated_at": now,
        }
        if e is None:
            w.records.append({**record_row, "source": rec.source, "created_at": now})
        else:
            w.record_updates.append(record_row)
            w.keys_replaced_for.append(record_id)
            w.superseded.append(record_id)
        w.keys.extend({"key_hash": h, "record_id": record_id} for h in p.key_hashes)

        if e is not None and e.origin == LinkOrigin.MANUAL.value:
            # A reviewer put this record where it is: new traits do not move it.
            state.put(CandidateRow(record_id, p.std, e.person_id, e.origin), p.key_hashes)
            w.changes.update_in_place(
                record_id, rec.source, e.person_id, None, detail={"origin": LinkOrigin.MANUAL.value}
            )
            return Resolution(
                record_id,
                e.person_id,
                ResolveStatus.LINKED,
                None,
                rec.source,
                rec.source_ref,
                True,
                existed=True,
            )

        assessment = self._assess(p, state, record_id)
        outcome, decided = assessment.outcome, assessment.decided

        current = e.person_id if e else None
        if outcome.link_to is not None:
            target = outcome.link_to.person_id
            score: CandidateScore | None = outcome.link_score
            status = ResolveStatus.LINKED
        else:
            score = None
            status = ResolveStatus.PENDING_REVIEW if outcome.review else ResolveStatus.NEW
            if _keeps_its_person(current, state):
                assert current is not None
                target = current  # a person of its own already: keep its identifier
            else:
                target = w.changes.create(split_from=current)
                state.created(target)

        probability = score.match_probability if score else None
        values = auto_link(
            probability, score.match_weight if score else None, self.matcher.model_version
        )
        detail = {
            "origin": LinkOrigin.AUTO.value,
            "match_probability": probability,
            "model_version": self.matcher.model_version,
        }
        if e is None:
            w.changes.link(record_id, rec.source, target, values, detail=detail)
        elif target != current:
            assert current is not None
            # The old identifier was handed out: left empty, it redirects to the new one.
            emptied = state.count(current) <= 1
            state.moved(current, target)
            w.changes.move(
                record_id, rec.source, current, target, values, detail=detail, redirect_old=emptied
            )
        else:
            # The history names whoever changed the record, even when it stays where it was.
            w.changes.update_in_place(record_id, rec.source, target, values, detail=detail)
        state.put(CandidateRow(record_id, p.std, target, LinkOrigin.AUTO.value), p.key_hashes)
        if e is None:
            state.added(target)

        for ps in self._reviewable(outcome, decided):
            other = ps.best.candidate_id
            if not state.may_suggest(record_id, other):
                continue
            w.suggestions.append(
                {
                    "record_id": record_id,
                    "candidate_record_id": other,
                    "match_probability": ps.best.match_probability,
                    "match_weight": ps.best.match_weight,
                    "contributions": orjson.dumps(dict(ps.best.contributions)).decode(),
                    "model_version": self.matcher.model_version,
                    "status": SuggestionStatus.PENDING.value,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        probability = score.match_probability if score else outcome.best_probability
        return Resolution(
            record_id,
            target,
            status,
            probability,
            rec.source,
            rec.source_ref,
            True,
            existed=e is not None,
            previous_person_id=current if current is not None and current != target else None,
        )

    def _assess(self, p: _Prepared, state: _BatchState, record_id: uuid.UUID) -> Assessment:
        """The decision for one record: its candidates scored, grouped by person, and the rule
        (:func:`decide`) applied. Resolve acts on it; the dry run reports it."""
        candidates = state.candidates_for(p, exclude=record_id)
        scores = self.matcher.score(p.std, [(c.record_id, c.std) for c in candidates])
        rows = {c.record_id: c for c in candidates}
        excluded, decided = state.constraints_for(record_id)
        evidence = self.matcher.has_auto_link_evidence(p.std)
        # Without evidence of its own the record links to no one: its partners' is not read.
        persons = best_per_person(scores, rows, state.has_evidence if evidence else _never)

        def consistent(person: PersonScore) -> bool:
            return self._consistent(p.std, record_id, person.person_id, scores, state)

        outcome = decide(
            persons, self.matcher.thresholds, excluded, evidence=evidence, consistent=consistent
        )
        return Assessment(tuple(persons), outcome, evidence, frozenset(excluded), decided)

    def _reviewable(self, outcome: Outcome, decided: set[uuid.UUID]) -> tuple[PersonScore, ...]:
        """The review-band persons that become suggestions: not through a record a reviewer
        already decided about, nor declared different from the person the record joins."""
        review = outcome.review
        if review and outcome.link_to is not None:
            # Persons a reviewer declared different from the one just linked are not
            # suggested again: the decision is in force.
            apart = self.repo.suggestions.persons_declared_different(
                outcome.link_to.person_id, [p.person_id for p in review]
            )
            review = tuple(p for p in review if p.person_id not in apart)
        return tuple(p for p in review if p.best.candidate_id not in decided)

    def dry_run(self, record: RecordIn) -> DryRun:
        """What :meth:`resolve_many` would do with ``record`` now, through the same steps and
        the same :meth:`_assess`, without writing anything nor taking any lock (a writer
        may change the answer before the record is posted)."""
        p = self._prepare(record, datetime.now(UTC))
        refs = [(record.source, h) for h in p.all_hmacs]
        existing = self.repo.records.find_records(refs)
        p.existing = next((existing[r] for r in refs if r in existing), None)
        e = p.existing
        if self._unchanged(p):
            return DryRun(self._current_state(p), None, ())
        if e is not None and e.origin == LinkOrigin.MANUAL.value:
            held = Resolution(
                e.id,
                e.person_id,
                ResolveStatus.LINKED,
                None,
                e.source,
                record.source_ref,
                True,
                existed=True,
            )
            return DryRun(held, None, ())
        self.matcher.calibrate(self.repo.records.registry_size)
        state = _BatchState(self.repo, self.config, self.matcher.has_auto_link_evidence)
        state.prefetch([p])
        record_id = e.id if e is not None else uuid.uuid4()
        assessment = self._assess(p, state, record_id)
        outcome = assessment.outcome
        current = e.person_id if e is not None else None
        if outcome.link_to is not None:
            target: str | None = outcome.link_to.person_id
            status = ResolveStatus.LINKED
            probability = outcome.link_score.match_probability if outcome.link_score else None
        else:
            # None: a new person, whose identifier does not exist yet.
            target = current if _keeps_its_person(current, state) else None
            status = ResolveStatus.PENDING_REVIEW if outcome.review else ResolveStatus.NEW
            probability = outcome.best_probability
        would = Resolution(
            record_id,
            target or "",
            status,
            probability,
            record.source,
            record.source_ref,
            True,
            existed=e is not None,
            previous_person_id=current if current is not None and current != target else None,
        )
        return DryRun(would, assessment, self._reviewable(outcome, assessment.decided))

    def _consistent(
        self,
        std: dict[str, Any],
        record_id: uuid.UUID,
        person_id: str,
        scores: Sequence[CandidateScore],
        state: _BatchState,
    ) -> bool:
        """Whether the record scores at least ``review`` with every record of ``person_id``
        (batch clustering's consistency): the records the candidate search did not return are
        read and scored here."""
        review = self.matcher.thresholds.review
        scored = {s.candidate_id: s.match_probability for s in scores}
        unscored = []
        for member in state.members(person_id):
            if member.record_id == record_id:
                continue
            probability = scored.get(member.record_id)
            if probability is None:
                unscored.append((member.record_id, member.std))
            elif probability < review:
                return False
        if unscored:
            return all(s.match_probability >= review for s in self.matcher.score(std, unscored))
        return True

    def _flush(self, w: _Writes, now: datetime) -> None:
        repo, changes = self.repo, w.changes
        if changes.only_inserts and not (w.record_updates or w.superseded):
            # New records only (the online path and most of an ingest): plain inserts, in one
            # statement on PostgreSQL.
            repo.insert_in_order(
                [
                    (Person, changes.new_persons),
                    (SourceRecord, w.records),
                    (BlockingKey, w.keys),
                    (Link, changes.new_links),
                    (MatchSuggestion, w.suggestions),
                    (PersonEvent, changes.events),
                ],
                touch=(changes.touched_existing(), now),
            )
            changes.clear()
            return
        changes.flush_persons()
        repo.records.insert_records(w.records)
        repo.records.update_records(w.record_updates)
        repo.records.replace_blocking_keys(w.keys_replaced_for, w.keys)
        changes.flush()
        if w.superseded:
            repo.suggestions.close_suggestions_of(w.superseded, "record_updated", now)
        repo.suggestions.insert_suggestions(w.suggestions)


class _BatchState:
    """What a batch knows: candidates prefetched from the database, plus its own records."""

    def __init__(
        self,
        repo: RegistryRepository,
        config: RegistrySettings,
        evidence: Callable[[dict[str, Any]], bool],
    ) -> None:
        self.repo = repo
        self.config = config
        self._evidence_rule = evidence
        self.rows: dict[uuid.UUID, CandidateRow] = {}
        # The records of each person among ``rows`` (kept in step with them).
        self._members: dict[str, set[uuid.UUID]] = defaultdict(set)
        self._evidence: dict[uuid.UUID, bool] = {}
        # This batch's own records by key (the database's candidates come ranked, per record).
        self.key_index: dict[int, list[uuid.UUID]] = defaultdict(list)
        self._db_ranked: dict[int, list[tuple[uuid.UUID, int]]] = {}
        self._db_counts: dict[str, int] = {}
        self._delta: Counter[str] = Counter()
        self._suggested: set[tuple[uuid.UUID, uuid.UUID]] = set()
        self._cannot: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        self._decided: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        self._partner_person: dict[uuid.UUID, str] = {}

    def _remember(self, row: CandidateRow) -> None:
        old = self.rows.get(row.record_id)
        if old is not None:
            self._members[old.person_id].discard(row.record_id)
            self._evidence.pop(row.record_id, None)
        self.rows[row.record_id] = row
        self._members[row.person_id].add(row.record_id)

    def prefetch(
        self,
        prepared: Sequence[_Prepared],
        given: tuple[
            list[list[tuple[uuid.UUID, int]]],
            dict[uuid.UUID, CandidateRow],
            dict[str, int],
            dict[uuid.UUID, CandidateRow],
        ]
        | None = None,
    ) -> None:
        """Load the ranked candidates of ``prepared`` and the record counts of their persons
        (unless ``given`` already, with rows, counts and other records of their persons)."""
        counts: dict[str, int] = {}
        members: dict[uuid.UUID, CandidateRow] = {}
        if given is not None:
            ranked, rows, counts, members = given
        else:
            ranked = self.repo.records.ranked_candidates(
                [p.key_hashes for p in prepared],
                self.config.candidates_per_key,
                self.config.max_candidates,
                self.config.rare_key_records,
            )
            rows = {}
        wanted: set[uuid.UUID] = set()
        for p, hits in zip(prepared, ranked, strict=True):
            self._db_ranked[id(p)] = hits
            wanted.update(rid for rid, _ in hits)
        missing = wanted - set(rows)
        if missing:
            rows = {**rows, **self.repo.records.load_candidates(missing)}
        for row in rows.values():
            self._remember(row)
        for row in members.values():
            if row.record_id not in self.rows:
                self._remember(row)
        persons = {row.person_id for row in rows.values()} - set(counts)
        if persons:
            counts = {**counts, **self.repo.persons.record_counts(persons)}
        for person in {row.person_id for row in rows.values()}:
            self._db_counts.setdefault(person, counts.get(person, 0))
        updated = [p.existing.id for p in prepared if p.existing is not None]
        if updated:
            must, cannot = self.repo.suggestions.active_constraints(updated)
            for a, b in cannot:
                self._cannot[a].add(b)
                self._cannot[b].add(a)
            for a, b in [*must, *cannot]:
                self._decided[a].add(b)
                self._decided[b].add(a)
            partners = {x for s in self._cannot.values() for x in s}
            self._partner_person = self.repo.persons.persons_of(partners)

    def has_evidence(self, record_id: uuid.UUID) -> bool:
        """Whether a known record has the minimum evidence for an automatic link."""
        known = self._evidence.get(record_id)
        if known is None:
            known = self._evidence[record_id] = self._evidence_rule(self.rows[record_id].std)
        return known

    def members(self, person_id: str) -> list[CandidateRow]:
        """Every record of ``person_id``, as this batch sees it (its records the candidate
        searches did not return are read from the database once)."""
        if len(self._members[person_id]) < self.count(person_id):
            for row in self.repo.records.load_person_records([person_id]).values():
                if row.record_id not in self.rows:  # this batch's own rows are newer
                    self._remember(row)
        return [self.rows[rid] for rid in sorted(self._members[person_id])]

    def candidates_for(self, p: _Prepared, *, exclude: uuid.UUID) -> list[CandidateRow]:
        """The database's best candidates for ``p`` and this batch's records sharing its keys,
        those sharing the most keys first, at most ``max_candidates``."""
        shared: Counter[uuid.UUID] = Counter(dict(self._db_ranked.get(id(p), ())))
        for h in p.key_hashes:
            shared.update(self.key_index.get(h, ()))
        shared.pop(exclude, None)
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))
        ids = [rid for rid, _ in ranked[: self.config.max_candidates]]
        return [self.rows[rid] for rid in ids if rid in self.rows]

    def constraints_for(self, record_id: uuid.UUID) -> tuple[set[str], set[uuid.UUID]]:
        """(persons never to link, records already decided about) for ``record_id``."""
        excluded = set()
        for partner in self._cannot.get(record_id, ()):
            row = self.rows.get(partner)
            person = row.person_id if row else self._partner_person.get(partner)
            if person is not None:
                excluded.add(person)
        return excluded, set(self._decided.get(record_id, ()))

    def may_suggest(self, record_id: uuid.UUID, other: uuid.UUID) -> bool:
        # A new record has no suggestion yet, and an updated record's pending ones are closed
        # before the new ones are written: only this batch's own suggestions can repeat.
        pair = (record_id, other)
        if pair in self._suggested:
            return False
        self._suggested.update({pair, (other, record_id)})
        return True

    def put(self, row: CandidateRow, hashes: Sequence[int]) -> None:
        """A record of this batch, as later records of the batch must see it (an updated
        record may then count twice towards a rank: harmless, it shares those keys)."""
        self._remember(row)
        for h in hashes:
            self.key_index[h].append(row.record_id)

    def count(self, person_id: str) -> int:
        """Records of ``person_id``, counting this batch's moves (read lazily: moves are rare)."""
        if person_id not in self._db_counts:
            self._db_counts[person_id] = self.repo.persons.record_counts([person_id]).get(
                person_id, 0
            )
        return self._db_counts[person_id] + self._delta[person_id]

    def created(self, person_id: str) -> None:
        self._db_counts[person_id] = 0

    def added(self, person_id: str) -> None:
        self._delta[person_id] += 1

    def moved(self, old: str, new: str) -> None:
        self._delta[old] -= 1
        self._delta[new] += 1
