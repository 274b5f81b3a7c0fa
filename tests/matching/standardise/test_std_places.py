"""Birthplaces: COG codes, arrondissements, merged communes, names, abroad."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.standardise.places import (
    cog_directory,
    geography,
    place_name_key,
    standardise_birthplace,
)


def _communes() -> list[dict[str, str]]:
    with (cog_directory() / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("commune", "code", "expected_code", "expected_name"),
    [
        (None, "75111", "75056", "PARIS"),
        ("PARIS 11E", None, "75056", "PARIS"),
        ("Paris 11ème arrondissement", None, "75056", "PARIS"),
        ("PARIS XI", None, "75056", "PARIS"),
        ("Lyon 3eme", None, "69123", "LYON"),
        (None, "13201", "13055", "MARSEILLE"),
        ("St-Denis (93)", None, "93066", "SAINTDENIS"),
        (None, "1053", "01053", "BOURGENBRESSE"),
        (None, "2a004", "2A004", "AJACCIO"),
    ],
)
def test_french_birthplaces_resolve_to_the_current_commune(
    commune: str | None, code: str | None, expected_code: str, expected_name: str
) -> None:
    features = standardise_birthplace(commune, code, None, None)
    assert features["lieu_code"] == expected_code
    assert features["lieu_nom"] == expected_name
    assert features["lieu_pays"] == "99100"
    assert features["lieu_etranger"] is None


def test_every_old_code_resolves_to_the_commune_that_absorbed_it() -> None:
    rows = _communes()
    checked = 0
    for row in rows:
        for old in filter(None, row["anciens_codes"].split("|")):
            assert standardise_birthplace(None, old, None, None)["lieu_code"] == row["code_insee"]
            checked += 1
    assert checked > 1000


def test_current_codes_are_fixed_points() -> None:
    for row in _communes():
        if row["type"] == "commune-actuelle":
            features = standardise_birthplace(None, row["code_insee"], None, None)
            assert features["lieu_code"] == row["code_insee"]
            again = standardise_birthplace(features["lieu_nom"], features["lieu_code"], None, None)
            assert again == features


def test_ambiguous_names_stay_names() -> None:
    # Saint-Denis exists in Seine-Saint-Denis and in La Réunion.
    features = standardise_birthplace("ST DENIS", None, None, None)
    assert features["lieu_code"] is None
    assert features["lieu_nom"] == "SAINTDENIS"
    assert standardise_birthplace("Saint-Denis (974)", None, None, None)["lieu_code"] == "97411"


def test_unknown_codes_are_kept_and_flagged() -> None:
    features = standardise_birthplace(None, "12999", None, None)
    assert features["lieu_code"] == "12999"
    assert features["lieu_code_inconnu"] is True
    assert features["lieu_dept"] == "12"


def test_abroad() -> None:
    by_code = standardise_birthplace("Alger", None, None, "99352")
    assert by_code["lieu_etranger"] == "99352"
    assert by_code["lieu_code"] is None
    assert by_code["lieu_nom"] == "ALGER"
    by_name = standardise_birthplace("ALGER", None, "Algérie", None)
    assert by_name["lieu_pays"] == "99352"
    in_commune_field = standardise_birthplace("Casablanca", "99350", None, None)
    assert in_commune_field["lieu_etranger"] == "99350"
    france = standardise_birthplace(None, None, "France", "99100")
    assert france["lieu_pays"] == "99100"
    assert france["lieu_etranger"] is None
    assert standardise_birthplace(None, None, None, "99999")["lieu_pays"] is None


def test_country_names_resolve_for_every_current_country() -> None:
    geo = geography()
    assert len(geo.countries) > 200
    assert geo.country_by_name[place_name_key("Maroc")] == "99350"


def test_commune_spelling_variants_share_a_key() -> None:
    variants = ["Saint-Denis", "ST DENIS", "st. denis", "SAINT DENIS", "Saint Denis (93)"]
    assert {place_name_key(v) for v in variants} == {"SAINTDENIS"}


@given(st.text(), st.text(), st.text(), st.text())
def test_never_raises(commune: str, code: str, pays: str, code_pays: str) -> None:
    features = standardise_birthplace(commune, code, pays, code_pays)
    assert set(features) == {
        "lieu_code",
        "lieu_dept",
        "lieu_nom",
        "lieu_pays",
        "lieu_etranger",
        "lieu_code_inconnu",
    }
    assert standardise_birthplace(commune.lower(), code.lower(), pays.lower(), code_pays) == (
        standardise_birthplace(commune.upper(), code.upper(), pays.upper(), code_pays)
    )
