"""The two entry points: one record (online) and a table (batch) give identical outputs."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.records import CANONICAL_COLUMNS
from matching.standardise import (
    STANDARDISED_COLUMNS,
    STANDARDISED_SCHEMA,
    standardise_record,
    standardise_table,
)
from matching.synthetic import generate

CANONICAL_SCHEMA = pa.schema([(name, pa.string()) for name in CANONICAL_COLUMNS])

# Realistic fragments mixed with arbitrary unicode, so both the common paths (names found
# in the COG, valid dates) and the odd ones are exercised.
_NAMES = st.sampled_from(
    [
        "Dupont",
        "DE LA FONTAINE",
        "Ben Ali",
        "N'Diaye",
        "Müller",
        "Jean-Pierre Marie",
        "ÉLOÏSE",
        "dupont épouse martin",
        "Mohammed",
        "  ",
        "",
    ]
)
_DATES = st.sampled_from(
    [
        "1985-03-12",
        "12/03/1985",
        "1985-03",
        "1985",
        "1985-02-30",
        "1980-01-01",
        "19850312",
        "",
        "n/a",
    ]
)
_COMMUNES = st.sampled_from(["PARIS 11E", "St-Denis (93)", "ST DENIS", "Alger", "Lyon 3eme", ""])
_CODES = st.sampled_from(["75111", "01144", "2A004", "99352", "1053", "12999", "", "x"])
_FIELD = st.one_of(st.none(), st.text(max_size=25), _NAMES, _DATES, _COMMUNES, _CODES)


@st.composite
def canonical_records(draw: st.DrawFn) -> list[dict[str, str | None]]:
    count = draw(st.integers(min_value=0, max_value=25))
    records = []
    for index in range(count):
        record: dict[str, str | None] = {c: draw(_FIELD) for c in CANONICAL_COLUMNS}
        record["record_id"] = f"R{index}"
        records.append(record)
    return records


@given(canonical_records())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_equals_per_record_on_arbitrary_records(
    records: list[dict[str, str | None]],
) -> None:
    table = pa.Table.from_pylist(records, schema=CANONICAL_SCHEMA)
    batch = standardise_table(table)
    assert batch.schema == STANDARDISED_SCHEMA
    assert batch.to_pylist() == [standardise_record(r) for r in records]


def test_batch_equals_per_record_on_the_synthetic_population() -> None:
    records = generate(persons=1_500, seed=11).records
    batch = standardise_table(records)
    assert batch.num_rows == records.num_rows
    assert batch.to_pylist() == [standardise_record(r) for r in records.to_pylist()]


def test_duckdb_relations_and_missing_columns() -> None:
    connection = duckdb.connect()
    relation = connection.sql(
        "select 'R1' as record_id, 'Dupont' as nom_naissance, '12/03/1985' as date_naissance"
    )
    out = standardise_table(relation)
    assert out.column_names == list(STANDARDISED_COLUMNS)
    assert out.to_pylist() == [
        standardise_record(
            {"record_id": "R1", "nom_naissance": "Dupont", "date_naissance": "12/03/1985"}
        )
    ]


def test_typed_input_columns_are_read_as_text() -> None:
    table = pa.table(
        {
            "record_id": pa.array([1, 2], pa.int64()),
            "date_naissance": pa.array([dt.date(1985, 3, 12), None], pa.date32()),
            "nom_naissance": pa.array(["Dupont", "Durand"]).dictionary_encode(),
        }
    )
    out = standardise_table(table).to_pylist()
    assert [r["record_id"] for r in out] == ["1", "2"]
    assert out[0]["dn"] == "1985-03-12"
    assert out[1]["nom_std"] == "DURAND"
    assert standardise_record({"record_id": 1, "date_naissance": dt.date(1985, 3, 12)})["dn"] == (
        "1985-03-12"
    )


@given(
    st.dictionaries(
        st.sampled_from(CANONICAL_COLUMNS),
        st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.dates(), st.booleans()),
    )
)
def test_standardise_record_never_raises(record: dict[str, object]) -> None:
    out = standardise_record(record)
    assert tuple(out) == STANDARDISED_COLUMNS


def test_a_table_without_identity_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="none of the canonical identity columns"):
        standardise_table(pa.table({"record_id": ["R1"], "nom_std": ["DUPONT"]}))


def test_empty_table() -> None:
    out = standardise_table(pa.Table.from_pylist([], schema=CANONICAL_SCHEMA))
    assert out.num_rows == 0
    assert out.schema == STANDARDISED_SCHEMA
