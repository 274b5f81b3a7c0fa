"""The stress profile (issue 8): each habit does what it says, to the records it logs and to
nothing else, at its configured rate; the default population does not depend on it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from rapidfuzz.distance import Levenshtein

from matching.synthetic import ErrorRates, Population, generate
from matching.synthetic.records import strip_accents
from matching.synthetic.stress import OTHER_CITY_NAMES, STRESS_ORDER, transliterate

Row = dict[str, Any]
PERSONS, SEED = 2_500, 8


@cache
def _default() -> Population:
    return generate(persons=PERSONS, seed=SEED)


@cache
def _with(name: str) -> Population:
    return generate(persons=PERSONS, seed=SEED, rates=ErrorRates.from_mapping({name: 1.0}))


def _words(text: str) -> list[str]:
    return [w for w in text.split(" ") if w]


def _dept(code: str) -> str:
    return code[:3] if code.startswith(("97", "98")) else code[:2]


# (before, after, person) -> does the record show the habit, and only it?
CHECKS: dict[str, Callable[[Row, Row, Row], bool]] = {
    "prenom_usuel_premier": lambda b, a, p: (
        sorted(_words(a["prenoms"])) == sorted(_words(b["prenoms"]))
        and _words(a["prenoms"])[0] in _words(b["prenoms"])[1:]
    ),
    "prenom_usuel_seul": lambda b, a, p: a["prenoms"] in _words(b["prenoms"])[1:],
    "prenom_retire": lambda b, a, p: (
        _words(a["prenoms"])[0] == _words(b["prenoms"])[0]
        and len(_words(a["prenoms"])) == len(_words(b["prenoms"])) - 1
        and set(_words(a["prenoms"])) < set(_words(b["prenoms"]))
    ),
    "prenom_ajoute": lambda b, a, p: (
        a["prenoms"].startswith(b["prenoms"] + " ")
        and len(_words(a["prenoms"])) >= len(_words(b["prenoms"])) + 1
    ),
    "date_presumee": lambda b, a, p: (
        not p["code_pays_naissance"] and a["date_naissance"] in _presumed(b["date_naissance"])
    ),
    "date_presumee_etranger": lambda b, a, p: (
        bool(p["code_pays_naissance"]) and a["date_naissance"] in _presumed(b["date_naissance"])
    ),
    "annee_seule": lambda b, a, p: a["date_naissance"] == b["date_naissance"][:4],
    "annee_decalee": lambda b, a, p: (
        abs(int(a["date_naissance"][:4]) - int(b["date_naissance"][:4])) == 1
        and a["date_naissance"][4:] == b["date_naissance"][4:]
    ),
    "lieu_departement": lambda b, a, p: (
        a["code_commune_naissance"] == ""
        and a["commune_naissance"]
        == f"{b['commune_naissance']} ({_dept(b['code_commune_naissance'])})"
    ),
    "lieu_sans_code": lambda b, a, p: (
        a["code_commune_naissance"] == "" and a["commune_naissance"] == b["commune_naissance"]
    ),
    "arrondissement_commune": lambda b, a, p: (
        (b["code_commune_naissance"][:3], a["code_commune_naissance"])
        in {("751", "75056"), ("693", "69123"), ("132", "13055")}
    ),
    "ville_autre_nom": lambda b, a, p: (
        strip_accents(a["commune_naissance"])
        in {strip_accents(o) for o in OTHER_CITY_NAMES[strip_accents(b["commune_naissance"])]}
    ),
    "ville_faute": lambda b, a, p: (
        Levenshtein.distance(a["commune_naissance"], b["commune_naissance"]) in (1, 2)
    ),
    "nationalite_pays": lambda b, a, p: (
        a["pays_naissance"] == b["nationalite"] and a["code_pays_naissance"] == ""
    ),
    "ne_en_france": lambda b, a, p: (
        a["code_pays_naissance"] == "99100"
        and b["code_pays_naissance"] not in ("", "99100")
        and a["commune_naissance"] == b["commune_naissance"]
    ),
    "translitteration_libre": lambda b, a, p: (
        p["origine"] != "france"
        and (
            a["nom_naissance"] != b["nom_naissance"]
            or _words(a["prenoms"])[0] != _words(b["prenoms"])[0]
        )
        and _words(a["prenoms"])[1:] == _words(b["prenoms"])[1:]
    ),
    "particule": lambda b, a, p: (
        b["nom_naissance"].endswith(a["nom_naissance"])
        or a["nom_naissance"] == re.sub(r"^([A-Z]+)[ '-]", r"\1", b["nom_naissance"])
    ),
    "sexe_errone": lambda b, a, p: {a["sexe"], b["sexe"]} == {"M", "F"},
}


def _presumed(date: str) -> set[str]:
    return {f"{date[:4]}-01-01", f"{date[:4]}-12-31"}


def test_every_habit_has_a_check_and_a_stress_rate() -> None:
    assert set(CHECKS) == set(STRESS_ORDER)
    stress = ErrorRates.stress().as_dict()
    assert all(stress[name] > 0 for name in STRESS_ORDER)
    assert all(ErrorRates().as_dict()[name] == 0 for name in STRESS_ORDER)


@pytest.mark.parametrize("name", STRESS_ORDER)
def test_each_habit_changes_the_records_it_logs_as_it_says_and_no_other(name: str) -> None:
    before, after = _default(), _with(name)
    persons = {r["person_id"]: r for r in before.persons.to_pylist()}
    changed = 0
    for b, a, errs, pid in zip(
        before.records.to_pylist(),
        after.records.to_pylist(),
        after.errors.column("errors").to_pylist(),
        after.truth.column("person_id").to_pylist(),
        strict=True,
    ):
        if name not in errs:
            assert a == b, (name, b, a)
            continue
        changed += 1
        assert a != b
        assert CHECKS[name](b, a, persons[pid]), (name, b, a)
        differing = {k for k in a if a[k] != b[k]}
        assert differing <= _touched(name), (name, differing)
    assert changed > 10, name
    stats = after.stats["errors"][name]
    assert stats["applied"] == changed == stats["eligible"]


def _touched(name: str) -> set[str]:
    from matching.synthetic.stress import TOUCHED_COLUMNS

    return set(TOUCHED_COLUMNS[name])


def test_stress_rates_are_met() -> None:
    population = generate(persons=6_000, seed=21, rates=ErrorRates.stress())
    for name in STRESS_ORDER:
        s = population.stats["errors"][name]
        assert s["eligible"] > 100, (name, s)
        expected = s["eligible"] * s["rate"]
        sd = math.sqrt(s["eligible"] * s["rate"] * (1 - s["rate"]))
        assert abs(s["applied"] - expected) <= 5 * sd + 1, (name, s)


def test_the_default_population_ignores_the_stress_stream() -> None:
    """A stress habit at rate zero draws nothing: the default profile's records are those of
    a profile where every habit is explicitly zero, and the stress profile's heavier default
    errors are the only difference from a profile that adds habits to them."""
    zero = ErrorRates.from_mapping({name: 0.0 for name in STRESS_ORDER})
    assert generate(persons=300, seed=4, rates=zero).records.equals(
        generate(persons=300, seed=4).records
    )
    stress = generate(persons=300, seed=4, rates=ErrorRates.stress())
    heavier_only = generate(
        persons=300,
        seed=4,
        rates=ErrorRates.from_mapping(
            {name: 0.0 for name in STRESS_ORDER}, base=ErrorRates.stress()
        ),
    )
    for s, h, errs in zip(
        stress.records.to_pylist(),
        heavier_only.records.to_pylist(),
        stress.errors.column("errors").to_pylist(),
        strict=True,
    ):
        if not set(errs) & set(STRESS_ORDER):
            assert s == h


def test_transliteration_rules_make_spellings_no_list_holds() -> None:
    seen = {transliterate("HOSSEIN", (0.0, k / 40, 0.9)) for k in range(40)}
    assert len(seen - {"HOSSEIN"}) >= 3
    assert all(Levenshtein.distance(s, "HOSSEIN") <= 4 for s in seen)
    assert "REDWAN" in {transliterate("REDOUANE", (0.0, k / 40, 0.9)) for k in range(40)}
    assert transliterate("XYZ", (0.0, 0.5, 0.0)) == "XIZ"
    assert transliterate("BCD", (0.0, 0.5, 0.0)) == "BKD"
