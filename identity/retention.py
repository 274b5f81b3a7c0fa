"""``srj registry retention``: delete the records kept past their retention period.

A record's retention date is set when it arrives (record date, or arrival date when it has
none, plus the period configured for its source). Deleting it removes its traits, keys, link
and open suggestions; decisions about it stay in the history without the record. The person
keeps its identifier and its history (a ``record_deleted`` event per record, no traits); a
person left without records is marked ``emptied`` and answers 410 Gone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from identity.models import ChangeCause
from identity.persons import PersonChanges
from identity.repository import RegistryRepository
from srj.db import session_scope

ACTOR = "srj registry retention"


@dataclass
class RetentionSummary:
    today: date
    deleted_records: int = 0
    emptied_persons: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "deleted_records": self.deleted_records,
            "emptied_persons": self.emptied_persons,
            "dry_run": self.dry_run,
        }


def run_retention(
    write_factory: sessionmaker[Session],
    *,
    today: date | None = None,
    batch: int = 1000,
    dry_run: bool = False,
) -> RetentionSummary:
    today = today or datetime.now(UTC).date()
    summary = RetentionSummary(today=today, dry_run=dry_run)
    if dry_run:
        with session_scope(write_factory) as session:
            summary.deleted_records = RegistryRepository(session).compliance.count_expired(today)
        return summary
    while True:
        with session_scope(write_factory) as session:
            repo = RegistryRepository(session)
            repo.lock_keys((), exclusive_registry=True)
            rows = repo.compliance.expired_records(today, batch)
            if not rows:
                break
            now = datetime.now(UTC)
            ids = [rid for rid, _, _ in rows]
            per_person = Counter(pid for _, _, pid in rows)
            changes = PersonChanges(
                repo,
                cause=ChangeCause.RETENTION,
                actor=ACTOR,
                at=now,
                detail={"reason": "retention"},
            )
            changes.delete_records(rows)
            changes.flush()
            remaining = repo.persons.record_counts(per_person)
            emptied = sorted(p for p in per_person if remaining.get(p, 0) == 0)
            changes.empty(emptied)
            changes.flush()
            summary.deleted_records += len(ids)
            summary.emptied_persons += len(emptied)
    return summary
