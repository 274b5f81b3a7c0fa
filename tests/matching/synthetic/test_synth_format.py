"""The generated records follow the canonical format and the truth is complete."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pyarrow as pa
import pytest

from matching.records import CANONICAL_COLUMNS, SOURCES, YOUTH_SOURCES
from matching.synthetic import MISSING, Population, generate
from matching.synthetic.reference import load_reference

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
COMMUNE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
COUNTRY_CODE = re.compile(r"^99\d{3}$")


def test_columns_are_exactly_the_canonical_ones_all_strings_never_null(
    population: Population,
) -> None:
    records = population.records
    assert tuple(records.column_names) == CANONICAL_COLUMNS
    for name in CANONICAL_COLUMNS:
        assert records.schema.field(name).type == pa.string(), name
        assert records.column(name).null_count == 0, name
    assert MISSING == ""


def test_identifiers_and_sources(population: Population) -> None:
    rows = population.records.to_pydict()
    assert len(set(rows["record_id"])) == population.n_records
    assert set(rows["source"]) == set(SOURCES)
    refs = Counter(zip(rows["source"], rows["source_ref"], strict=True))
    assert all(ref for _, ref in refs), "every record has a local reference"
    assert max(refs.values()) == 1, "a local reference is unique within its application"
    cassiopee = [r for s, r in refs if s == "CASSIOPEE"]
    assert all(re.fullmatch(r"\d{11}", r) for r in cassiopee)
    genesis = [r for s, r in refs if s == "GENESIS"]
    assert all(re.fullmatch(r"\d{3}-\d{7}", r) for r in genesis)


def test_dates_parse_or_are_partial_and_codes_are_shaped(population: Population) -> None:
    rows = population.records.to_pydict()
    pays = load_reference().pays
    for value in rows["date_naissance"]:
        if value:
            assert DATE.match(value), value
            if len(value) == 10 and value[5:7] <= "12":
                dt.date.fromisoformat(value)  # a full date with a plausible month is valid
    for value in rows["record_date"]:
        assert dt.date(2000, 1, 1) <= dt.date.fromisoformat(value) <= dt.date(2025, 12, 31)
    for value in rows["code_commune_naissance"]:
        assert value == "" or COMMUNE_CODE.match(value), value
    for value in rows["code_pays_naissance"]:
        assert value == "" or (COUNTRY_CODE.match(value) and value in pays), value
    assert set(rows["sexe"]) <= {"M", "F", ""}
    assert set(rows["civilite"]) <= {"M", "MME", ""}
    assert set(rows["date_deces"]) == {""}, "deaths are not simulated"


def test_truth_covers_every_record_exactly_once(population: Population) -> None:
    truth = population.truth.to_pydict()
    assert truth["record_id"] == population.records.column("record_id").to_pylist()
    assert len(set(truth["record_id"])) == population.n_records
    persons = population.persons.to_pydict()
    per_person = Counter(truth["person_id"])
    assert set(per_person) == set(persons["person_id"])
    assert dict(zip(persons["person_id"], persons["nb_records"], strict=True)) == dict(per_person)
    errors = population.errors.column("record_id").to_pylist()
    assert errors == truth["record_id"]


def test_minors_only_in_youth_sources(population: Population, persons_by_id: dict) -> None:
    rows = population.records.to_pydict()
    truth = population.truth.column("person_id").to_pylist()
    minors = 0
    for source, date, pid in zip(rows["source"], rows["record_date"], truth, strict=True):
        born: dt.date = persons_by_id[pid]["date_naissance"]
        recorded = dt.date.fromisoformat(date)
        age = recorded.year - born.year - ((recorded.month, recorded.day) < (born.month, born.day))
        assert age >= 10
        if age < 18:
            minors += 1
            assert source in YOUTH_SOURCES, (source, age)
        if source in YOUTH_SOURCES:
            assert age <= 20
    assert minors > 100, "the youth applications do hold minors"


def test_records_fall_within_their_application_years(population: Population) -> None:
    rows = population.records.to_pydict()
    first = {}
    last = {}
    for source, date in zip(rows["source"], rows["record_date"], strict=True):
        first[source] = min(first.get(source, date), date)
        last[source] = max(last.get(source, date), date)
    assert last["WINEUR"] <= "2020-12-31"
    assert first["PARCOURS"] >= "2016-01-01"
    assert first["GENESIS"] >= "2011-01-01"


@pytest.mark.parametrize("target", [1, 7, 1_000, 2_345])
def test_records_option_gives_exactly_that_many_records(target: int) -> None:
    population = generate(records=target, seed=target)
    assert population.n_records == target
    assert population.n_persons <= target


@pytest.mark.parametrize(
    "kwargs",
    [
        {"persons": 0},
        {"persons": -3},
        {"records": 0},
        {"persons": 10, "records": 10},
        {},
        {"persons": 10, "seed": -1},
    ],
)
def test_bad_sizes_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=r"persons|records|seed"):
        generate(**kwargs)
