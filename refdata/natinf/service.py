"""Business rules of the NATINF offences: import, reads as of a date, releases and their diffs.

Never commits: the command (``srj refdata import-natinf``) or the request owns the transaction,
so a rejected file or a crash mid-import leaves the previous state intact.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from refdata.errors import ImportRejectedError, Problem
from refdata.natinf import official_file as natinf_file
from refdata.natinf import repository as repo
from refdata.natinf.articles import parse_references
from refdata.natinf.bulk_files import OFFENCE_FORMATS, OffenceSnapshot, ReleaseHeader
from refdata.natinf.models import OffenceVersion
from refdata.natinf.natures import nature_of_label
from refdata.releases import repository as releases_repo
from refdata.releases.models import Release, ReleaseFile
from refdata.releases.service import (
    ImportSummary,
    ReleaseCounts,
    begin_dataset_write,
    check_publication_order,
    create_release,
    file_label,
    summarise,
)
from refdata.releases.storage import BulkStore, sha256_hex
from refdata.releases.versioning import StateDiff, diff_states

log = logging.getLogger(__name__)

NATINF_DATASET = "natinf"
OFFENCE_FIELDS = ("nature", "qualification", "defined_by", "repressed_by")
SUCCESSORS_HEADER = ("NATINF", "Successeur", "Source")


def offence_fields(version: OffenceVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in OFFENCE_FIELDS}


def _row_fields(row: natinf_file.NatinfRow) -> dict[str, Any]:
    return {
        "nature": row.nature.label if row.nature else None,
        "qualification": row.qualification,
        "defined_by": row.defined_by,
        "repressed_by": row.repressed_by,
    }


def _snapshot(
    natinf: int, version: int, fields: dict[str, Any], valid_from: date, introduced_in: str
) -> OffenceSnapshot:
    nature = nature_of_label(fields["nature"])
    return OffenceSnapshot(
        natinf=natinf,
        version=version,
        nature=fields["nature"],
        nature_code=nature.code if nature else None,
        contravention_class=nature.contravention_class if nature else None,
        qualification=fields["qualification"],
        defined_by=fields["defined_by"],
        repressed_by=fields["repressed_by"],
        defined_by_refs=parse_references(fields["defined_by"]),
        repressed_by_refs=parse_references(fields["repressed_by"]),
        valid_from=valid_from,
        introduced_in=introduced_in,
    )


def snapshot_of(version: OffenceVersion) -> OffenceSnapshot:
    return _snapshot(
        version.natinf,
        version.version,
        offence_fields(version),
        version.valid_from,
        version.introduced_in,
    )


# --- successors file ----------------------------------------------------------------------


def parse_successors(
    data: bytes, known: set[int]
) -> tuple[list[tuple[int, int, str]], list[Problem]]:
    """``NATINF;Successeur;Source`` (UTF-8): which code replaces a retired one, and who says so."""
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        return [], [Problem(bad_line, "the successors file must be UTF-8")]
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    try:
        header = tuple(f.strip() for f in natinf_file.split_fields(lines[0]))
    except natinf_file.MalformedLineError as exc:
        return [], [Problem(1, str(exc))]
    if header != SUCCESSORS_HEADER:
        return [], [Problem(1, f"successors header must be {';'.join(SUCCESSORS_HEADER)}")]
    pairs: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int]] = set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            fields = [f.strip() for f in natinf_file.split_fields(line)]
        except natinf_file.MalformedLineError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        if len(fields) != 3:
            problems.append(Problem(number, f"{len(fields)} fields, expected 3 (successors)"))
            continue
        old, new, source = fields
        if any(natinf_file.CONTROL_CHARACTERS.search(f) for f in fields):
            problems.append(Problem(number, "control character in a field"))
            continue
        if not (old.isdigit() and new.isdigit()) or int(old) == 0 or int(new) == 0:
            problems.append(Problem(number, "NATINF and Successeur must be NATINF numbers"))
            continue
        if old == new:
            problems.append(Problem(number, f"NATINF {old} cannot succeed itself"))
            continue
        if not source:
            problems.append(Problem(number, "the source of the correspondence is required"))
            continue
        for code in (int(old), int(new)):
            if code not in known:
                problems.append(Problem(number, f"NATINF {code} is in no release nor this file"))
        if (int(old), int(new)) in seen:
            problems.append(Problem(number, f"duplicate correspondence {old} -> {new}"))
        seen.add((int(old), int(new)))
        pairs.append((int(old), int(new), source))
    return pairs, problems


# --- import -----------------------------------------------------------------------------------


def import_natinf(
    session: Session,
    data: bytes,
    *,
    published_on: date,
    store: BulkStore,
    source_name: str | None = None,
    successors: bytes | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import one official NATINF file: all or nothing.

    Raises :class:`ImportRejectedError` listing every problem (nothing written), or
    :class:`~refdata.errors.ConflictError` when a newer release exists. A file identical in
    content to the current state creates no release.
    """
    parsed = natinf_file.parse(data)
    if parsed.problems:
        raise ImportRejectedError(parsed.problems, encoding=parsed.encoding)

    latest = begin_dataset_write(session, NATINF_DATASET)
    current = repo.open_offence_versions(session)
    old_state = {natinf: offence_fields(v) for natinf, v in current.items()}
    new_state = {row.natinf: _row_fields(row) for row in parsed.rows}

    new_pairs: list[tuple[int, int, str]] = []
    if successors is not None:
        known = repo.known_natinf_codes(session) | set(new_state)
        pairs, problems = parse_successors(successors, known)
        if problems:
            raise ImportRejectedError(problems, encoding="utf-8")
        existing = repo.successor_pairs(session)
        new_pairs = [p for p in pairs if (p[0], p[1]) not in existing]

    diff = diff_states(old_state, new_state)
    if diff.is_empty and not new_pairs:
        return ImportSummary.nothing_new(latest, diff.unchanged)

    # Only a file that changes something must respect the publication order: re-importing the
    # current content is a no-op whatever date it carries.
    check_publication_order(latest, published_on)
    counts = ReleaseCounts.of(diff)
    field_changes = Counter(name for changes in diff.changed.values() for name in changes)
    release = create_release(
        session,
        dataset=NATINF_DATASET,
        published_on=published_on,
        counts=counts,
        changelog=summarise(counts, dict(field_changes)),
        source_name=file_label(source_name),
        source_sha256=sha256_hex(data),
        source_details={
            "encoding": parsed.encoding,
            "rows": len(parsed.rows),
            "preamble_lines": parsed.preamble_lines,
            "blank_lines": parsed.skipped_blank_lines,
            "successors_added": len(new_pairs),
        },
        now=now,
    )
    _write_versions(session, release, diff, current)
    repo.add_successors(
        session,
        [
            {"natinf": old, "successor": new, "source": source, "recorded_in": release.id}
            for old, new, source in new_pairs
        ],
    )
    session.flush()

    snapshots = []
    max_versions = repo.max_offence_versions(session)
    for natinf, fields in new_state.items():
        if natinf in diff.added or natinf in diff.changed:
            snapshots.append(
                _snapshot(natinf, max_versions[natinf], fields, published_on, release.id)
            )
        else:
            snapshots.append(snapshot_of(current[natinf]))
    write_release_files(session, release, snapshots, store)
    log.info(
        "natinf release created",
        extra={"release": release.id, **counts.__dict__},
    )
    return ImportSummary.published(release, counts)


