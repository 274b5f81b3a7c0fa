"""The answer to a resolve, as every write endpoint gives it (``POST /v1/records`` and the
batch): what the post did (``status``), and the record's state after it (``link_status``)."""

from __future__ import annotations

from identity.resolve import Resolution
from identity.schemas import RecordRef, ResolveOut, ResolveOutcome


def outcome_of(result: Resolution) -> ResolveOutcome:
    if not result.changed:
        return ResolveOutcome.UNCHANGED
    if result.existed:
        return ResolveOutcome.UPDATED
    return ResolveOutcome(result.status.value)


def resolve_out(result: Resolution) -> ResolveOut:
    return ResolveOut(
        person_id=result.person_id,
        status=outcome_of(result),
        link_status=result.status,
        match_probability=result.match_probability,
        previous_person_id=result.previous_person_id,
        record=RecordRef(source=result.source, source_ref=result.source_ref),
    )
