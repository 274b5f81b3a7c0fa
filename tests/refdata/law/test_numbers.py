"""Amounts and durations written every way the codes write them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from refdata.law.numbers import (
    EURO,
    FRANC,
    french_words,
    parse_amount,
    parse_duration,
    parse_french_number,
)

SEPARATORS = st.sampled_from([" ", "\u00a0", "\u202f", ""])
EURO_SIGNS = st.sampled_from(["€", "euros", "EUR", "Euros"])
FRANC_SIGNS = st.sampled_from(["F", "francs"])


def grouped(n: int, separator: str) -> str:
    """45000 -> '45 000' with the given thousands separator."""
    digits = str(n)
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return separator.join(reversed(groups))


def rectified(words: str) -> str:
    """The 1990 spelling: every part of a compound number joined by hyphens."""
    return re.sub(r"\s+", "-", words)


@given(st.integers(1, 10**9), SEPARATORS, EURO_SIGNS, st.sampled_from([" ", "\u00a0", ""]))
def test_amounts_in_digits_read_back(n: int, separator: str, sign: str, space: str) -> None:
    written = f"{grouped(n, separator)}{space if sign == '€' else ' '}{sign}"
    amount = parse_amount(written)
    assert amount is not None
    assert amount.value == Decimal(n)
    assert amount.currency == EURO


@given(st.integers(1, 10**8), SEPARATORS, FRANC_SIGNS)
def test_older_amounts_in_francs(n: int, separator: str, sign: str) -> None:
    amount = parse_amount(f"{grouped(n, separator)} {sign}")
    assert amount is not None
    assert (amount.value, amount.currency) == (Decimal(n), FRANC)


@given(st.integers(1, 10**9), st.booleans(), st.sampled_from(["euros", "francs"]))
def test_amounts_in_words_read_back(n: int, hyphenated: bool, unit: str) -> None:
    words = french_words(n)
    if hyphenated:
        words = rectified(words)
    amount = parse_amount(f"{words} {unit}")
    assert amount is not None
    assert amount.value == Decimal(n)
    assert amount.currency == (EURO if unit == "euros" else FRANC)


@given(st.integers(1, 99), st.sampled_from(["ans", "mois", "années"]), st.booleans())
def test_durations_in_words_and_digits(n: int, unit: str, in_words: bool) -> None:
    number = french_words(n) if in_words else str(n)
    if n == 1:
        unit = {"ans": "an", "années": "année"}.get(unit, unit)
    duration = parse_duration(f"{number} {unit}")
    assert duration is not None
    assert duration.months == (n if unit == "mois" else 12 * n)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1 500 €", 1500),
        ("1 500 euros", 1500),
        ("quinze mille euros", 15000),
        ("45000 euros", 45000),
        ("7 500 000 euros", 7_500_000),
        ("3 750 Euros", 3750),
        ("0,50 euro", Decimal("0.50")),
    ],
)
def test_amounts_as_the_codes_write_them(written: str, value: Decimal | int) -> None:
    amount = parse_amount(written)
    assert amount is not None
    assert amount.value == Decimal(value)


@pytest.mark.parametrize(
    ("written", "months"),
    [
        ("six mois", 6),
        ("un an", 12),
        ("trois ans", 36),
        ("dix-huit mois", 18),
        ("vingt années", 240),
        ("trente ans", 360),
        ("2 ans", 24),
    ],
)
def test_durations_as_the_codes_write_them(written: str, months: int) -> None:
    duration = parse_duration(written)
    assert duration is not None
    assert duration.months == months


@pytest.mark.parametrize(
    "written",
    ["deux trois ans", "cent cent euros", "mille mille euros", "trois", "ans", "euros", "vingt et"],
)
def test_badly_written_numbers_are_not_read(written: str) -> None:
    assert parse_duration(written) is None
    assert parse_amount(written) is None


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("soixante et onze", 71),
        ("quatre-vingts", 80),
        ("quatre-vingt-dix-neuf", 99),
        ("deux cents", 200),
        ("deux cent un", 201),
        ("mille", 1000),
        ("deux millions", 2_000_000),
        ("vingt-et-un", 21),
    ],
)
def test_french_number_words(words: str, value: int) -> None:
    assert parse_french_number(words) == value