def _write_versions(
    session: Session,
    release: Release,
    diff: StateDiff[int],
    current: dict[int, OffenceVersion],
) -> None:
    to_close = [current[natinf].id for natinf in (*diff.changed, *diff.retired)]
    repo.close_offence_versions(
        session, to_close, valid_to=release.published_on, retired_in=release.id
    )
    max_versions = repo.max_offence_versions(session)
    rows = []
    for natinf, fields in diff.added.items():
        rows.append(_version_row(natinf, max_versions.get(natinf, 0) + 1, fields, release))
    for natinf in diff.changed:
        fields = {**offence_fields(current[natinf])}
        fields.update({name: change.new for name, change in diff.changed[natinf].items()})
        rows.append(_version_row(natinf, max_versions[natinf] + 1, fields, release))
    repo.insert_offence_versions(session, rows)


def _version_row(
    natinf: int, version: int, fields: dict[str, Any], release: Release
) -> dict[str, Any]:
    return {
        "natinf": natinf,
        "version": version,
        **fields,
        "defined_by_refs": parse_references(fields["defined_by"]),
        "repressed_by_refs": parse_references(fields["repressed_by"]),
        "valid_from": release.published_on,
        "valid_to": None,
        "introduced_in": release.id,
        "retired_in": None,
    }


# --- bulk files -------------------------------------------------------------------------------


def write_release_files(
    session: Session, release: Release, snapshots: list[OffenceSnapshot], store: BulkStore
) -> list[ReleaseFile]:
    header = ReleaseHeader(release.id, release.dataset, release.published_on)
    files = []
    for fmt in OFFENCE_FORMATS.values():
        stored = store.put(fmt.build(header, snapshots), fmt.suffix, compress=fmt.compress)
        files.append(
            ReleaseFile(
                release_id=release.id,
                name=fmt.name,
                media_type=fmt.media_type,
                sha256=stored.sha256,
                size_bytes=stored.size,
            )
        )
    releases_repo.add_release_files(session, files)
    return files


def release_snapshots(session: Session, release: Release) -> list[OffenceSnapshot]:
    """What a release publishes, read back from the versions (to regenerate its files)."""
    return [snapshot_of(v) for v in repo.offence_versions_in_release(session, release)]


def release_state(session: Session, release: Release) -> dict[int, dict[str, Any]]:
    return {v.natinf: offence_fields(v) for v in repo.offence_versions_in_release(session, release)}


def successors_csv(pairs: list[tuple[int, int, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(SUCCESSORS_HEADER)
    writer.writerows(pairs)
    return buffer.getvalue().encode("utf-8")
