"""Birth dates: full, partial, swapped, impossible; never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.standardise.dates import standardise_birth_date


@pytest.mark.parametrize(
    "written",
    [
        "1985-03-12",
        "12/03/1985",
        "12.03.1985",
        "12-03-1985",
        "19850312",
        "1985-3-12",
        "1985-03-12T00:00:00",
        " 1985-03-12 ",
    ],
)
def test_spellings_of_one_full_date(written: str) -> None:
    features = standardise_birth_date(written)
    assert features["dn"] == "1985-03-12"
    assert features["dn_digits"] == "19850312"
    assert features["dn_swap"] == "1985-12-03"
    assert features["dn_precision"] == "jour"
    assert not features["dn_invalide"]


@pytest.mark.parametrize(
    ("written", "precision", "year", "month"),
    [
        ("1985-03", "mois", 1985, 3),
        ("03/1985", "mois", 1985, 3),
        ("1985-03-00", "mois", 1985, 3),
        ("1985", "annee", 1985, None),
        ("1985-00-00", "annee", 1985, None),
        ("00/00/1985", "annee", 1985, None),
    ],
)
def test_partial_dates_stay_partial(
    written: str, precision: str, year: int, month: int | None
) -> None:
    features = standardise_birth_date(written)
    assert features["dn"] is None
    assert features["dn_precision"] == precision
    assert features["dn_annee"] == year
    assert features["dn_mois"] == month
    assert features["dn_jour"] is None
    assert not features["dn_invalide"]


@pytest.mark.parametrize(
    "written",
    [
        "1985-02-30",
        "1985-13-01",
        "31/02/1985",
        "0985-03-12",
        "2985-01-01",
        "le 3 mars",
        "12/03/85",
        "1985-00-12",
        "٢٠٠١-٠١-٠١",
    ],
)
def test_impossible_dates_are_empty_and_flagged(written: str) -> None:
    features = standardise_birth_date(written)
    assert features["dn_invalide"] is True
    assert features["dn"] is None
    assert features["dn_annee"] is None
    assert features["dn_precision"] is None


def test_empty_date_is_not_invalid() -> None:
    for written in (None, "", "   "):
        features = standardise_birth_date(written)
        assert features["dn"] is None
        assert features["dn_invalide"] is False


def test_presumed_dates_and_swaps() -> None:
    assert standardise_birth_date("1980-01-01")["dn_presumee"] is True
    assert standardise_birth_date("1980-12-31")["dn_presumee"] is True
    assert standardise_birth_date("1980-06-15")["dn_presumee"] is False
    # No swap when day > 12 or day == month.
    assert standardise_birth_date("1980-06-15")["dn_swap"] is None
    assert standardise_birth_date("1980-06-06")["dn_swap"] is None
    assert standardise_birth_date("1980-02-11")["dn_swap"] == "1980-11-02"


@given(st.text())
def test_never_raises_and_is_consistent(text: str) -> None:
    features = standardise_birth_date(text)
    if features["dn"] is not None:
        assert dt.date.fromisoformat(str(features["dn"]))
    if features["dn_invalide"]:
        assert features["dn_annee"] is None


@given(st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_iso_and_french_spellings_round_trip(date: dt.date) -> None:
    iso = standardise_birth_date(date.isoformat())
    assert iso["dn"] == date.isoformat()
    assert standardise_birth_date(date.strftime("%d/%m/%Y")) == iso
    assert standardise_birth_date(str(iso["dn"])) == iso
    month = standardise_birth_date(str(iso["dn_ym"]))
    assert month["dn_annee"] == date.year
    assert month["dn_mois"] == date.month
    assert standardise_birth_date(str(month["dn_ym"])) == month
