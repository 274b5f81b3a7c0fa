"""FEBRL's records mapped onto the canonical record, with the truth in their rec_id."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from matching.febrl import FEBRL_FILES, FebrlError, load_febrl
from matching.records import CANONICAL_COLUMNS


@pytest.mark.parametrize(
    ("name", "records", "persons"),
    [("febrl1", 1_000, 500), ("febrl2", 5_000, 4_000), ("febrl3", 5_000, 2_000),
     ("febrl4", 10_000, 5_000)],
)  # fmt: skip
def test_each_dataset_has_febrl_s_documented_size(name: str, records: int, persons: int) -> None:
    data = load_febrl(name)
    assert data.records.column_names == list(CANONICAL_COLUMNS)
    assert data.records.num_rows == data.truth.num_rows == records
    assert data.n_persons == persons
    assert (
        data.records.column("record_id").to_pylist() == data.truth.column("record_id").to_pylist()
    )


def test_febrl1_pairs_each_original_with_one_duplicate() -> None:
    truth = load_febrl("febrl1").truth.to_pylist()
    sizes = Counter(row["person_id"] for row in truth)
    assert set(sizes.values()) == {2}
    by_id = {row["record_id"]: row["person_id"] for row in truth}
    assert by_id["rec-223-org"] == by_id["rec-223-dup-0"] == "febrl1-223"


def test_fields_map_onto_the_canonical_record() -> None:
    rows = {r["record_id"]: r for r in load_febrl("febrl1").records.to_pylist()}
    # rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209, 6988048
    row = rows["rec-223-org"]
    assert row["nom_naissance"] == "WALLER"
    assert row["prenoms"] is None  # empty in FEBRL: null, as matching.io reads files
    assert row["date_naissance"] == "1908-12-09"
    assert row["commune_naissance"] == "ST JAMES"
    assert (row["pays_naissance"], row["code_pays_naissance"]) == ("AUSTRALIE", "99501")
    assert row["source"] == "FEBRL"
    assert row["source_ref"] == "rec-223-org"
    for unmapped in ("sexe", "civilite", "nom_usage", "alias", "nationalite"):
        assert row[unmapped] is None


def test_febrl4_links_4a_originals_to_4b_duplicates() -> None:
    truth = load_febrl("febrl4").truth.to_pylist()
    sizes = Counter(row["person_id"] for row in truth)
    assert set(sizes.values()) == {2}
    assert sum(row["record_id"].endswith("-org") for row in truth) == 5_000


def test_a_file_not_in_febrl_layout_is_refused_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "dataset1.csv").write_text("rec_id, name\nrec-1-org, x\n", encoding="utf-8")
    with pytest.raises(FebrlError, match=r"dataset1\.csv: columns"):
        load_febrl("febrl1", tmp_path)
    with pytest.raises(FebrlError, match="missing"):
        load_febrl("febrl2", tmp_path)
    with pytest.raises(FebrlError, match="unknown FEBRL dataset"):
        load_febrl("febrl9")
    header = "rec_id, given_name, surname, street_number, address_1, address_2, suburb, "
    header += "postcode, state, date_of_birth, soc_sec_id\n"
    (tmp_path / "dataset3.csv").write_text(header + "person-1, a, b, 1, s, t, u, 2000, nsw, "
                                           "19800101, 1\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(FebrlError, match="row 2: rec_id 'person-1'"):
        load_febrl("febrl3", tmp_path)
    assert set(FEBRL_FILES) == {"febrl1", "febrl2", "febrl3", "febrl4"}
