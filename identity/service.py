"""Reads of the registry: a record's person, a person's records and civil status, the sources
holding a person, and the RGPD export. Each read of a person's data writes the access log.

Never commits: the request owns the transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

import orjson

from identity.audit import AccessContext, record_access
from identity.crypto import RegistryCrypto
from identity.ids import normalise_person_id
from identity.models import Link, LinkOrigin, Person, PersonEvent, PersonStatus, SourceRecord
from identity.repository import RegistryRepository
from identity.schemas import (
    CivilStatus,
    EventOut,
    ExportAccessOut,
    ExportDecisionOut,
    ExportRecordOut,
    ExportSuggestionOut,
    LinkOut,
    PersonExportOut,
    PersonOut,
    PersonRecordOut,
    PersonSourcesOut,
    RecordLookupOut,
    RecordRef,
    ResolveStatus,
    SourceHoldingOut,
)


class PersonNotFoundError(LookupError):
    pass


class RecordNotFoundError(LookupError):
    pass


class PersonGoneError(LookupError):
    """Every record of the person was deleted at the end of its retention period."""


class PersonMergedError(Exception):
    """The identifier was merged away; ``survivor`` stands for the person now."""

    def __init__(self, person_id: str, survivor: str) -> None:
        super().__init__(person_id)
        self.person_id = person_id
        self.survivor = survivor


def link_out(link: Link) -> LinkOut:
    return LinkOut(
        origin=link.origin,
        match_probability=link.match_probability,
        match_weight=link.match_weight,
        model_version=link.model_version,
        decision_id=link.decision_id,
        linked_at=link.linked_at,
    )


def event_out(event: PersonEvent) -> EventOut:
    return EventOut(
        id=event.id,
        kind=event.kind,
        at=event.at,
        actor=event.actor,
        other_person_id=event.other_person_id,
        source=event.source,
        decision_id=event.decision_id,
        detail=orjson.loads(event.detail) if event.detail else None,
    )


def best_civil_status(records: list[tuple[SourceRecord, dict[str, Any]]]) -> CivilStatus:
    """Per field, the value most records give; on a tie, the one of the latest record."""
    order = sorted(records, key=lambda r: (r[0].record_date or date.min, r[0].updated_at))
    values: dict[str, Counter[str]] = defaultdict(Counter)
    latest: dict[str, dict[str, int]] = defaultdict(dict)
    aliases: list[str] = []
    for rank, (_, payload) in enumerate(order):
        traits = payload.get("traits")
        if not isinstance(traits, dict):
            continue
        for name, value in traits.items():
            if name == "alias":
                if value not in aliases:
                    aliases.append(value)
                continue
            values[name][value] += 1
            latest[name][value] = rank
    chosen: dict[str, str] = {}
    for name, counter in values.items():
        ranks = latest[name]
        chosen[name] = max(counter, key=lambda v: (counter[v], ranks[v]))
    return CivilStatus(**chosen, alias=aliases)


class RegistryReader:
    def __init__(self, repo: RegistryRepository, crypto: RegistryCrypto) -> None:
        self.repo = repo
        self.crypto = crypto

    def _open(self, record: SourceRecord) -> dict[str, Any]:
        return self.crypto.sealer.open(record.id, record.seal_key_id, record.sealed)

    def current_person(self, raw_id: str) -> Person:
        """The active person for ``raw_id``; raises if unknown, malformed or merged away."""
        person_id = normalise_person_id(raw_id)  # InvalidPersonIdError names what is wrong
        person = self.repo.persons.get_person(person_id)
        if person is None:
            raise PersonNotFoundError(person_id)
        if person.status == PersonStatus.MERGED.value:
            survivor = self.repo.persons.survivor_of(person_id)
            assert survivor is not None
            raise PersonMergedError(person_id, survivor)
        if person.status == PersonStatus.EMPTIED.value:
            raise PersonGoneError(person_id)
        return person

    def lookup_record(self, source: str, source_ref: str, ctx: AccessContext) -> RecordLookupOut:
        hmacs = [h for _, h in self.crypto.pseudonymiser.ref_hmacs(source, source_ref)]
        found = self.repo.records.record_with_link(source, hmacs)
        if found is None:
            raise RecordNotFoundError(source)
        record, link = found
        record_access(self.repo, ctx, person_id=link.person_id, record_id=record.id)
        pending = self.repo.suggestions.pending_count_for_record(record.id)
        if link.origin == LinkOrigin.MANUAL.value:
            status = ResolveStatus.LINKED
        elif pending:
            status = ResolveStatus.PENDING_REVIEW
        elif self.repo.persons.record_counts([link.person_id]).get(link.person_id, 0) > 1:
            status = ResolveStatus.LINKED
        else:
            status = ResolveStatus.NEW
        return RecordLookupOut(
            person_id=link.person_id,
            status=status,
            record=RecordRef(source=source, source_ref=source_ref),
            record_date=record.record_date,
            link=link_out(link),
            pending_suggestions=pending,
        )

    def person(self, raw_id: str, ctx: AccessContext) -> PersonOut:
        person = self.current_person(raw_id)
        rows = self.repo.persons.person_records(person.id)
        record_access(self.repo, ctx, person_id=person.id)
        opened = [(rec, self._open(rec)) for rec, _ in rows]
        by_source: dict[str, list[PersonRecordOut]] = defaultdict(list)
        for (rec, link), (_, payload) in zip(rows, opened, strict=True):
            by_source[rec.source].append(
                PersonRecordOut(
                    source_ref=str(payload["source_ref"]),
                    record_date=rec.record_date,
                    link=link_out(link),
                )
            )
        history_ids = [person.id, *self.repo.persons.merged_into(person.id)]
        return PersonOut(
            person_id=person.id,
            status=person.status,
            created_at=person.created_at,
            civil_status=best_civil_status(opened),
            records_by_source=dict(by_source),
            events=[event_out(e) for e in self.repo.persons.person_events(history_ids)],
        )

    def sources(self, raw_id: str, ctx: AccessContext, exclude: str | None) -> PersonSourcesOut:
        person = self.current_person(raw_id)
        rows = self.repo.persons.person_records(person.id)
        record_access(self.repo, ctx, person_id=person.id)
        grouped: dict[str, list[SourceRecord]] = defaultdict(list)
        for rec, _ in rows:
            if rec.source != exclude:
                grouped[rec.source].append(rec)
        holdings = []
        for source in sorted(grouped):
            recs = grouped[source]
            dates = [r.record_date for r in recs if r.record_date]
            refs = sorted(str(self._open(r)["source_ref"]) for r in recs)
            holdings.append(
                SourceHoldingOut(
                    source=source,
                    records=len(recs),
                    latest_record_date=max(dates) if dates else None,
                    source_refs=refs,
                )
            )
        return PersonSourcesOut(person_id=person.id, sources=holdings)

    def export(self, raw_id: str, ctx: AccessContext) -> PersonExportOut:
        person = self.current_person(raw_id)
        rows = self.repo.persons.person_records(person.id)
        merged = self.repo.persons.merged_into(person.id)
        ids = [person.id, *merged]
        # The export itself is an access: log it first so it appears in what it returns.
        record_access(self.repo, ctx, person_id=person.id)
        records = []
        for rec, link in rows:
            payload = self._open(rec)
            client_id = payload.get("record_id")
            traits = payload.get("traits")
            records.append(
                ExportRecordOut(
                    source=rec.source,
                    source_ref=str(payload["source_ref"]),
                    record_id=str(client_id) if client_id is not None else None,
                    record_date=rec.record_date,
                    retain_until=rec.retain_until,
                    received_at=rec.created_at,
                    updated_at=rec.updated_at,
                    traits=dict(traits) if isinstance(traits, dict) else {},
                    standardised=orjson.loads(rec.std),
                    link=link_out(link),
                )
            )
        record_ids = [rec.id for rec, _ in rows]
        decisions = [
            ExportDecisionOut(
                id=d.id,
                decision=d.decision,
                reviewer=d.reviewer,
                reason=d.reason,
                decided_at=d.decided_at,
                revoked=d.revoked_by_id is not None,
            )
            for d in self.repo.suggestions.decisions_touching(record_ids)
        ]
        suggestions = [
            ExportSuggestionOut(
                id=s.id,
                status=s.status,
                match_probability=s.match_probability,
                created_at=s.created_at,
                closed_reason=s.closed_reason,
            )
            for s in self.repo.suggestions.suggestions_touching(record_ids)
        ]
        self.repo.session.flush()
        access = [
            ExportAccessOut(at=a.at, subject=a.subject, endpoint=a.endpoint, purpose=a.purpose)
            for a in self.repo.compliance.access_entries(ids)
        ]
        return PersonExportOut(
            person_id=person.id,
            status=person.status,
            created_at=person.created_at,
            merged_person_ids=merged,
            records=records,
            events=[event_out(e) for e in self.repo.persons.person_events(ids)],
            decisions=decisions,
            suggestions=suggestions,
            access_log=access,
            generated_at=datetime.now(UTC),
        )
