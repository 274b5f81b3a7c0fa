"""Christen's FEBRL datasets mapped onto the canonical identity record, with their truth.

Data none of us generated (issue 8): Peter Christen's Febrl generator (Australian National
University) wrote these records and their duplicates with its own error model. The files are
in ``datasets/febrl/`` (provenance, checksums and licence in its README).

FEBRL is Australian: ``rec_id, given_name, surname, street_number, address_1, address_2,
suburb, postcode, state, date_of_birth, soc_sec_id``. What maps onto our record:

- ``surname`` → ``nom_naissance``; ``given_name`` (one given name) → ``prenoms``;
- ``date_of_birth`` (``YYYYMMDD``) → ``date_naissance`` as ``YYYY-MM-DD``, written as it is
  even when it is not a possible date (the standardiser flags it: FEBRL corrupts dates);
- ``suburb`` → ``commune_naissance`` with the country of birth AUSTRALIE (INSEE 99501): the
  only place FEBRL has is an address, so it stands in for the birthplace as a city abroad,
  compared by name (no commune code). This is a proxy: a suburb is where one lives, and
  FEBRL corrupts it as it corrupts names.

What does not map: the street address, postcode and state (the canonical record has no
address), ``soc_sec_id`` (no identifier: linkage works on traits alone), and our record's
sexe, civilité, nom d'usage, alias and nationalité (FEBRL has none: they stay empty).

Truth: ``rec-<n>-org`` and ``rec-<n>-dup-<k>`` are the same person ``n``. ``febrl4`` is
``dataset4a`` (originals) and ``dataset4b`` (one duplicate each) deduplicated together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from matching.io import normalise_records
from matching.records import CANONICAL_COLUMNS

FEBRL_FILES: Final[dict[str, tuple[str, ...]]] = {
    "febrl1": ("dataset1.csv",),
    "febrl2": ("dataset2.csv",),
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}
FEBRL_COLUMNS: Final = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)
AUSTRALIA: Final = ("AUSTRALIE", "99501")
_REC_ID: Final = re.compile(r"^rec-(\d+)-(?:org|dup-\d+)$")
_COMPACT_DATE: Final = re.compile(r"^[0-9]{8}$")


class FebrlError(ValueError):
    """A FEBRL file is missing or not in FEBRL's layout (says which and why)."""


@dataclass(frozen=True)
class FebrlData:
    name: str
    records: pa.Table  # canonical columns, strings, null when empty
    truth: pa.Table  # record_id, person_id

    @property
    def n_persons(self) -> int:
        return int(pc.count_distinct(self.truth.column("person_id")).as_py())


def febrl_directory() -> Path:
    return Path(__file__).resolve().parent.parent / "datasets" / "febrl"


def _read(path: Path) -> pa.Table:
    if not path.exists():
        raise FebrlError(f"{path}: missing (see datasets/febrl/README.md to extract it)")
    with path.open(encoding="utf-8") as handle:
        header = [n.strip() for n in handle.readline().split(",")]
    if tuple(header) != FEBRL_COLUMNS:
        raise FebrlError(f"{path}: columns {header}, expected FEBRL's {list(FEBRL_COLUMNS)}")
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=list(FEBRL_COLUMNS), skip_rows=1),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in FEBRL_COLUMNS}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        raise FebrlError(f"{path}: not a FEBRL file ({exc})") from None
    return pa.table({n: pc.utf8_trim_whitespace(table.column(n)) for n in FEBRL_COLUMNS})


def _iso_date(value: str) -> str:
    return f"{value[:4]}-{value[4:6]}-{value[6:]}" if _COMPACT_DATE.match(value) else value


def to_canonical(febrl: pa.Table, name: str) -> FebrlData:
    """FEBRL rows (``FEBRL_COLUMNS``, stripped strings) as canonical records and truth."""
    ids = febrl.column("rec_id").to_pylist()
    persons = []
    for line, rec_id in enumerate(ids, start=2):
        match = _REC_ID.match(rec_id)
        if match is None:
            raise FebrlError(f"{name}, row {line}: rec_id {rec_id!r} is not rec-<n>-org/dup-<k>")
        persons.append(f"{name}-{match.group(1)}")
    if len(set(ids)) != len(ids):
        raise FebrlError(f"{name}: rec_id values are not unique")
    n = febrl.num_rows
    empty = pa.array([""] * n, pa.string())
    columns = dict.fromkeys(CANONICAL_COLUMNS, empty)
    suburb = febrl.column("suburb")
    has_place = pc.not_equal(suburb, "")
    columns |= {
        "record_id": febrl.column("rec_id"),
        "source": pa.array(["FEBRL"] * n, pa.string()),
        "source_ref": febrl.column("rec_id"),
        "nom_naissance": pc.utf8_upper(febrl.column("surname")),
        "prenoms": pc.utf8_upper(febrl.column("given_name")),
        "date_naissance": pa.array(
            [_iso_date(v) for v in febrl.column("date_of_birth").to_pylist()], pa.string()
        ),
        "commune_naissance": pc.utf8_upper(suburb),
        "pays_naissance": pc.if_else(has_place, AUSTRALIA[0], ""),
        "code_pays_naissance": pc.if_else(has_place, AUSTRALIA[1], ""),
    }
    records = normalise_records(pa.table({c: columns[c] for c in CANONICAL_COLUMNS}))
    truth = pa.table(
        {"record_id": febrl.column("rec_id"), "person_id": pa.array(persons, pa.string())}
    )
    return FebrlData(name, records, truth)


def load_febrl(name: str, directory: Path | None = None) -> FebrlData:
    """One FEBRL dataset (``febrl1`` … ``febrl4``) as canonical records and truth."""
    files = FEBRL_FILES.get(name)
    if files is None:
        raise FebrlError(f"unknown FEBRL dataset {name!r} ({', '.join(FEBRL_FILES)})")
    folder = directory or febrl_directory()
    return to_canonical(pa.concat_tables([_read(folder / f) for f in files]), name)
