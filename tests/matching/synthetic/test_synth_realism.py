"""The population has what makes linkage hard: frequent names, namesakes, twins, births
abroad with presumed dates, merged communes, heavy-tailed records per person."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter

from matching.synthetic import Population
from matching.synthetic.reference import datasets_dir, load_reference


def test_surnames_have_a_heavy_head(population: Population) -> None:
    persons = population.persons.to_pydict()
    noms = Counter(persons["nom_naissance"])
    n = population.n_persons
    top, top_count = noms.most_common(1)[0]
    assert top == "MARTIN"
    assert top_count / n > 0.002  # about 0.3 % of people born in France are called MARTIN
    assert sum(c for _, c in noms.most_common(100)) / n > 0.05
    assert len(noms) > n / 3, "and a long tail of rare names"


def test_exact_namesakes_exist(population: Population) -> None:
    persons = population.persons.to_pylist()
    by_identity: dict[tuple, list[dict]] = {}
    for p in persons:
        key = (p["nom_naissance"], p["prenoms"], p["date_naissance"])
        by_identity.setdefault(key, []).append(p)
    shared = [group for group in by_identity.values() if len(group) > 1]
    assert shared, "some distinct persons share nom, prénoms and date of birth"
    planted = [p for p in persons if p["homonyme_de"]]
    assert planted
    by_id = {p["person_id"]: p for p in persons}
    for p in planted:
        other = by_id[p["homonyme_de"]]
        assert (p["nom_naissance"], p["prenoms"], p["date_naissance"]) == (
            other["nom_naissance"],
            other["prenoms"],
            other["date_naissance"],
        )
    same_name = Counter((p["nom_naissance"], p["prenoms"].split(" ")[0]) for p in persons)
    assert sum(1 for c in same_name.values() if c > 1) > 100, "homonyms (same nom + prénom)"


def test_twins_share_nom_date_and_place_but_not_first_prenom(population: Population) -> None:
    persons = population.persons.to_pylist()
    by_id = {p["person_id"]: p for p in persons}
    twins = [p for p in persons if p["jumeau_de"]]
    assert len(twins) >= 40
    for p in twins:
        other = by_id[p["jumeau_de"]]
        for trait in (
            "nom_naissance",
            "date_naissance",
            "code_commune_naissance",
            "code_pays_naissance",
        ):
            assert p[trait] == other[trait], trait
        assert p["prenoms"].split(" ")[0] != other["prenoms"].split(" ")[0]
    siblings = [p for p in persons if p["fratrie_de"]]
    assert all(by_id[p["fratrie_de"]]["nom_naissance"] == p["nom_naissance"] for p in siblings)


def test_given_names_are_compound_and_multiple(population: Population) -> None:
    prenoms = population.persons.column("prenoms").to_pylist()
    assert any("-" in p for p in prenoms), "compound given names (JEAN-PIERRE)"
    multiple = sum(1 for p in prenoms if " " in p) / len(prenoms)
    assert 0.4 < multiple < 0.9


def test_married_women_have_a_nom_d_usage(population: Population) -> None:
    p = population.persons.to_pydict()
    women = [u for s, u in zip(p["sexe"], p["nom_usage"], strict=True) if s == "F"]
    men = [u for s, u in zip(p["sexe"], p["nom_usage"], strict=True) if s == "M"]
    assert 0.2 < sum(1 for u in women if u) / len(women) < 0.6
    assert not any(men)


def test_foreign_origin_names_and_their_spellings(population: Population) -> None:
    p = population.persons.to_pydict()
    origins = Counter(p["origine"])
    assert set(origins) == {"france", "maghreb", "portugal", "afrique_ouest", "europe_est"}
    first = [n.split(" ")[0] for n in p["prenoms"]]
    assert {"MOHAMED", "MOHAMMED"} <= set(first) | set(p["prenoms"])
    noms = set(p["nom_naissance"])
    assert noms & {"KOWALSKI", "KOVALSKI", "KOWALSKY"}
    assert noms & {"LOPES", "LOPEZ"}
    records = population.records.to_pydict()
    errors = population.errors.column("errors").to_pylist()
    assert any("translitteration" in e for e in errors)
    assert any(n.startswith("ABD EL") or n.startswith("ABDEL") for n in records["prenoms"])


def test_births_abroad_use_insee_country_codes_and_presumed_dates(population: Population) -> None:
    p = population.persons.to_pylist()
    pays = load_reference().pays
    abroad = [x for x in p if x["code_pays_naissance"]]
    assert 0.05 < len(abroad) / len(p) < 0.25
    assert all(x["code_pays_naissance"] in pays and not x["code_commune_naissance"] for x in abroad)
    assert any(x["ville_naissance_etranger"] for x in abroad), "a city name is sometimes known"
    presumed = [x for x in p if x["date_presumee"]]
    assert presumed
    assert all(x["code_pays_naissance"] for x in presumed)
    assert {(d.month, d.day) for d in (x["date_naissance"] for x in presumed)} == {(1, 1), (12, 31)}
    jan1 = sum(1 for x in abroad if (x["date_naissance"].month, x["date_naissance"].day) == (1, 1))
    assert jan1 / len(abroad) > 0.03


def test_birthplaces_are_real_communes_including_arrondissements_and_merged_ones(
    population: Population,
) -> None:
    with (datasets_dir() / "cog" / "communes.csv").open(encoding="utf-8") as f:
        communes = list(csv.DictReader(f))
    current = {
        r["code_insee"]
        for r in communes
        if r["type"] in {"commune-actuelle", "arrondissement-municipal"}
    }
    merged_into = {
        old: r["code_insee"] for r in communes for old in r["anciens_codes"].split("|") if old
    }
    p = population.persons.to_pylist()
    born_here = [x for x in p if x["code_commune_naissance"]]
    assert all(x["code_commune_naissance"] in current for x in born_here)
    codes = Counter(x["code_commune_naissance"] for x in born_here)
    assert any(re.fullmatch(r"751\d\d", c) for c in codes), "Paris arrondissements"
    assert "75056" not in codes, "Paris is coded by arrondissement"
    old = [x for x in born_here if x["ancien_code_commune"]]
    assert old
    assert all(merged_into[x["ancien_code_commune"]] == x["code_commune_naissance"] for x in old)
    records = population.records.to_pydict()
    errors = population.errors.column("errors").to_pylist()
    truth = population.truth.column("person_id").to_pylist()
    by_id = {x["person_id"]: x for x in p}
    for code, errs, pid in zip(records["code_commune_naissance"], errors, truth, strict=True):
        if "commune_ancienne" in errs and "champ_manquant" not in errs:
            assert code == by_id[pid]["ancien_code_commune"]


def test_records_per_person_are_heavy_tailed(population: Population) -> None:
    counts = population.persons.column("nb_records").to_pylist()
    share_one_or_two = sum(1 for c in counts if c <= 2) / len(counts)
    assert share_one_or_two > 0.75
    assert max(counts) >= 20, "a few persons have dozens of records"
    truth = population.truth.column("person_id").to_pylist()
    sources = population.records.column("source").to_pylist()
    repeats = Counter(zip(truth, sources, strict=True))
    assert max(repeats.values()) >= 5, "repeat offenders: many records in the same application"


def test_ages_are_plausible(population: Population) -> None:
    births = population.persons.column("date_naissance").to_pylist()
    years = [d.year for d in births]
    assert min(years) >= 1925
    assert max(years) <= 2013
    assert dt.date(1960, 1, 1) < sorted(births)[len(births) // 2] < dt.date(2005, 1, 1)
