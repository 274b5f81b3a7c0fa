"""Bulk ingest of a canonical extract through the same resolve logic as ``POST /v1/records``.

The whole file is validated before anything is written, by the same rules as
``POST /v1/records`` (canonical shapes, known sources, plausible dates, M/F sexe, no control
characters): one bad row refuses the whole file, and every problem is reported with its row,
field and reason, never the value. Then records are resolved in batches, one transaction per
batch: a crash leaves every committed batch consistent, and running the command again skips
the records already held unchanged and completes the rest (upsert by source + reference).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from identity.config import RegistrySettings
from identity.crypto import RegistryCrypto
from identity.matcher import Matcher
from identity.repository import RegistryRepository
from identity.resolve import Resolver
from identity.schemas import RecordIn
from identity.sources import UnknownSourceError, check_known
from matching import InputError, read_records
from srj.db import session_scope

MAX_PROBLEMS = 20
VALIDATION_CHUNK = 50_000


@dataclass
class IngestSummary:
    records: int = 0
    statuses: Counter[str] = field(default_factory=Counter)  # records not held before
    updated: int = 0
    unchanged: int = 0
    batches: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "linked": self.statuses.get("linked", 0),
            "new": self.statuses.get("new", 0),
            "pending_review": self.statuses.get("pending_review", 0),
            "updated": self.updated,
            "unchanged": self.unchanged,
            "batches": self.batches,
            "seconds": round(self.seconds, 2),
            "records_per_second": round(self.records / self.seconds, 1) if self.seconds else None,
        }


def _row_label(index: int, is_csv: bool) -> str:
    return f"row {index + 1} (line {index + 2})" if is_csv else f"row {index + 1}"


def validate_rows(
    table: pa.Table, path: Path, config: RegistrySettings, *, offset: int = 0
) -> list[RecordIn]:
    """Every row as a :class:`RecordIn` of a known source, or :class:`InputError` naming each
    bad row and field (rows numbered from ``offset`` in the file)."""
    is_csv = path.suffix.lower() in {".csv", ".txt"}
    records: list[RecordIn] = []
    problems: list[str] = []
    extra = 0

    def problem(index: int, where: str, message: str) -> None:
        nonlocal extra
        if len(problems) < MAX_PROBLEMS:
            # The message says what rule failed; the value itself is never repeated.
            problems.append(f"{_row_label(index, is_csv)}, field {where!r}: {message}")
        else:
            extra += 1

    for index, row in enumerate(table.to_pylist(), start=offset):
        try:
            record = RecordIn.model_validate(row)
        except ValidationError as exc:
            for err in exc.errors():
                problem(index, ".".join(str(p) for p in err.get("loc", ())) or "record", err["msg"])
            continue
        try:
            check_known(record.source, config)
        except UnknownSourceError as exc:
            problem(index, "source", str(exc))
            continue
        records.append(record)
    if problems:
        if extra:
            problems.append(f"... and {extra} more problem(s)")
        raise InputError(path, problems)
    return records


def read_extract(path: Path, config: RegistrySettings) -> pa.Table:
    """Read a canonical Parquet/CSV extract and validate every row (all-or-nothing).

    The rows are validated now and turned into records batch by batch while ingesting, so a
    million-row extract never sits in memory as a million objects.
    """
    table = read_records(path)
    problems: list[str] = []
    for start in range(0, table.num_rows, VALIDATION_CHUNK):
        try:
            validate_rows(table.slice(start, VALIDATION_CHUNK), path, config, offset=start)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(path, problems[:MAX_PROBLEMS] + _more(len(problems) - MAX_PROBLEMS))
    return table


def _more(extra: int) -> list[str]:
    return [f"... and more problem(s) after these {MAX_PROBLEMS}"] if extra > 0 else []


def batches(records: Sequence[RecordIn] | pa.Table, size: int) -> Iterator[Sequence[RecordIn]]:
    if isinstance(records, pa.Table):
        for start in range(0, records.num_rows, size):
            chunk = records.slice(start, size).to_pylist()
            yield [RecordIn.model_validate(row) for row in chunk]
        return
    for start in range(0, len(records), size):
        yield records[start : start + size]


def _references(records: Sequence[RecordIn] | pa.Table) -> set[tuple[str, str]]:
    if isinstance(records, pa.Table):
        sources = records.column("source").to_pylist()
        refs = records.column("source_ref").to_pylist()
        return {(str(s), str(r)) for s, r in zip(sources, refs, strict=True)}
    return {(r.source, r.source_ref) for r in records}


def final_registry_size(
    repo: RegistryRepository, crypto: RegistryCrypto, records: Sequence[RecordIn] | pa.Table
) -> int:
    """The number of records the registry will hold once ``records`` are ingested: those held
    now (counted exactly) plus the extract's distinct references not held yet.

    So a resumed ingest scores against the same population as an uninterrupted one: the
    records an interrupted run committed are counted once, not once as held and once more as
    part of the extract (which shifted every probability, and could flip a pair near the
    auto-link threshold)."""
    held = repo.records.registry_size(exact=True)
    references = _references(records)
    if held == 0:
        return len(references)  # a first load: nothing to look up
    hmac_of: dict[tuple[str, bytes], tuple[str, str]] = {}
    for source, ref in references:
        for _, digest in crypto.pseudonymiser.ref_hmacs(source, ref):
            hmac_of[(source, digest)] = (source, ref)
    found = repo.records.find_records(list(hmac_of))
    already = {hmac_of[key] for key in found}
    return held + len(references) - len(already)


def ingest(
    records: Sequence[RecordIn] | pa.Table,
    *,
    write_factory: sessionmaker[Session],
    matcher: Matcher,
    crypto: RegistryCrypto,
    config: RegistrySettings,
    actor: str = "srj registry ingest",
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    size = batch_size or config.ingest_batch_size
    summary = IngestSummary()
    start = time.perf_counter()
    # Probabilities depend on the population's size: score the whole extract against the
    # registry it will make, not against the few records held when the first batch arrives.
    with session_scope(write_factory) as session:
        final_size = final_registry_size(RegistryRepository(session), crypto, records)
    matcher.fix_population_size(final_size)
    try:
        _run_batches(
            records, size, write_factory, matcher, crypto, config, actor, summary, progress
        )
    finally:
        matcher.fix_population_size(None)
    summary.seconds = time.perf_counter() - start
    return summary


def _run_batches(
    records: Sequence[RecordIn] | pa.Table,
    size: int,
    write_factory: sessionmaker[Session],
    matcher: Matcher,
    crypto: RegistryCrypto,
    config: RegistrySettings,
    actor: str,
    summary: IngestSummary,
    progress: Callable[[int], None] | None,
) -> None:
    for batch in batches(records, size):
        with session_scope(write_factory) as session:
            resolver = Resolver(RegistryRepository(session), matcher, crypto, config, actor=actor)
            results = resolver.resolve_many(batch)
        summary.batches += 1
        summary.records += len(batch)
        for result in results:
            if not result.changed:
                summary.unchanged += 1
            elif result.existed:
                summary.updated += 1
            else:
                summary.statuses[result.status.value] += 1
        if progress is not None:
            progress(len(batch))
