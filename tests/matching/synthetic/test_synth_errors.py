"""Entry errors happen at the configured rates, do what their name says, and nothing else
changes a record: a record without error equals the truth up to its application's habits."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.synthetic import ERROR_DESCRIPTIONS, ErrorRates, Population, generate
from matching.synthetic.errors import (
    ERROR_ORDER,
    KEYBOARD_NEIGHBOURS,
    commune_variants,
    separator_variants,
    typo,
)
from matching.synthetic.records import ACCENTLESS_SOURCES
from matching.synthetic.stress import STRESS_ORDER


def _strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _render(text: str, source: str) -> str:
    t = text.upper()
    return _strip(t) if source in ACCENTLESS_SOURCES else t


def _within_binomial(applied: int, eligible: int, rate: float, sigmas: float = 5.0) -> bool:
    expected = eligible * rate
    sd = math.sqrt(max(eligible * rate * (1 - rate), 1e-9))
    return abs(applied - expected) <= sigmas * sd + 1


def test_every_error_has_a_rate_and_a_description() -> None:
    assert set(ERROR_ORDER) | set(STRESS_ORDER) == set(ErrorRates().as_dict())
    assert not set(ERROR_ORDER) & set(STRESS_ORDER)
    assert set(ERROR_ORDER) | set(STRESS_ORDER) <= set(ERROR_DESCRIPTIONS)


def test_default_rates_are_met_and_logged(population: Population) -> None:
    stats = population.stats["errors"]
    logged: dict[str, int] = {}
    for errs in population.errors.column("errors").to_pylist():
        for e in errs:
            logged[e] = logged.get(e, 0) + 1
    for name in ERROR_ORDER:
        s = stats[name]
        assert s["eligible"] > 300, name
        assert _within_binomial(s["applied"], s["eligible"], s["rate"]), (name, s)
        assert logged.get(name, 0) == s["applied"], name


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    rate=st.sampled_from([0.0, 0.05, 0.3, 0.8, 1.0]),
    name=st.sampled_from(ERROR_ORDER),
)
def test_any_configured_rate_is_met(seed: int, rate: float, name: str) -> None:
    rates = ErrorRates.from_mapping({name: rate})
    population = generate(persons=1_500, seed=seed, rates=rates)
    s = population.stats["errors"][name]
    assert s["rate"] == rate
    if rate == 0.0:
        assert s["applied"] == 0
    elif rate == 1.0:
        assert s["applied"] == s["eligible"]
    else:
        assert _within_binomial(s["applied"], s["eligible"], rate), s


def test_records_without_error_equal_the_truth(population: Population, persons_by_id: dict) -> None:
    rows = population.records.to_pylist()
    errors = population.errors.column("errors").to_pylist()
    truth = population.truth.column("person_id").to_pylist()
    checked = 0
    for row, errs, pid in zip(rows, errors, truth, strict=True):
        if errs:
            continue
        p = persons_by_id[pid]
        src = row["source"]
        assert row["nom_naissance"] == _render(p["nom_naissance"], src)
        assert row["prenoms"] == _render(p["prenoms"], src)
        assert row["date_naissance"] == p["date_naissance"].isoformat()
        assert row["sexe"] == p["sexe"]
        assert row["nom_usage"] in {"", _render(p["nom_usage"], src)}
        assert row["alias"] in {"", _render(p["alias"], src)}
        if p["code_pays_naissance"]:
            assert row["code_pays_naissance"] == p["code_pays_naissance"]
            assert row["code_commune_naissance"] == ""
        else:
            assert row["code_commune_naissance"] == p["code_commune_naissance"]
            assert row["commune_naissance"] == _render(p["commune_naissance"], src)
            assert row["code_pays_naissance"] in {"", "99100"}
        assert row["nationalite"] == p["nationalite"]
        checked += 1
    assert checked > population.n_records / 2


def _only(population: Population, name: str) -> list[tuple[dict, dict]]:
    """Records whose only error is ``name``, with their person."""
    persons = {r["person_id"]: r for r in population.persons.to_pylist()}
    out = []
    for row, errs, pid in zip(
        population.records.to_pylist(),
        population.errors.column("errors").to_pylist(),
        population.truth.column("person_id").to_pylist(),
        strict=True,
    ):
        if errs == [name]:
            out.append((row, persons[pid]))
    return out


@pytest.mark.parametrize(
    ("name", "check"),
    [
        (
            "jour_mois",
            lambda r, p: (
                r["date_naissance"]
                == f"{p['date_naissance']:%Y}-{p['date_naissance']:%d}-{p['date_naissance']:%m}"
            ),
        ),
        (
            "date_partielle",
            lambda r, p: (
                len(r["date_naissance"]) in (4, 7)
                and p["date_naissance"].isoformat().startswith(r["date_naissance"])
            ),
        ),
        (
            "annee_chiffre",
            lambda r, p: (
                r["date_naissance"][4:] == p["date_naissance"].isoformat()[4:]
                and sum(
                    a != b
                    for a, b in zip(
                        r["date_naissance"][:4], f"{p['date_naissance']:%Y}", strict=True
                    )
                )
                == 1
            ),
        ),
        (
            "inversion_nom_prenom",
            lambda r, p: (
                r["nom_naissance"] == _render(p["prenoms"], r["source"])
                and r["prenoms"] == _render(p["nom_naissance"], r["source"])
            ),
        ),
        (
            "inversion_nom_usage",
            lambda r, p: (
                r["nom_usage"] == _render(p["nom_naissance"], r["source"])
                and r["nom_naissance"] == _render(p["nom_usage"], r["source"])
            ),
        ),
        (
            "premier_prenom_seul",
            lambda r, p: (
                r["prenoms"] == _render(p["prenoms"], r["source"]).split(" ")[0]
                or _render(p["prenoms"], r["source"]).startswith(r["prenoms"] + " ")
            ),
        ),
        ("alias_comme_nom", lambda r, p: r["nom_naissance"] == _render(p["alias"], r["source"])),
        (
            "pays_errone",
            lambda r, p: (
                r["code_pays_naissance"] != p["code_pays_naissance"]
                and r["code_pays_naissance"].startswith("99")
            ),
        ),
        (
            "faute_nom",
            lambda r, p: (
                r["nom_naissance"] != _render(p["nom_naissance"], r["source"])
                and abs(len(r["nom_naissance"]) - len(p["nom_naissance"])) <= 1
            ),
        ),
        (
            "casse",
            lambda r, p: (
                r["nom_naissance"].upper() == _render(p["nom_naissance"], r["source"])
                and r["prenoms"].upper() == _render(p["prenoms"], r["source"])
            ),
        ),
        (
            "translitteration",
            lambda r, p: (
                r["nom_naissance"] != _render(p["nom_naissance"], r["source"])
                or r["prenoms"] != _render(p["prenoms"], r["source"])
            ),
        ),
    ],
)
def test_each_error_does_what_it_says(population: Population, name: str, check) -> None:
    cases = _only(population, name)
    assert cases, f"no record with only {name}"
    for row, person in cases:
        assert check(row, person), (name, row, person)


def test_typo_always_changes_by_one_edit() -> None:
    for text in ("MARTIN", "LE GALL", "JEAN-PIERRE", "AB", "ÉLODIE"):
        for a in range(5):
            for b in range(4):
                u = (a / 5 + 0.01, b / 4 + 0.01, 0.5)
                out = typo(text, u)
                assert out != text
                assert abs(len(out) - len(text)) <= 1


def test_azerty_neighbours_are_adjacent_keys() -> None:
    assert set(KEYBOARD_NEIGHBOURS["A"]) == {"Z", "Q"}
    assert set(KEYBOARD_NEIGHBOURS["W"]) == {"Q", "S", "X"}
    assert {"Z", "R", "S", "D"} <= set(KEYBOARD_NEIGHBOURS["E"])
    assert all(c not in KEYBOARD_NEIGHBOURS[c] for c in KEYBOARD_NEIGHBOURS)


def test_birthplace_and_separator_variants() -> None:
    assert {"PARIS 11E", "PARIS 11EME", "PARIS"} <= set(
        commune_variants("PARIS 11E ARRONDISSEMENT")
    )
    assert {"ST DENIS", "ST-DENIS"} <= set(commune_variants("SAINT-DENIS"))
    assert "HAVRE (LE)" in commune_variants("LE HAVRE")
    assert "BEZIERS" in commune_variants("BÉZIERS")
    assert commune_variants("PAU") == ()
    assert set(separator_variants("JEAN-PIERRE")) == {"JEAN PIERRE", "JEANPIERRE"}
    assert set(separator_variants("LE GALL")) == {"LE-GALL", "LEGALL"}


def test_no_error_at_all_when_rates_are_zero() -> None:
    population = generate(persons=500, seed=5, rates=ErrorRates.none())
    for errs in population.errors.column("errors").to_pylist():
        assert set(errs) <= {"commune_ancienne"}


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_rates_outside_zero_one_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="faute_nom"):
        ErrorRates(faute_nom=bad)
    with pytest.raises(ValueError, match="unknown"):
        ErrorRates.from_mapping({"fautes": 0.1})
