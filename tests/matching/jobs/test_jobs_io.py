"""Reading canonical files: every bad input is named precisely, values are never echoed."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from matching.io import (
    InputError,
    atomic_output_dir,
    closest_column,
    read_clusters,
    read_labels,
    read_pairs,
    read_records,
    read_truth,
)
from matching.records import CANONICAL_COLUMNS


def _row(record_id: str, **fields: str) -> dict[str, str]:
    row = dict.fromkeys(CANONICAL_COLUMNS, "")
    row.update(record_id=record_id, source="CASSIOPEE", source_ref=f"REF-{record_id}")
    row.update(nom_naissance="MARTIN", prenoms="JEAN PIERRE", date_naissance="1980-05-17", sexe="M")
    row.update(fields)
    return row


def _write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(CANONICAL_COLUMNS)
    lines = [",".join(header)]
    lines += [",".join(r.get(c, "") for c in CANONICAL_COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_parquet(path: Path, rows: list[dict[str, str]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_csv_and_parquet_read_to_the_same_canonical_table(tmp_path: Path) -> None:
    rows = [_row("1", code_commune_naissance="01053"), _row("2", date_naissance="1980-05")]
    from_csv = read_records(_write_csv(tmp_path / "r.csv", rows))
    from_parquet = read_records(_write_parquet(tmp_path / "r.parquet", rows))
    assert from_csv.equals(from_parquet)
    assert from_csv.schema.names == list(CANONICAL_COLUMNS)
    # INSEE codes keep their leading zero; empty strings become nulls.
    assert from_csv.column("code_commune_naissance").to_pylist() == ["01053", None]
    assert from_csv.column("alias").null_count == 2


def test_semicolon_csv_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    header = ";".join(CANONICAL_COLUMNS)
    body = ";".join(_row("9").values())
    path.write_bytes(("\ufeff" + header + "\n" + body + "\n").encode())
    assert read_records(path).column("record_id").to_pylist() == ["9"]


def test_parquet_date_typed_columns_become_iso_text(tmp_path: Path) -> None:
    import datetime as dt

    rows = [_row("1")]
    table = pa.Table.from_pylist(rows).set_column(
        list(CANONICAL_COLUMNS).index("date_naissance"),
        "date_naissance",
        pa.array([dt.date(1980, 5, 17)]),
    )
    pq.write_table(table, tmp_path / "r.parquet")
    assert read_records(tmp_path / "r.parquet").column("date_naissance").to_pylist() == [
        "1980-05-17"
    ]


def test_misnamed_column_is_named_with_the_canonical_suggestion(tmp_path: Path) -> None:
    header = ["Nom de naissance" if c == "nom_naissance" else c for c in CANONICAL_COLUMNS]
    header = ["prénoms" if c == "prenoms" else c for c in header]
    path = _write_csv(tmp_path / "r.csv", [_row("1")], header=header)
    with pytest.raises(InputError) as caught:
        read_records(path)
    message = str(caught.value)
    assert "column 'nom_naissance' is missing: found 'Nom de naissance'" in message
    assert "column 'prenoms' is missing: found 'prénoms'" in message


def test_missing_column_without_a_close_name(tmp_path: Path) -> None:
    columns = [c for c in CANONICAL_COLUMNS if c != "nationalite"]
    table = pa.Table.from_pylist([{c: "x" for c in columns} | {"record_id": "1"}])
    pq.write_table(table, tmp_path / "r.parquet")
    with pytest.raises(InputError, match=r"column 'nationalite' is missing$"):
        read_records(tmp_path / "r.parquet")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NOM_NAISSANCE", "nom_naissance"),
        ("nom naissance", "nom_naissance"),
        ("nom_naisance", "nom_naissance"),
        ("date de naissance", "date_naissance"),
        ("code-commune-naissance", "code_commune_naissance"),
        ("zzz", None),
    ],
)
def test_closest_column(name: str, expected: str | None) -> None:
    assert closest_column(name, CANONICAL_COLUMNS) == expected


def test_duplicate_record_ids_are_named_with_their_rows(tmp_path: Path) -> None:
    rows = [_row("1"), _row("2"), _row("1"), _row("3"), _row("2")]
    path = _write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(InputError) as caught:
        read_records(path)
    message = str(caught.value)
    assert "'1' at row 1 (line 2), row 3 (line 4)" in message
    assert "'2' at row 2 (line 3), row 5 (line 6)" in message


def test_unparseable_dates_name_row_and_field_but_not_the_value(tmp_path: Path) -> None:
    rows = [
        _row("1"),
        _row("2", date_naissance="17/05/1980"),
        _row("3", date_deces="hier"),
        _row("4", date_naissance="1980"),
        _row("5", date_naissance="1980-13-05"),  # a day/month swap: well-shaped, kept
    ]
    path = _write_parquet(tmp_path / "r.parquet", rows)
    with pytest.raises(InputError) as caught:
        read_records(path)
    message = str(caught.value)
    assert "column 'date_naissance': unparseable date at row 2 " in message
    assert "column 'date_deces': unparseable date at row 3 " in message
    assert "17/05/1980" not in message
    assert "hier" not in message
    assert "row 4" not in message
    assert "row 5" not in message


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    rows = [_row(str(i), date_naissance="n/a") for i in range(12)]
    with pytest.raises(InputError, match=r"row 5 and 7 more"):
        read_records(_write_parquet(tmp_path / "r.parquet", rows))


def test_empty_required_fields_are_named(tmp_path: Path) -> None:
    rows = [_row("1"), _row("2", source="")]
    with pytest.raises(InputError, match=r"column 'source' is empty at row 2 \(line 3\)"):
        read_records(_write_csv(tmp_path / "r.csv", rows))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (",".join(CANONICAL_COLUMNS).encode() + b"\n", "header but no records"),
    ],
)
def test_empty_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=expected):
        read_records(path)


def test_missing_file_directory_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_records(tmp_path / "nope.parquet")
    with pytest.raises(InputError, match="is a directory"):
        read_records(tmp_path)
    other = tmp_path / "r.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"unsupported extension '\.xlsx'"):
        read_records(other)


def test_corrupt_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    path.write_bytes(b"not a parquet file at all")
    with pytest.raises(InputError, match="cannot be read as parquet"):
        read_records(path)


def test_non_utf8_csv_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    good = ",".join(_row("1").values()).encode()
    bad = ",".join(_row("2", nom_naissance="HÉLÈNE").values()).encode("latin-1")
    path.write_bytes(",".join(CANONICAL_COLUMNS).encode() + b"\n" + good + b"\n" + bad + b"\n")
    with pytest.raises(InputError, match="line 3 is not UTF-8 text"):
        read_records(path)


def test_ragged_csv_row_does_not_echo_the_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(CANONICAL_COLUMNS) + "\nDUPONT,SECRET\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_records(path)
    assert "line 2: expected 17 fields, found 2" in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert "DUPONT" not in str(caught.value)


def test_truth_and_clusters_readers(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("record_id,person_id\na,p1\nb,p1\n", encoding="utf-8")
    assert read_truth(tmp_path / "t.csv").num_rows == 2
    (tmp_path / "c.csv").write_text("record_id,cluster_id\na,1\na,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="'a' at row 1"):
        read_clusters(tmp_path / "c.csv")
    (tmp_path / "bad.csv").write_text("record,person_id\na,p1\n", encoding="utf-8")
    with pytest.raises(InputError, match="'record_id' is missing: found 'record'"):
        read_truth(tmp_path / "bad.csv")


def test_pairs_reader_checks_numbers_and_probabilities(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "record_id_l,record_id_r,match_weight,match_probability\na,b,3.5,0.9\na,c,1,1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"outside \[0, 1\] at row 2"):
        read_pairs(path)
    path.write_text(
        "record_id_l,record_id_r,match_weight,match_probability\na,b,high,0.9\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="'match_weight' must hold numbers"):
        read_pairs(path)


def test_labels_from_decisions_and_from_scores(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "record_id_l,record_id_r,decision\na,b,same\na,c,DIFFERENT\nb,c,unsure\n",
        encoding="utf-8",
    )
    labels = read_labels(path)
    assert labels.column("clerical_match_score").to_pylist() == [1.0, 0.0]
    path.write_text("record_id_l,record_id_r,decision\na,b,maybe\n", encoding="utf-8")
    with pytest.raises(InputError, match="same, different or unsure at row 1"):
        read_labels(path)
    path.write_text("record_id_l,record_id_r,clerical_match_score\na,b,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="between 0 and 1 at row 1"):
        read_labels(path)
    path.write_text("record_id_l,record_id_r\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'clerical_match_score'.*or 'decision'"):
        read_labels(path)


def test_atomic_output_dir_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out"

    def crash_mid_job() -> None:
        with atomic_output_dir(target) as work:
            (work / "clusters.parquet").write_bytes(b"partial")
            raise RuntimeError("crash mid-job")

    with pytest.raises(RuntimeError):
        crash_mid_job()
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_dir_replaces_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with atomic_output_dir(target) as work:
        (work / "a.txt").write_text("first")
    with pytest.raises(FileExistsError, match="--overwrite"), atomic_output_dir(target):
        pass

    def crash_while_replacing() -> None:
        with atomic_output_dir(target, overwrite=True) as work:
            (work / "a.txt").write_text("second")
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash_while_replacing()
    assert (target / "a.txt").read_text() == "first"
    with atomic_output_dir(target, overwrite=True) as work:
        (work / "a.txt").write_text("second")
    assert (target / "a.txt").read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_pseudonymised_linkage_table_keeps_persons_and_drops_traits() -> None:
    from matching.jobs import pseudonymised_linkage_table

    records = pa.Table.from_pylist(
        [_row("1", source="CASSIOPEE"), _row("2", source="GENESIS"), _row("3", source="APPI")]
    )
    records = records.set_column(
        list(CANONICAL_COLUMNS).index("record_date"), "record_date", pa.array(["2020-01-02"] * 3)
    )
    clusters = pa.table({"record_id": ["3", "2", "1"], "cluster_id": ["B", "A", "A"]})
    key = b"k" * 32
    table = pseudonymised_linkage_table(clusters, records, key)
    assert table.schema.names == ["person", "record", "source", "record_date"]
    people = table.column("person").to_pylist()
    assert people[0] == people[1] != people[2]
    assert table.column("source").to_pylist() == ["CASSIOPEE", "GENESIS", "APPI"]
    # Nothing of the identifiers or traits appears; another study's key gives other pseudonyms.
    text = str(table.to_pylist())
    for value in ("MARTIN", "JEAN", "1980-05-17", "'A'", "'B'"):
        assert value not in text
    other = pseudonymised_linkage_table(clusters, records, b"x" * 32)
    assert set(other.column("person").to_pylist()).isdisjoint(people)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        pseudonymised_linkage_table(clusters, records, b"short")
