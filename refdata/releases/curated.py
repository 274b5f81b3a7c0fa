"""Releases of the curated datasets (courts, tariffs, communes), through the NATINF machinery.

The loaders of ``refdata.courts``, ``refdata.tariffs`` and ``refdata.communes`` make their
tables equal to the curated files (corrections are made in place: the history of a court or
an amount lives in its validity intervals, not in edits). After a load, :func:`publish`
compares what the tables now hold with what the dataset's latest release published and, when
something differs, creates the next release in the same transaction:

- the release itself (:func:`refdata.releases.service.create_release`: id ``courts-2026-11-28``,
  sequence, previous release, source files and their SHA-256, counts, changelog);
- the items it publishes in ``refdata_release_item`` (changed and retired items closed, new
  states opened), so that any release can be read back, diffed (:mod:`refdata.releases.diffs`,
  :func:`refdata.releases.versioning.diff_states`) and its files rebuilt;
- its bulk files (CSV in the curated layout, so that a download re-imports as is, and JSON),
  written to the content-addressed store like the offences' (:mod:`refdata.releases.storage`).

An item is one row of a table (a court version, a ressort, a fixed fine...), keyed by the
table's natural key rendered as text. Never commits.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import orjson
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from refdata.releases import repository as repo
from refdata.releases.definition import ReleaseDefinition
from refdata.releases.models import Release, ReleaseFile
from refdata.releases.service import (
    ImportSummary,
    ReleaseCounts,
    begin_dataset_write,
    check_publication_order,
    create_release,
    summarise,
)
from refdata.releases.storage import BulkStore, sha256_hex
from refdata.releases.versioning import StateDiff, diff_states

# (kind, item key) -> published fields (JSON values).
ItemKey = tuple[str, str]
State = dict[ItemKey, dict[str, Any]]
# kind -> the fields of its items, in key order.
Grouped = Mapping[str, list[dict[str, Any]]]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
JSON_MEDIA_TYPE = "application/json"


def json_value(value: Any) -> Any:
    """A field as published: dates in ISO form, amounts as JSON numbers.

    Decimals are normalised (``135.00`` and ``135`` are the same amount: the file and the
    NUMERIC column must not look like a change) and written as integers when whole.
    """
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    return value


def table_rows(session: Session, table: Any, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Every row of ``table`` as published fields: all columns but the surrogate ``id`` (and
    ``valid_to`` for tables whose releases publish only the open versions)."""
    assert isinstance(table, Table)
    columns = [c for c in table.c if c.name != "id" and not (open_only and c.name == "valid_to")]
    query = select(*columns)
    if open_only:
        query = query.where(table.c.valid_to.is_(None))
    return [
        {name: json_value(value) for name, value in row._mapping.items()}
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class ItemKind:
    """One table of a dataset, as its releases publish it."""

    name: str  # "court"
    key: tuple[str, ...]  # fields forming the natural key
    plural: str  # the array of the JSON file: "courts"
    # The CSV file of this kind and its columns: (header, field). ``None`` as field means the
    # dataset's ``csv_extra`` hook provides the value (e.g. a commune's former codes).
    csv_file: str
    csv_columns: tuple[tuple[str, str | None], ...]

    def item_key(self, fields: Mapping[str, Any]) -> str:
        return "|".join("" if fields[k] is None else str(fields[k]) for k in self.key)


@dataclass(frozen=True)
class CuratedDataset:
    name: str  # dataset of the releases: "courts"
    kinds: tuple[ItemKind, ...]
    json_file: str
    # The items the tables hold now: kind -> list of fields (JSON values).
    read_tables: Callable[[Session], dict[str, list[dict[str, Any]]]]
    # Values of the CSV columns that are not fields: given all the items once, a function
    # (kind, fields) -> {header: value}.
    csv_extra: Callable[[Grouped], Callable[[str, dict[str, Any]], dict[str, Any]]] | None = None
    example_key: dict[str, str] = field(default_factory=dict)

    @property
    def file_names(self) -> list[str]:
        return sorted({k.csv_file for k in self.kinds} | {self.json_file})

    def kind(self, name: str) -> ItemKind:
        return next(k for k in self.kinds if k.name == name)

    @property
    def definition(self) -> ReleaseDefinition:
        """What the release machinery needs to diff its releases and rebuild their files."""
        return ReleaseDefinition(
            name=self.name,
            state=release_state,
            key_fields=("kind", "key"),
            files=tuple(self.file_names),
            build_files=rebuild_files(self),
        )

    def current_state(self, session: Session) -> State:
        tables = self.read_tables(session)
        state: State = {}
        for kind in self.kinds:
            for fields in tables.get(kind.name, []):
                state[(kind.name, kind.item_key(fields))] = fields
        return state


@dataclass(frozen=True)
class SourceFiles:
    """The files an import read: base names and bytes, in a fixed order."""

    files: dict[str, bytes]

    @property
    def name(self) -> str:
        return ", ".join(self.files)[:255]

    @property
    def sha256(self) -> str:
        # One file: its own SHA-256, which a partner can check against the published file.
        # Several: the SHA-256 of their SHA-256s in order (each is also in source_details).
        if len(self.files) == 1:
            return sha256_hex(next(iter(self.files.values())))
        return sha256_hex(b"".join(sha256_hex(data).encode() for data in self.files.values()))

    def details(self) -> dict[str, Any]:
        return {"files": {name: sha256_hex(data) for name, data in self.files.items()}}


def _changelog(dataset: CuratedDataset, diff: StateDiff[ItemKey], counts: ReleaseCounts) -> str:
    field_changes = Counter(name for changes in diff.changed.values() for name in changes)
    lines = [summarise(counts, dict(field_changes))]
    for kind in dataset.kinds:
        added = sum(1 for k, _ in diff.added if k == kind.name)
        changed = sum(1 for k, _ in diff.changed if k == kind.name)
        retired = sum(1 for k, _ in diff.retired if k == kind.name)
        if added or changed or retired:
            lines.append(f"{kind.plural}: {added} added, {changed} changed, {retired} retired")
    return "\n".join(lines)


def publish(
    session: Session,
    dataset: CuratedDataset,
    *,
    sources: SourceFiles,
    store: BulkStore | None,
    published_on: date,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Publish the tables' current content as the next release of ``dataset`` if it changed.

    Call after the loader synced the tables, in the same transaction. ``store`` None records
    the files' checksums without writing them: the download route builds a missing file from
    the database on first request (same bytes, same SHA-256).
    """
    latest = begin_dataset_write(session, dataset.name)
    rows = repo.open_release_items(session, dataset.name)
    open_ids = {(r.kind, r.item_key): r.id for r in rows}
    old_state: State = {(r.kind, r.item_key): r.fields for r in rows}
    new_state = dataset.current_state(session)
    diff = diff_states(old_state, new_state)
    if diff.is_empty:
        return ImportSummary.nothing_new(latest, diff.unchanged)

    check_publication_order(latest, published_on)
    counts = ReleaseCounts.of(diff)
    release = create_release(
        session,
        dataset=dataset.name,
        published_on=published_on,
        counts=counts,
        changelog=_changelog(dataset, diff, counts),
        source_name=sources.name,
        source_sha256=sources.sha256,
        source_details={**sources.details(), **(details or {})},
        now=now,
    )
    repo.close_release_items(
        session, [open_ids[key] for key in (*diff.changed, *diff.retired)], retired_in=release.id
    )
    repo.insert_release_items(
        session,
        [
            {
                "dataset": dataset.name,
                "kind": kind,
                "item_key": item_key,
                "fields": new_state[(kind, item_key)],
                "introduced_in": release.id,
                "retired_in": None,
            }
            for kind, item_key in (*diff.added, *diff.changed)
        ],
    )
    session.flush()
    write_files(session, dataset, release, new_state, store)
    return ImportSummary.published(release, counts)


def release_state(session: Session, release: Release) -> State:
    """The items a release published (read back from ``refdata_release_item``)."""
    return {(r.kind, r.item_key): r.fields for r in repo.release_items(session, release)}


# --- bulk files -------------------------------------------------------------------------------


def _grouped(dataset: CuratedDataset, state: State) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (kind, _), fields in sorted(state.items()):
        grouped[kind].append(fields)
    return {kind.name: grouped.get(kind.name, []) for kind in dataset.kinds}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_files(dataset: CuratedDataset, release: Release, state: State) -> dict[str, bytes]:
    """The bulk files of a release; deterministic (same items, same bytes)."""
    grouped = _grouped(dataset, state)
    extra_of = dataset.csv_extra(grouped) if dataset.csv_extra else None
    files: dict[str, bytes] = {}
    for kind in dataset.kinds:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([header for header, _ in kind.csv_columns])
        for fields in grouped[kind.name]:
            extra = extra_of(kind.name, fields) if extra_of else {}
            writer.writerow(
                [
                    _csv_cell(fields.get(name) if name is not None else extra.get(header))
                    for header, name in kind.csv_columns
                ]
            )
        files[kind.csv_file] = buffer.getvalue().encode("utf-8")
    payload: dict[str, Any] = {
        "dataset": release.dataset,
        "release": release.id,
        "published_on": release.published_on.isoformat(),
        "count": len(state),
    }
    payload.update({kind.plural: grouped[kind.name] for kind in dataset.kinds})
    files[dataset.json_file] = orjson.dumps(
        payload, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SORT_KEYS
    )
    return files


def media_type(name: str) -> str:
    return CSV_MEDIA_TYPE if name.endswith(".csv") else JSON_MEDIA_TYPE


def write_files(
    session: Session,
    dataset: CuratedDataset,
    release: Release,
    state: State,
    store: BulkStore | None,
) -> None:
    records = []
    for name, data in build_files(dataset, release, state).items():
        if store is not None:
            stored = store.put(data, PurePath(name).suffix)
            sha, size = stored.sha256, stored.size
        else:
            sha, size = sha256_hex(data), len(data)
        records.append(
            ReleaseFile(
                release_id=release.id,
                name=name,
                media_type=media_type(name),
                sha256=sha,
                size_bytes=size,
            )
        )
    repo.add_release_files(session, records)


def rebuild_files(
    dataset: CuratedDataset,
) -> Callable[[Session, Release], dict[str, bytes]]:
    """The download route's builder for a missing file of this dataset."""

    def build(session: Session, release: Release) -> dict[str, bytes]:
        return build_files(dataset, release, release_state(session, release))

    return build
