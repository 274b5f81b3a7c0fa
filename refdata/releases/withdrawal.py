"""Withdrawing a wrong release: audited, and without rewriting what was published.

A release dated 9999-12-31 (or 2062 typed for 2026), or one imported from the wrong file,
used to become the dataset's latest for good: every later import was refused as "published
before it", and only database surgery undid it. An admin now withdraws it
(``POST /v1/releases/{id}/withdrawal``, ``srj refdata withdraw``), with a reason:

- only the dataset's latest release can be withdrawn (later releases were computed from it:
  withdraw them first, newest first);
- the release row, its bulk files and their checksums stay as they were published — a release
  id never names other content — and the release says it was withdrawn, when and why; its
  content is no longer served (diffs and downloads answer 410 Gone);
- what the release changed in the dataset's versioned tables is undone: the rows it
  introduced are removed, the rows it closed are open again; both are kept in the withdrawal
  record (``undone``), with who withdrew it, so the operation is audited and can be reversed
  by hand;
- the previous release is the dataset's latest again, and the next release gets the next
  sequence number (a withdrawn release keeps its own);
- the withdrawal is published in the release feeds (``/v1/feeds/releases.atom``).

Datasets whose tables a loader makes equal to curated files (courts, tariffs, communes, law)
declare no versioned tables and cannot be withdrawn: a corrected file is loaded instead.
Never commits.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from refdata.errors import ConflictError, InvalidParameterError, NotFoundError
from refdata.releases import repository as repo
from refdata.releases.definition import Definitions, VersionedTable
from refdata.releases.models import Release, ReleaseWithdrawal
from refdata.releases.read_cache import note_release_created
from refdata.releases.service import begin_dataset_write

log = logging.getLogger(__name__)

MIN_REASON = 10
MAX_REASON = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def check_reason(reason: str) -> str:
    text = reason.strip()
    if len(text) < MIN_REASON:
        raise InvalidParameterError(
            "reason", f"say why the release is withdrawn (at least {MIN_REASON} characters)"
        )
    if len(text) > MAX_REASON:
        raise InvalidParameterError("reason", f"the reason is longer than {MAX_REASON} characters")
    if _CONTROL.search(text):
        raise InvalidParameterError("reason", "the reason contains control characters")
    return text


def _undo(session: Session, table: VersionedTable, release_id: str) -> dict[str, Any]:
    model = table.model
    mapper = inspect(model)
    columns = [c.key for c in mapper.column_attrs]
    introduced = getattr(model, table.introduced_by)
    removed = [
        {name: _json_value(getattr(row, name)) for name in columns}
        for row in session.execute(
            select(*(getattr(model, c) for c in columns)).where(introduced == release_id)
        )
    ]
    # Remove first: a closed row reopened below may share a unique key with a row this
    # release opened in its place (the current penalty of a code...).
    session.execute(
        delete(model).where(introduced == release_id).execution_options(synchronize_session=False)
    )
    reopened: list[dict[str, Any]] = []
    if table.closed_by:
        closing = getattr(model, table.closed_by[0])
        attributes = [model.id, *(getattr(model, c) for c in table.closed_by)]
        for row in session.execute(select(*attributes).where(closing == release_id)):
            values = zip(table.closed_by, row[1:], strict=True)
            reopened.append({"id": row[0], **{c: _json_value(v) for c, v in values}})
        session.execute(
            update(model)
            .where(closing == release_id)
            .values({c: None for c in table.closed_by})
            .execution_options(synchronize_session=False)
        )
    return {"removed": removed, "reopened": reopened}


def withdraw_release(
    session: Session,
    datasets: Definitions,
    release_id: str,
    *,
    by: str,
    reason: str,
    now: datetime | None = None,
) -> ReleaseWithdrawal:
    """Withdraw the latest release of a dataset (see the module docstring)."""
    text = check_reason(reason)
    release = repo.get_release(session, release_id)
    if release is None:
        raise NotFoundError(f"no release '{release_id}'")
    definition = datasets.get(release.dataset)
    if definition is None or not definition.versioned_tables:
        raise InvalidParameterError(
            "release_id",
            f"releases of dataset '{release.dataset}' cannot be withdrawn: its tables are "
            "loaded from curated files; load the corrected files instead (a new release "
            "replaces this one)",
        )
    latest = begin_dataset_write(session, release.dataset)
    done = repo.withdrawal_of(session, release.id)
    if done is not None:
        raise ConflictError(
            f"release {release.id} was already withdrawn on {done.withdrawn_at.date()}"
        )
    if latest is None or latest.id != release.id:
        raise ConflictError(
            f"release {release.id} is not the latest of dataset '{release.dataset}' "
            f"({latest.id if latest else 'none'} is): later releases were computed from it; "
            "withdraw them first, newest first"
        )
    undone = {
        inspect(t.model).local_table.name: _undo(session, t, release.id)
        for t in definition.versioned_tables
    }
    withdrawal = ReleaseWithdrawal(
        release_id=release.id,
        dataset=release.dataset,
        withdrawn_at=now or datetime.now(UTC),
        withdrawn_by=by,
        reason=text,
        restored_id=release.previous_id,
        undone=undone,
    )
    repo.add_withdrawal(session, withdrawal)
    note_release_created()
    log.info(
        "release withdrawn",
        extra={
            "release": release.id,
            "restored": release.previous_id,
            **{f"{name}_removed": len(part["removed"]) for name, part in undone.items()},
        },
    )
    return withdrawal


def withdrawal_summary(withdrawal: ReleaseWithdrawal) -> dict[str, Any]:
    """What the API and the feeds publish about a withdrawal (not who: that is audit data)."""
    from refdata.releases.service import as_utc

    return {
        "withdrawn_at": as_utc(withdrawal.withdrawn_at),
        "reason": withdrawal.reason,
        "restored_id": withdrawal.restored_id,
    }


def gone(release: Release, withdrawal: ReleaseWithdrawal) -> str:
    """Why a withdrawn release's content is not served (the 410 problem's detail)."""
    restored = (
        f"; the dataset's latest release is {withdrawal.restored_id} again"
        if withdrawal.restored_id
        else "; the dataset has no other release"
    )
    return (
        f"release {release.id} was withdrawn on {withdrawal.withdrawn_at.date().isoformat()}: "
        f"{withdrawal.reason}{restored}"
    )
