"""Releases: numbering, creation and ordering, for every dataset of the reference data.

Every dataset (``natinf``, ``penalties``, and those of ``refdata.courts`` / ``refdata.tariffs``)
publishes through here, so that all releases share one identifier scheme and one ordering rule:

    latest = begin_dataset_write(session, "courts")   # lock, then read the current state
    ... compute what changed against the current state ...
    release = create_release(session, dataset="courts", published_on=..., counts=..., ...)

Never commits: the command or request owns the transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from sqlalchemy.orm import Session

from refdata.dates import today
from refdata.errors import ConflictError, PublicationDateError
from refdata.releases import repository as repo
from refdata.releases.models import Release
from refdata.releases.read_cache import note_release_created
from refdata.releases.versioning import StateDiff
from srj.settings import get_settings

DATASET_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


@dataclass(frozen=True)
class ReleaseCounts:
    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0

    @property
    def item_count(self) -> int:
        return self.added + self.changed + self.unchanged

    @classmethod
    def of(cls, diff: StateDiff[Any]) -> ReleaseCounts:
        return cls(len(diff.added), len(diff.changed), len(diff.retired), diff.unchanged)


@dataclass(frozen=True)
class ImportSummary:
    """What an import published: the one JSON line every ``srj refdata import-...`` prints."""

    release: str | None
    created: bool
    added: int
    changed: int
    retired: int
    unchanged: int

    @classmethod
    def nothing_new(cls, latest: Release | None, unchanged: int) -> ImportSummary:
        """No release: the content equals the latest release's (``created: false``)."""
        return cls(latest.id if latest else None, False, 0, 0, 0, unchanged)

    @classmethod
    def published(cls, release: Release, counts: ReleaseCounts) -> ImportSummary:
        return cls(release.id, True, counts.added, counts.changed, counts.retired, counts.unchanged)

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.release,
            "created": self.created,
            "added": self.added,
            "changed": self.changed,
            "retired": self.retired,
            "unchanged": self.unchanged,
        }


def begin_dataset_write(session: Session, dataset: str) -> Release | None:
    """Lock the dataset against concurrent writers and return its latest release.

    Call it *before* reading the state a new release is computed from.
    """
    if not DATASET_NAME.match(dataset):
        raise ValueError(f"invalid dataset name {dataset!r}")
    repo.lock_dataset(session, dataset)
    return repo.latest_release(session, dataset)


def check_publication_date(published_on: date, *, horizon_days: int | None = None) -> None:
    """Refuse a release dated after today (in France) plus the configured horizon.

    Such a release would become the dataset's latest, and every later import would be refused
    as "published before it" (a typo such as 2062 for 2026 used to wedge a dataset).
    """
    if horizon_days is None:
        horizon_days = get_settings().refdata_publication_horizon_days
    limit = today() + timedelta(days=horizon_days)
    if published_on > limit:
        raise PublicationDateError(
            f"published_on {published_on.isoformat()} is after {limit.isoformat()} (today "
            f"{today().isoformat()} + {horizon_days} days, SRJ_REFDATA_PUBLICATION_HORIZON_DAYS): "
            "a release dated further ahead would become the latest and block every later "
            "import; check the date (a typo in the year?)"
        )


def check_publication_order(latest: Release | None, published_on: date) -> None:
    """A new release is dated within the horizon, and not before the latest release."""
    check_publication_date(published_on)
    if latest is not None and published_on < latest.published_on:
        raise ConflictError(
            f"release {latest.id} of dataset '{latest.dataset}' was published on "
            f"{latest.published_on.isoformat()}; a release cannot be published before it "
            f"(got {published_on.isoformat()})"
        )


def next_release_id(session: Session, dataset: str, published_on: date) -> str:
    base = f"{dataset}-{published_on.isoformat()}"
    taken = repo.release_ids_with_prefix(session, base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_release(
    session: Session,
    *,
    dataset: str,
    published_on: date,
    counts: ReleaseCounts,
    changelog: str,
    source_name: str | None = None,
    source_sha256: str | None = None,
    source_details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Release:
    """Create release N+1 of ``dataset`` (call :func:`begin_dataset_write` first)."""
    latest = repo.latest_release(session, dataset)
    check_publication_order(latest, published_on)
    release = Release(
        id=next_release_id(session, dataset, published_on),
        dataset=dataset,
        # A withdrawn release keeps its number: the next one comes after it.
        sequence=repo.max_sequence(session, dataset) + 1,
        published_on=published_on,
        created_at=now or datetime.now(UTC),
        previous_id=latest.id if latest else None,
        source_name=source_name,
        source_sha256=source_sha256,
        source_details=source_details or {},
        item_count=counts.item_count,
        added=counts.added,
        changed=counts.changed,
        retired=counts.retired,
        unchanged=counts.unchanged,
        changelog=changelog,
    )
    repo.add_release(session, release)
    note_release_created()
    return release


def as_utc(moment: datetime) -> datetime:
    """Releases are created in UTC; SQLite hands datetimes back without their zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def file_label(name: str | None) -> str | None:
    """The base name of an uploaded or imported file, safe to store and publish.

    Never a local path, at most 255 characters, without control characters (a NUL byte from
    a client's multipart header would otherwise fail on PostgreSQL).
    """
    if not name:
        return None
    base = _UNPRINTABLE.sub("", PurePath(name.replace("\\", "/")).name)[:255]
    return base or None


def summarise(counts: ReleaseCounts, field_changes: dict[str, int] | None = None) -> str:
    text = (
        f"{counts.added} added, {counts.changed} changed, {counts.retired} retired, "
        f"{counts.unchanged} unchanged"
    )
    if field_changes:
        detail = ", ".join(f"{name}: {n}" for name, n in sorted(field_changes.items()))
        text += f" (changed fields: {detail})"
    return text
