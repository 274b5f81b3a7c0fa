"""Folding text: the base of every standardised trait."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from matching.standardise.text import compact, fold, fold_keep_hyphens


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def test_fold_examples() -> None:
    assert fold("  l'Hôpital-Saint  Œuvre ") == "L HOPITAL SAINT OEUVRE"
    assert fold("Łukasz Straße") == "LUKASZ STRASSE"
    assert fold("N'DIAYE") == "N DIAYE"
    assert fold("") == ""
    assert fold(None) == ""
    assert fold("123 --- ''") == ""


def test_spacing_and_hyphen_variants_compact_equal() -> None:
    variants = ["Jean-Pierre", "JEAN PIERRE", "jeanpierre", "Jean  -  Pierre", "jean'pierre"]
    assert {compact(fold(v)) for v in variants} == {"JEANPIERRE"}


def test_fold_keep_hyphens_keeps_compounds() -> None:
    assert fold_keep_hyphens("jean--pierre ,  -marie") == "JEAN-PIERRE MARIE"
    assert fold_keep_hyphens("Anne-  Sophie") == "ANNE SOPHIE"


@given(st.text())
def test_fold_is_total_idempotent_and_plain_ascii(text: str) -> None:
    folded = fold(text)
    assert re.fullmatch(r"(?:[A-Z]+(?: [A-Z]+)*)?", folded)
    assert fold(folded) == folded


@given(st.text())
def test_fold_ignores_case_and_accents(text: str) -> None:
    folded = fold(text)
    assert fold(text.upper()) == folded
    assert fold(text.lower()) == folded
    assert fold(strip_accents(text)) == folded


@given(st.text())
def test_fold_keep_hyphens_is_total_and_idempotent(text: str) -> None:
    folded = fold_keep_hyphens(text)
    assert re.fullmatch(r"(?:[A-Z]+(?:-[A-Z]+)*(?: [A-Z]+(?:-[A-Z]+)*)*)?", folded)
    assert fold_keep_hyphens(folded) == folded
    assert fold_keep_hyphens(text.lower()) == folded
    assert fold_keep_hyphens(strip_accents(text)) == folded
