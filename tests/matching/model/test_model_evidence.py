"""Minimum evidence for an automatic link (matching.evidence): which trait combinations may be
linked on a score alone, one record at a time and vectorised alike."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.evidence import auto_link_evidence, has_auto_link_evidence
from matching.standardise import standardise_record, standardise_table

FULL = {
    "nom_naissance": "GARNIER",
    "prenoms": "Thibault",
    "sexe": "M",
    "date_naissance": "1979-05-17",
    "code_commune_naissance": "44109",
}


def _without(*names: str, **changes: str) -> dict[str, Any]:
    return {**{k: v for k, v in FULL.items() if k not in names}, **changes}


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        (FULL, True),
        (_without("code_commune_naissance"), True),  # surname, given name, date to the day
        (_without("nom_naissance", nom_usage="GARNIER"), True),  # the nom d'usage is a surname
        (_without("nom_naissance"), False),  # given name + date + sex: dozens a day
        (_without("prenoms"), False),  # twins share surname, date and birthplace
        (_without("date_naissance"), False),  # father and son share name and birthplace
        (_without(date_naissance="1979"), True),  # a year, with the commune
        (_without("code_commune_naissance", date_naissance="1979"), False),
        (_without(date_naissance="1979-05"), True),  # year and month, with the commune
        (_without("code_commune_naissance", date_naissance="1979-05"), False),
        (_without(date_naissance="05/17"), False),  # no year
        (_without(date_naissance="1979-01-01"), True),  # presumed date, with the commune
        (_without("code_commune_naissance", date_naissance="1979-01-01"), False),
        (_without("code_commune_naissance", date_naissance="1979-12-31"), False),
        # Born abroad: the city counts, the country alone does not.
        (
            _without(
                "code_commune_naissance",
                date_naissance="1979-01-01",
                code_pays_naissance="99350",
                commune_naissance="CASABLANCA",
            ),
            True,
        ),
        (
            _without(
                "code_commune_naissance", date_naissance="1979-01-01", code_pays_naissance="99350"
            ),
            False,
        ),
        (_without(date_naissance="31/02/1979"), False),  # not a date
        (_without("sexe"), True),  # the sex is not part of the rule
    ],
)
def test_which_records_may_be_linked_automatically(traits: dict[str, Any], expected: bool) -> None:
    assert has_auto_link_evidence(standardise_record(traits)) is expected


OPTIONAL = st.none() | st.just("")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "nom_naissance": OPTIONAL | st.sampled_from(["GARNIER", "DE LA TOUR"]),
                "nom_usage": OPTIONAL | st.just("ROUSSEAU"),
                "prenoms": OPTIONAL | st.sampled_from(["THIBAULT", "JEAN PIERRE"]),
                "date_naissance": OPTIONAL
                | st.sampled_from(["1979-05-17", "1979-05", "1979", "1979-01-01", "1979-13-45"]),
                "code_commune_naissance": OPTIONAL | st.just("44109"),
                "commune_naissance": OPTIONAL | st.just("CASABLANCA"),
                "code_pays_naissance": OPTIONAL | st.just("99350"),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_vectorised_rule_is_the_record_rule(rows: list[dict[str, Any]]) -> None:
    table = standardise_table(pa.Table.from_pylist(rows))
    mask = auto_link_evidence(table)
    assert mask is not None
    assert mask.tolist() == [has_auto_link_evidence(standardise_record(r)) for r in rows]


def test_a_table_without_standardised_columns_has_no_verdict() -> None:
    assert auto_link_evidence(pa.table({"record_id": ["a"]})) is None
