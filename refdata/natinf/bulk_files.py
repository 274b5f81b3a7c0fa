"""The bulk files of a NATINF release: CSV (official layout, UTF-8 and Latin-1), JSON, Parquet.

Each builder is deterministic (same release content -> same bytes), so the SHA-256 recorded at
release time stays true when a missing file is regenerated. Files hold only what a release
fixes for good: the version of each code *as published by that release* (its ``valid_from``
and the release that introduced it), never ``valid_to``, which a later release may set.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from refdata.natinf.official_file import render_csv


@dataclass(frozen=True)
class OffenceSnapshot:
    """One code as a release publishes it."""

    natinf: int
    version: int
    nature: str | None
    nature_code: str | None
    contravention_class: int | None
    qualification: str
    defined_by: str
    repressed_by: str
    defined_by_refs: list[dict[str, Any]]
    repressed_by_refs: list[dict[str, Any]]
    valid_from: date
    introduced_in: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "natinf": self.natinf,
            "version": self.version,
            "nature": self.nature,
            "nature_code": self.nature_code,
            "contravention_class": self.contravention_class,
            "qualification": self.qualification,
            "defined_by": self.defined_by,
            "repressed_by": self.repressed_by,
            "defined_by_refs": self.defined_by_refs,
            "repressed_by_refs": self.repressed_by_refs,
            "valid_from": self.valid_from.isoformat(),
            "introduced_in": self.introduced_in,
        }


@dataclass(frozen=True)
class ReleaseHeader:
    id: str
    dataset: str
    published_on: date


@dataclass(frozen=True)
class BulkFormat:
    name: str  # file name in URLs and in the release: "offences.csv"
    suffix: str  # extension in the store
    media_type: str
    compress: bool  # keep a gzip copy (Parquet is compressed already)
    build: Callable[[ReleaseHeader, Sequence[OffenceSnapshot]], bytes]


def _rows(offences: Sequence[OffenceSnapshot]) -> list[tuple[int, str | None, str, str, str]]:
    return [
        (o.natinf, o.nature, o.qualification, o.defined_by, o.repressed_by)
        for o in sorted(offences, key=lambda o: o.natinf)
    ]


def build_csv_utf8(_release: ReleaseHeader, offences: Sequence[OffenceSnapshot]) -> bytes:
    return render_csv(_rows(offences)).encode("utf-8")


def build_csv_latin1(_release: ReleaseHeader, offences: Sequence[OffenceSnapshot]) -> bytes:
    # Windows-1252, the superset of Latin-1 the official exports use; the importer refuses any
    # character it cannot hold, so this never fails on imported content.
    return render_csv(_rows(offences)).encode("cp1252")


def build_json(release: ReleaseHeader, offences: Sequence[OffenceSnapshot]) -> bytes:
    payload = {
        "dataset": release.dataset,
        "release": release.id,
        "published_on": release.published_on.isoformat(),
        "count": len(offences),
        "offences": [o.as_dict() for o in sorted(offences, key=lambda o: o.natinf)],
    }
    return orjson.dumps(payload, option=orjson.OPT_APPEND_NEWLINE)


_REF = pa.struct(
    [
        ("article", pa.string()),
        ("alineas", pa.list_(pa.string())),
        ("paragraphs", pa.list_(pa.string())),
        ("items", pa.list_(pa.string())),
        ("text", pa.string()),
        ("text_title", pa.string()),
        ("text_raw", pa.string()),
    ]
)
PARQUET_SCHEMA = pa.schema(
    [
        ("natinf", pa.int32()),
        ("version", pa.int32()),
        ("nature", pa.string()),
        ("nature_code", pa.string()),
        ("contravention_class", pa.int8()),
        ("qualification", pa.string()),
        ("defined_by", pa.string()),
        ("repressed_by", pa.string()),
        ("defined_by_refs", pa.list_(_REF)),
        ("repressed_by_refs", pa.list_(_REF)),
        ("valid_from", pa.date32()),
        ("introduced_in", pa.string()),
    ],
    metadata={"dataset": "natinf"},
)


def build_parquet(release: ReleaseHeader, offences: Sequence[OffenceSnapshot]) -> bytes:
    ordered = sorted(offences, key=lambda o: o.natinf)
    columns: dict[str, list[Any]] = {name: [] for name in PARQUET_SCHEMA.names}
    for o in ordered:
        columns["natinf"].append(o.natinf)
        columns["version"].append(o.version)
        columns["nature"].append(o.nature)
        columns["nature_code"].append(o.nature_code)
        columns["contravention_class"].append(o.contravention_class)
        columns["qualification"].append(o.qualification)
        columns["defined_by"].append(o.defined_by)
        columns["repressed_by"].append(o.repressed_by)
        columns["defined_by_refs"].append(o.defined_by_refs)
        columns["repressed_by_refs"].append(o.repressed_by_refs)
        columns["valid_from"].append(o.valid_from)
        columns["introduced_in"].append(o.introduced_in)
    schema = PARQUET_SCHEMA.with_metadata({"dataset": release.dataset, "release": release.id})
    table = pa.Table.from_pydict(columns, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


OFFENCE_FORMATS: dict[str, BulkFormat] = {
    f.name: f
    for f in (
        BulkFormat("offences.csv", ".csv", "text/csv; charset=utf-8", True, build_csv_utf8),
        BulkFormat(
            "offences.latin-1.csv",
            ".csv",
            "text/csv; charset=windows-1252",
            True,
            build_csv_latin1,
        ),
        BulkFormat("offences.json", ".json", "application/json", True, build_json),
        BulkFormat(
            "offences.parquet", ".parquet", "application/vnd.apache.parquet", False, build_parquet
        ),
    )
}
