"""Surnames and given names."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from matching.standardise.names import (
    alias_names,
    split_married_name,
    standardise_given_names,
    standardise_surnames,
    strip_particles,
)


def test_particles_spacing_and_case_give_one_surname() -> None:
    forms = ["de la Fontaine", "DE LAFONTAINE", "Delafontaine", "De-La-Fontaine"]
    assert {standardise_surnames(f, None, None)["nom_std"] for f in forms} == {"DELAFONTAINE"}
    assert standardise_surnames("de la Fontaine", None, None)["nom_core"] == "FONTAINE"
    assert standardise_surnames("D'Alembert", None, None)["nom_core"] == "ALEMBERT"
    assert standardise_surnames("Ben Ali", None, None)["nom_std"] == "BENALI"
    # A particle alone is the name itself.
    assert strip_particles("LE") == "LE"
    assert strip_particles("EL AMRANI") == "AMRANI"


def test_married_markers_split_birth_and_usage_names() -> None:
    assert split_married_name("DUPONT EPOUSE MARTIN") == ("DUPONT", "MARTIN")
    assert split_married_name("DUPONT EP MARTIN") == ("DUPONT", "MARTIN")
    assert split_married_name("MARTIN NEE DUPONT") == ("DUPONT", "MARTIN")
    assert split_married_name("DUPONT") == ("DUPONT", "")
    features = standardise_surnames("Dupont épouse Martin", None, None)
    assert features["nom_std"] == "DUPONT"
    assert features["nom_usage_std"] == "MARTIN"
    assert features["noms_std"] == ["DUPONT", "MARTIN"]


def test_every_surname_is_kept_for_cross_comparison() -> None:
    features = standardise_surnames("Dupont", "Martin", "Lulu, Ben Ali / dit le Gros")
    assert features["noms_std"] == ["DUPONT", "MARTIN", "LULU", "BENALI", "LEGROS"]
    assert len(features["noms_phon"]) == 5
    # Only a nom d'usage: it becomes the main surname.
    only_usage = standardise_surnames(None, "Martin", None)
    assert only_usage["nom_std"] == "MARTIN"
    assert alias_names("alias Mimi; ; AKA") == ["MIMI"]


def test_missing_surnames() -> None:
    assert standardise_surnames(None, "", "  ") == {
        "nom_std": None,
        "nom_core": None,
        "nom_phon": None,
        "nom_usage_std": None,
        "noms_std": [],
        "noms_phon": [],
        "nom_skel": None,
        "nom3": None,
        "noms4": [],
    }


def test_given_names_civil_order_and_compounds() -> None:
    hyphen = standardise_given_names("Jean-Pierre Marie")
    assert hyphen["prenom1_std"] == "JEANPIERRE"
    assert hyphen["prenom1_tok"] == "JEAN"
    assert hyphen["prenoms_std"] == "JEAN PIERRE MARIE"
    assert hyphen["prenoms_tokens"] == ["JEAN", "PIERRE", "MARIE"]
    spaced = standardise_given_names("JEAN PIERRE, MARIE")
    assert spaced["prenoms_cmp"] == hyphen["prenoms_cmp"] == "JEANPIERREMARIE"
    assert spaced["prenom1_std"] == "JEAN"
    glued = standardise_given_names("Jeanpierre")
    assert glued["prenom1_std"] == "JEANPIERRE"
    assert (
        standardise_given_names("Éloïse")["prenom1_phon"]
        == standardise_given_names("ELOISE")["prenom1_phon"]
    )
    assert standardise_given_names("  ")["prenoms_tokens"] == []


def _strip(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


@given(st.text(), st.text(), st.text())
def test_surnames_total_idempotent_case_and_accent_insensitive(a: str, b: str, c: str) -> None:
    features = standardise_surnames(a, b, c)
    assert standardise_surnames(a.lower(), b.upper(), c.lower()) == features
    assert standardise_surnames(_strip(a), _strip(b), _strip(c)) == features
    main = features["nom_std"]
    if main is not None:
        again = standardise_surnames(str(main), None, None)
        assert again["nom_std"] == main
        assert again["nom_phon"] == features["nom_phon"]


@given(st.text())
def test_given_names_total_idempotent_case_and_accent_insensitive(text: str) -> None:
    features = standardise_given_names(text)
    assert standardise_given_names(text.lower()) == features
    assert standardise_given_names(_strip(text)) == features
    if features["prenoms_std"] is not None:
        again = standardise_given_names(str(features["prenoms_std"]))
        assert again["prenoms_std"] == features["prenoms_std"]
        assert again["prenoms_tokens"] == features["prenoms_tokens"]
