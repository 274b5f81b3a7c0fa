"""The curated inputs the generator (and standardisation, and the registry) read."""

from __future__ import annotations

import csv
import json
import re

from matching.synthetic.reference import datasets_dir, load_reference


def _rows(*parts: str) -> list[dict[str, str]]:
    with datasets_dir().joinpath(*parts).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_pays_codes_are_insee_shaped_and_unique() -> None:
    rows = _rows("cog", "pays.csv")
    assert list(rows[0]) == [
        "code", "nom", "iso2", "iso3", "code_rattachement", "date_debut", "date_fin",
    ]  # fmt: skip
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) == 255
    assert all(re.fullmatch(r"99\d{3}", c) for c in codes)
    by_code = {r["code"]: r for r in rows}
    assert by_code["99100"]["nom"] == "France"
    assert (by_code["99352"]["nom"], by_code["99352"]["iso2"], by_code["99352"]["iso3"]) == (
        "Algérie",
        "DZ",
        "DZA",
    )
    iso2 = [r["iso2"] for r in rows if r["iso2"]]
    assert len(iso2) == len(set(iso2)), "one INSEE code per ISO code"
    for r in rows:
        assert r["iso2"] == "" or re.fullmatch(r"[A-Z]{2}", r["iso2"])
        assert r["iso3"] == "" or re.fullmatch(r"[A-Z]{3}", r["iso3"])
        assert r["code_rattachement"] == "" or r["code_rattachement"] in by_code
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date_debut"])
        assert r["date_fin"] == "" or r["date_fin"] >= r["date_debut"]


def test_name_lists_are_in_frequency_order() -> None:
    noms = _rows("names", "noms.csv")
    counts = [int(r["effectif"]) for r in noms]
    assert counts == sorted(counts, reverse=True)
    assert [int(r["rang"]) for r in noms[:3]] == [1, 2, 3]
    assert noms[0]["nom"] == "MARTIN"
    assert counts[0] == 250013
    prenoms = _rows("names", "prenoms.csv")
    keys = {(r["sexe"], r["decennie"]) for r in prenoms}
    assert keys == {(s, str(d)) for s in "MF" for d in range(1900, 2011, 10)}
    ref = load_reference()
    assert ref.prenoms[("M", 1970)].values[0] == "SÉBASTIEN"


def test_origin_groups_use_known_country_codes() -> None:
    raw = json.loads((datasets_dir() / "names" / "origines.json").read_text(encoding="utf-8"))
    pays = load_reference().pays
    for name, group in raw["groupes"].items():
        assert group["pays"], name
        for country in group["pays"]:
            assert country["code"] in pays, (name, country["code"])
            assert country["villes"]
        assert abs(sum(c["poids"] for c in group["pays"]) - 1) < 1e-9
    spellings = {s for g in load_reference().origins for s in g.noms.spellings}
    assert ("KOWALSKI", "KOVALSKI", "KOWALSKY", "KOVALSKY") in spellings
