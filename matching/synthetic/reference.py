"""The generator's inputs, read once from ``datasets/``: name frequencies, origin names with
their spellings, communes weighted by population (with the codes of merged communes), countries.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

StrArray = npt.NDArray[np.object_]
FloatArray = npt.NDArray[np.float64]


def datasets_dir() -> Path:
    """``datasets/`` at the repository root (``SRJ_DATASETS_DIR`` overrides it)."""
    override = os.environ.get("SRJ_DATASETS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "datasets"


# Parent cities whose births are registered by arrondissement: drawing the city itself would
# double-count its population.
CITIES_WITH_ARRONDISSEMENTS = frozenset({"75056", "69123", "13055"})


@dataclass(frozen=True)
class Weighted:
    """Values with sampling probabilities (summing to 1)."""

    values: StrArray
    p: FloatArray


@dataclass(frozen=True)
class VariantGroups:
    """Names with their spellings: ``spellings[i]`` lists the spellings of name ``i``, most
    frequent first; names are drawn with Zipf-like weights in list order."""

    spellings: tuple[tuple[str, ...], ...]
    p: FloatArray


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    nationalite: str
    villes: tuple[str, ...]


@dataclass(frozen=True)
class OriginGroup:
    name: str
    countries: tuple[Country, ...]
    prenoms_m: VariantGroups
    prenoms_f: VariantGroups
    noms: VariantGroups
    share_born_abroad: float
    share_presumed_date: float


@dataclass(frozen=True)
class Communes:
    """Birth communes of France weighted by population.

    ``old_codes[i]``/``old_names[i]`` list the communes merged into commune ``i`` whose name the
    COG still records (a person born there before the merger may be recorded either way).
    """

    codes: StrArray
    names: StrArray
    p: FloatArray
    old_codes: tuple[tuple[str, ...], ...]
    old_names: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Reference:
    noms: Weighted
    prenoms: dict[tuple[str, int], Weighted]  # (sexe, decade) -> given names
    origins: tuple[OriginGroup, ...]
    french_variants: dict[str, tuple[str, ...]]  # spelling -> all spellings of that name
    communes: Communes
    pays: dict[str, str]  # INSEE 99xxx code -> name


def _zipf(n: int, exponent: float = 1.0) -> FloatArray:
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    return w / w.sum()


def _variant_groups(raw: list[list[str]], exponent: float = 0.9) -> VariantGroups:
    groups: list[tuple[str, ...]] = []
    for spellings in raw:
        unique = tuple(dict.fromkeys(s.strip() for s in spellings if s.strip()))
        if unique:
            groups.append(unique)
    return VariantGroups(tuple(groups), _zipf(len(groups), exponent))


def _read_csv(path: Path) -> dict[str, list[str]]:
    """Columns of a CSV file, every value as a string (pyarrow: the name files are large)."""
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={}, strings_can_be_null=False, auto_dict_encode=False
        ),
        read_options=pacsv.ReadOptions(use_threads=False),
    )
    table = table.cast(pa.schema([(f.name, pa.string()) for f in table.schema]))
    return {name: table.column(name).to_pylist() for name in table.column_names}


def _weighted(values: list[str], counts: list[float]) -> Weighted:
    c = np.asarray(counts, dtype=np.float64)
    return Weighted(np.asarray(values, dtype=object), c / c.sum())


def _load_communes(path: Path) -> Communes:
    table = _read_csv(path)
    keys = list(table)
    rows = [dict(zip(keys, values, strict=True)) for values in zip(*table.values(), strict=True)]
    # A commune déléguée or associée keeps the name of the commune it was before the merger.
    old_name_by_code: dict[str, str] = {}
    for r in rows:
        if r["type"] in {"commune-deleguee", "commune-associee"}:
            old_name_by_code.setdefault(r["code_insee"], r["nom"])
    codes: list[str] = []
    names: list[str] = []
    pops: list[float] = []
    old_codes: list[tuple[str, ...]] = []
    old_names: list[tuple[str, ...]] = []
    for r in rows:
        if r["type"] not in {"commune-actuelle", "arrondissement-municipal"}:
            continue
        if r["code_insee"] in CITIES_WITH_ARRONDISSEMENTS or not r["population"]:
            continue
        pop = float(r["population"])
        if pop <= 0:
            continue
        olds = [c for c in r["anciens_codes"].split("|") if c and c in old_name_by_code]
        codes.append(r["code_insee"])
        names.append(r["nom"])
        pops.append(pop)
        old_codes.append(tuple(olds))
        old_names.append(tuple(old_name_by_code[c] for c in olds))
    w = np.asarray(pops)
    return Communes(
        np.asarray(codes, dtype=object),
        np.asarray(names, dtype=object),
        w / w.sum(),
        tuple(old_codes),
        tuple(old_names),
    )


@lru_cache(maxsize=2)
def load_reference(root: Path | None = None) -> Reference:
    base = root or datasets_dir()
    names_dir = base / "names"

    noms_cols = _read_csv(names_dir / "noms.csv")
    noms = _weighted(noms_cols["nom"], [float(c) for c in noms_cols["effectif"]])

    by_key: dict[tuple[str, int], tuple[list[str], list[float]]] = {}
    p = _read_csv(names_dir / "prenoms.csv")
    for sexe, decade, prenom, count in zip(
        p["sexe"], p["decennie"], p["prenom"], p["effectif"], strict=True
    ):
        values, counts = by_key.setdefault((sexe, int(decade)), ([], []))
        values.append(prenom)
        counts.append(float(count))
    prenoms = {k: _weighted(v, c) for k, (v, c) in by_key.items()}

    raw = json.loads((names_dir / "origines.json").read_text(encoding="utf-8"))
    origins = tuple(
        OriginGroup(
            name=name,
            countries=tuple(
                Country(c["code"], float(c["poids"]), c["nationalite"], tuple(c["villes"]))
                for c in g["pays"]
            ),
            prenoms_m=_variant_groups(g["prenoms_m"]),
            prenoms_f=_variant_groups(g["prenoms_f"]),
            noms=_variant_groups(g["noms"], exponent=0.3),  # surnames are diverse
            share_born_abroad=float(g["part_nes_etranger"]),
            share_presumed_date=float(g["part_date_presumee"]),
        )
        for name, g in raw["groupes"].items()
    )
    french_variants: dict[str, tuple[str, ...]] = {}
    for spellings in _variant_groups(raw["variantes_prenoms_fr"]).spellings:
        for s in spellings:
            french_variants[s] = spellings

    pays_cols = _read_csv(base / "cog" / "pays.csv")
    pays = dict(zip(pays_cols["code"], pays_cols["nom"], strict=True))
    return Reference(
        noms=noms,
        prenoms=prenoms,
        origins=origins,
        french_variants=french_variants,
        communes=_load_communes(base / "cog" / "communes.csv"),
        pays=pays,
    )
