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


def _read_csv(path: Path, numeric: tuple[str, ...] = ()) -> pa.Table:
    """A CSV file as an Arrow table: every column a string but ``numeric`` ones (float64)."""
    header = path.open(encoding="utf-8").readline().rstrip("\n").split(",")
    types = {name: (pa.float64() if name in numeric else pa.string()) for name in header}
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        read_options=pacsv.ReadOptions(use_threads=False),
    )


def _strings(table: pa.Table, name: str) -> StrArray:
    return table.column(name).to_numpy(zero_copy_only=False).astype(object)


def _weighted(values: StrArray, counts: npt.NDArray[np.float64]) -> Weighted:
    return Weighted(values, counts / counts.sum())


def _load_communes(path: Path) -> Communes:
    table = _read_csv(path)
    code = _strings(table, "code_insee")
    kind = _strings(table, "type")
    name = _strings(table, "nom")
    population = _strings(table, "population")
    anciens = _strings(table, "anciens_codes")
    # A commune déléguée or associée keeps the name of the commune it was before the merger.
    delegated = np.isin(kind, ["commune-deleguee", "commune-associee"])
    old_name_by_code: dict[str, str] = {}
    for c, n in zip(code[delegated].tolist(), name[delegated].tolist(), strict=True):
        old_name_by_code.setdefault(c, n)
    keep = (
        np.isin(kind, ["commune-actuelle", "arrondissement-municipal"])
        & ~np.isin(code, list(CITIES_WITH_ARRONDISSEMENTS))
        & (population != "")
    )
    pops = np.asarray([float(x) for x in population[keep].tolist()])
    positive = pops > 0
    idx = np.flatnonzero(keep)[positive]
    pops = pops[positive]
    old_codes: list[tuple[str, ...]] = []
    old_names: list[tuple[str, ...]] = []
    for value in anciens[idx].tolist():
        olds = tuple(c for c in value.split("|") if c in old_name_by_code) if value else ()
        old_codes.append(olds)
        old_names.append(tuple(old_name_by_code[c] for c in olds))
    return Communes(code[idx], name[idx], pops / pops.sum(), tuple(old_codes), tuple(old_names))


@lru_cache(maxsize=2)
def load_reference(root: Path | None = None) -> Reference:
    base = root or datasets_dir()
    names_dir = base / "names"

    noms_table = _read_csv(names_dir / "noms.csv", numeric=("rang", "effectif"))
    noms = _weighted(
        _strings(noms_table, "nom"), noms_table.column("effectif").to_numpy().astype(np.float64)
    )

    p = _read_csv(names_dir / "prenoms.csv", numeric=("decennie", "rang", "effectif"))
    sexes = _strings(p, "sexe")
    decades = p.column("decennie").to_numpy().astype(np.int64)
    given = _strings(p, "prenom")
    counts = p.column("effectif").to_numpy().astype(np.float64)
    prenoms: dict[tuple[str, int], Weighted] = {}
    for sexe in np.unique(sexes).tolist():
        for decade in np.unique(decades).tolist():
            mask = (sexes == sexe) & (decades == decade)
            if mask.any():
                prenoms[(str(sexe), int(decade))] = _weighted(given[mask], counts[mask])

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

    pays_table = _read_csv(base / "cog" / "pays.csv")
    pays = dict(
        zip(
            _strings(pays_table, "code").tolist(), _strings(pays_table, "nom").tolist(), strict=True
        )
    )
    return Reference(
        noms=noms,
        prenoms=prenoms,
        origins=origins,
        french_variants=french_variants,
        communes=_load_communes(base / "cog" / "communes.csv"),
        pays=pays,
    )
