"""Birthplaces: the current INSEE commune code in France, the INSEE country code abroad.

A commune code changes when communes merge, and Paris, Lyon and Marseille records often
carry an arrondissement code: both resolve to today's commune through the COG
(``datasets/cog/communes.csv``: ``commune_parente`` of the arrondissements, ``anciens_codes``
of the communes that absorbed others). A record with only a commune name gets its code when
the name is unambiguous in France, or within the département written next to it
("SAINT-DENIS (93)"). Abroad, the country code comes from ``code_pays_naissance`` or from
the country name (``datasets/cog/pays.csv``, INSEE's list of countries and territories).
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from matching.standardise.text import compact, fold, to_ascii_upper

FRANCE: Final = "99100"

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]
_COMMUNE_CODE: Final = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}")
_COUNTRY_CODE: Final = re.compile(r"99[0-9]{3}")
# "PARIS 11E", "PARIS 11EME", "PARIS XI", "LYON 3E ARRONDISSEMENT", "MARSEILLE 1ER": the
# arrondissement words that follow the commune name.
_ARRONDISSEMENT_SUFFIX: Final = re.compile(
    r"^(PARIS|LYON|MARSEILLE)(?: (?:[0-9]+|[IVX]+)(?:ER|E|EME|ME)?)?(?: ARRONDISSEMENT| ARR)?$"
)
_DEPARTEMENT_HINT: Final = re.compile(r"\(\s*((?:[0-9]{2,3}|2[ABab]))\s*\)")
_NON_ALNUM: Final = re.compile(r"[^A-Z0-9]+")
_ABBREVIATIONS: Final[dict[str, str]] = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS"}


def cog_directory() -> Path:
    """``SRJ_COG_DIR`` if set (tests, packaged installs), else the repository's datasets."""
    configured = os.environ.get("SRJ_COG_DIR")
    return Path(configured) if configured else _REPO_ROOT / "datasets" / "cog"


@lru_cache(maxsize=1 << 16)
def place_name_key(raw: str | None) -> str:
    """A commune or city name as a comparable key: folded, abbreviations spelled out,
    arrondissement suffixes dropped, glued ("St-Denis" = "SAINT DENIS" = "SAINTDENIS")."""
    text = to_ascii_upper(_DEPARTEMENT_HINT.sub(" ", raw or ""))
    words = [_ABBREVIATIONS.get(w, w) for w in _NON_ALNUM.sub(" ", text).split()]
    text = " ".join(words)
    arrondissement = _ARRONDISSEMENT_SUFFIX.match(text)
    if arrondissement:
        text = arrondissement.group(1)
    return compact(fold(text))


def departement_of(code: str) -> str:
    """Département of a commune code: 3 characters overseas (971..988), else 2."""
    return code[:3] if code.startswith("97") or code.startswith("98") else code[:2]


