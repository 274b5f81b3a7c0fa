"""Diffs between two releases of a dataset: added, changed field by field, retired.

Each dataset says how to read the state a release publishes and how its items are keyed (its
:class:`~refdata.releases.definition.ReleaseDefinition`); the diff itself is
:func:`refdata.releases.versioning.diff_states`. The curated datasets (courts, tariffs,
communes) read theirs from ``refdata_release_item``: an item is keyed by its ``kind`` (the
table: ``court``, ``ressort``, ``fixed_fine``...) and ``key`` (its natural key as text,
``tj-agen|2020-01-01``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from refdata.errors import GoneError, InvalidParameterError, NotFoundError
from refdata.releases import repository as repo
from refdata.releases.definition import Definitions
from refdata.releases.versioning import diff_states
from refdata.releases.withdrawal import gone


def jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _key_dict(key: Any, names: tuple[str, ...]) -> dict[str, Any]:
    parts = key if isinstance(key, tuple) else (key,)
    return {name: jsonable(part) for name, part in zip(names, parts, strict=True)}


def release_diff(
    session: Session, datasets: Definitions, release_id: str, from_id: str
) -> dict[str, Any]:
    to_release = repo.get_release(session, release_id)
    if to_release is None:
        raise NotFoundError(f"no release '{release_id}'")
    from_release = repo.get_release(session, from_id)
    if from_release is None:
        raise NotFoundError(f"no release '{from_id}' (the 'from' parameter)")
    for release in (to_release, from_release):
        withdrawal = repo.withdrawal_of(session, release.id)
        if withdrawal is not None:
            # Its rows were removed from the versioned tables: a diff would be silently wrong.
            raise GoneError(gone(release, withdrawal))
    if from_release.dataset != to_release.dataset:
        raise InvalidParameterError(
            "from",
            f"releases of different datasets cannot be compared: '{from_id}' is "
            f"{from_release.dataset}, '{release_id}' is {to_release.dataset}",
        )
    source = datasets.get(to_release.dataset)
    if source is None:
        raise NotFoundError(f"releases of dataset '{to_release.dataset}' have no diff")
    diff = diff_states(source.state(session, from_release), source.state(session, to_release))
    names = source.key_fields
    retired = []
    for key, fields in sorted(diff.retired.items()):
        item = {**_key_dict(key, names), **{k: jsonable(v) for k, v in fields.items()}}
        if source.retired_details is not None:
            item.update(source.retired_details(session, key))
        retired.append(item)
    return {
        "dataset": to_release.dataset,
        "from": from_release.id,
        "to": to_release.id,
        "counts": {
            "added": len(diff.added),
            "changed": len(diff.changed),
            "retired": len(diff.retired),
            "unchanged": diff.unchanged,
        },
        "added": [
            {**_key_dict(key, names), **{k: jsonable(v) for k, v in fields.items()}}
            for key, fields in sorted(diff.added.items())
        ],
        "changed": [
            {
                **_key_dict(key, names),
                "changes": {
                    name: {"from": jsonable(change.old), "to": jsonable(change.new)}
                    for name, change in sorted(changes.items())
                },
            }
            for key, changes in sorted(diff.changed.items())
        ],
        "retired": retired,
    }