@dataclass(frozen=True)
class Geography:
    """The COG and the country list, indexed for standardisation."""

    current_code: dict[str, str] = field(default_factory=dict)  # any known code → current
    commune_name: dict[str, str] = field(default_factory=dict)  # current code → name key
    codes_by_name: dict[str, frozenset[str]] = field(default_factory=dict)  # name key → codes
    countries: frozenset[str] = frozenset()  # known 99xxx codes
    country_by_name: dict[str, str] = field(default_factory=dict)  # name key → code

    @classmethod
    def load(cls, directory: Path) -> Geography:
        current: dict[str, str] = {}
        names: dict[str, str] = {}
        by_name: dict[str, set[str]] = {}
        with (directory / "communes.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            code, kind = row["code_insee"], row["type"]
            if kind == "commune-actuelle":
                current[code] = code
                names[code] = place_name_key(row["nom"])
                for old in filter(None, row["anciens_codes"].split("|")):
                    current.setdefault(old, code)
        for row in rows:
            code, kind = row["code_insee"], row["type"]
            if kind == "arrondissement-municipal" and row["commune_parente"]:
                current[code] = row["commune_parente"]
        for row in rows:
            # Old and delegated communes keep their own name: someone born in Dommartin
            # before it merged into Bâgé-Dommartin may still write "DOMMARTIN".
            resolved = current.get(row["code_insee"])
            if resolved:
                by_name.setdefault(place_name_key(row["nom"]), set()).add(resolved)
        countries: set[str] = set()
        country_by_name: dict[str, str] = {}
        pays = directory / "pays.csv"
        if pays.exists():
            with pays.open(encoding="utf-8", newline="") as handle:
                country_rows = list(csv.DictReader(handle))
            # Current names win over historical ones that share a spelling.
            country_rows.sort(key=lambda r: (r.get("date_fin") or "") == "")
            for row in country_rows:
                countries.add(row["code"])
                country_by_name[place_name_key(row["nom"])] = row["code"]
        return cls(
            current_code=current,
            commune_name=names,
            codes_by_name={k: frozenset(v) for k, v in by_name.items()},
            countries=frozenset(countries),
            country_by_name=country_by_name,
        )


@cache
def geography() -> Geography:
    return Geography.load(cog_directory())


def _normalise_commune_code(raw: str | None) -> str:
    """Upper case, spaces and dots removed; a leading zero lost by a spreadsheet restored."""
    code = re.sub(r"[\s.]+", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if len(code) == 4 and code.isascii() and code.isdigit():
        code = "0" + code
    return code


def _country_code(raw_code: str | None, raw_name: str | None, geo: Geography) -> str | None:
    code = (raw_code or "").strip()
    if _COUNTRY_CODE.fullmatch(code) and (not geo.countries or code in geo.countries):
        return code
    name = place_name_key(raw_name)
    if name in {"FRANCE", "FR", "FRA"}:
        return FRANCE
    return geo.country_by_name.get(name) if name else None


def standardise_birthplace(
    commune: str | None,
    code_commune: str | None,
    pays: str | None,
    code_pays: str | None,
) -> dict[str, object]:
    """The birthplace features of one record.

    - ``lieu_code``: current INSEE code of the commune of birth in France (None abroad or
      unknown); a well-formed code absent from the COG is kept as written;
    - ``lieu_dept``: its département;
    - ``lieu_nom``: the commune (or foreign city) name key;
    - ``lieu_pays``: ``99100`` for France, the INSEE country code abroad;
    - ``lieu_etranger``: the country code when born abroad, else None;
    - ``lieu_code_inconnu``: a commune code was written that the COG does not know.
    """
    geo = geography()
    name = place_name_key(commune)
    written = _normalise_commune_code(code_commune)
    country = _country_code(code_pays, pays, geo)
    unknown_code = False
    code: str | None = None
    if _COUNTRY_CODE.fullmatch(written):
        # A country code typed in the commune field: the person was born abroad.
        country = country if country and country != FRANCE else written
    elif _COMMUNE_CODE.fullmatch(written):
        code = geo.current_code.get(written)
        if code is None:
            code, unknown_code = written, True
    if code is None and name and country in (None, FRANCE):
        candidates = geo.codes_by_name.get(name, frozenset())
        hint = _DEPARTEMENT_HINT.search(commune or "")
        if hint and len(candidates) > 1:
            wanted = hint.group(1).upper()
            candidates = frozenset(c for c in candidates if departement_of(c) == wanted)
        if len(candidates) == 1:
            code = next(iter(candidates))
    if code is not None:
        country = FRANCE
        if not unknown_code:
            name = geo.commune_name.get(code, name)
    return {
        "lieu_code": code,
        "lieu_dept": departement_of(code) if code else None,
        "lieu_nom": name or None,
        "lieu_pays": country,
        "lieu_etranger": country if country and country != FRANCE else None,
        "lieu_code_inconnu": unknown_code,
    }
