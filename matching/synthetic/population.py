"""The true identities of the synthetic persons (vectorised with numpy).

Who they are: mostly born in France with INSEE's name frequencies; some of North-African,
Portuguese, West-African or Eastern-European origin, born abroad or in France, with the
spellings their names take in French records. Twins, siblings and exact namesakes are planted
on purpose, because they are what a linkage model most easily gets wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.synthetic.reference import Reference, StrArray, VariantGroups, Weighted

# Population shares and rates of the demographic model (documented in README.md).
ORIGIN_SHARES: dict[str, float] = {
    "france": 0.76,
    "maghreb": 0.12,
    "portugal": 0.04,
    "afrique_ouest": 0.04,
    "europe_est": 0.04,
}
SHARE_MALE = 0.8  # persons known to the penal chain are about four in five men
SHARE_FRANCE_ORIGIN_BORN_ABROAD = 0.015
FRANCE_ORIGIN_BIRTH_COUNTRIES = ("99131", "99109", "99140", "99352", "99350", "99132", "99404")
SHARE_BORN_IN_OLD_COMMUNE = 0.7  # of persons born in a commune that has merged since
GIVEN_NAME_COUNT_P = (0.35, 0.40, 0.20, 0.05)  # 1, 2, 3 or 4 prénoms
SHARE_MARRIED_NAME = 0.5  # of women aged 23 or more
SHARE_ALIAS = 0.04
SHARE_TWINS = 0.004  # persons who are the second of a pair of twins
SHARE_SIBLINGS = 0.03
SHARE_NAMESAKES = 0.002  # same nom, prénoms, date of birth; another birthplace
REFERENCE_DATE = np.datetime64("2026-01-01")
SPELLING_DECAY = 0.45
# Persons of an origin group whose nom comes from the curated list of that origin (with its
# spellings); the others get a nom from INSEE's list, which holds names of every origin at
# their French frequency. A short curated list drawn for everyone would make its names the
# most frequent in France.
SHARE_CURATED_NOM = 0.35  # weight of a name's k-th spelling relative to its (k-1)-th


@dataclass
class Persons:
    """Column arrays, one entry per person."""

    person_id: StrArray
    origine: StrArray
    sexe: StrArray
    nom_naissance: StrArray
    variantes_nom: StrArray  # other spellings of the nom, "|"-separated
    nom_usage: StrArray
    prenoms: StrArray  # space-separated, civil order
    premier_prenom: StrArray  # may itself contain spaces (ABD EL KADER)
    nb_prenoms: npt.NDArray[np.int64]
    variantes_prenom: StrArray  # other spellings of the first prénom, "|"-separated
    alias: StrArray
    date_naissance: npt.NDArray[np.datetime64]
    date_presumee: npt.NDArray[np.bool_]
    code_commune_naissance: StrArray
    commune_naissance: StrArray
    ancien_code_commune: StrArray
    ancien_nom_commune: StrArray
    code_pays_naissance: StrArray
    ville_naissance_etranger: StrArray
    nationalite: StrArray
    jumeau_de: StrArray
    fratrie_de: StrArray
    homonyme_de: StrArray

    def __len__(self) -> int:
        return len(self.person_id)


def _cdf(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    c = np.cumsum(p)
    c[-1] = 1.0
    return c


def _draw_index(rng: np.random.Generator, p: npt.NDArray[np.float64], size: int) -> npt.NDArray:
    return np.searchsorted(_cdf(p), rng.random(size), side="right").clip(0, len(p) - 1)


def _draw(rng: np.random.Generator, w: Weighted, size: int) -> StrArray:
    return w.values[_draw_index(rng, w.p, size)]


def _empty(n: int) -> StrArray:
    return np.full(n, "", dtype=object)


def _draw_variant(
    rng: np.random.Generator, groups: VariantGroups, size: int
) -> tuple[StrArray, StrArray]:
    """A name per person, in one of its spellings, and the other spellings of that name."""
    idx = _draw_index(rng, groups.p, size)
    u = rng.random(size)
    names = _empty(size)
    others = _empty(size)
    for i, (g, x) in enumerate(zip(idx.tolist(), u.tolist(), strict=True)):
        spellings = groups.spellings[g]
        w = SPELLING_DECAY ** np.arange(len(spellings))
        k = int(np.searchsorted(np.cumsum(w) / w.sum(), x, side="right"))
        k = min(k, len(spellings) - 1)
        names[i] = spellings[k]
        others[i] = "|".join(s for s in spellings if s != spellings[k])
    return names, others


def _decade(dates: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return np.clip((years // 10) * 10, 1900, 2010)


def _french_given_names(
    rng: np.random.Generator, ref: Reference, sexe: StrArray, decade: npt.NDArray, size_k: int
) -> npt.NDArray[np.object_]:
    """``size_k`` given names per person from INSEE's lists of their sex and decade of birth."""
    out = np.empty((len(sexe), size_k), dtype=object)
    for s in ("M", "F"):
        for d in np.unique(decade).tolist():
            mask = (sexe == s) & (decade == d)
            n = int(mask.sum())
            if n:
                out[mask] = _draw(rng, ref.prenoms[(s, int(d))], n * size_k).reshape(n, size_k)
    return out


def generate_persons(rng: np.random.Generator, ref: Reference, n: int) -> Persons:
    origins = {g.name: g for g in ref.origins}
    origin_names = np.asarray(list(ORIGIN_SHARES), dtype=object)
    origine = origin_names[_draw_index(rng, np.asarray(list(ORIGIN_SHARES.values())), n)]
    sexe = np.where(rng.random(n) < SHARE_MALE, "M", "F").astype(object)

    # Age on 2026-01-01: 13 to 90, most between 20 and 50.
    age_days = (np.clip(12 + rng.gamma(2.2, 10.0, n), 13, 90) * 365.25).astype(np.int64)
    date_naissance = REFERENCE_DATE - age_days.astype("timedelta64[D]")

    # Birthplace.
    born_abroad = rng.random(n) < SHARE_FRANCE_ORIGIN_BORN_ABROAD
    code_pays = _empty(n)
    ville = _empty(n)
    nationalite = np.full(n, "FRANCAISE", dtype=object)
    date_presumee = np.zeros(n, dtype=bool)
    fr_abroad = born_abroad & (origine == "france")
    code_pays[fr_abroad] = np.asarray(FRANCE_ORIGIN_BIRTH_COUNTRIES, dtype=object)[
        rng.integers(0, len(FRANCE_ORIGIN_BIRTH_COUNTRIES), int(fr_abroad.sum()))
    ]
    for name, group in origins.items():
        in_group = origine == name
        abroad = in_group & (rng.random(n) < group.share_born_abroad)
        born_abroad |= abroad
        k = int(abroad.sum())
        weights = np.asarray([c.weight for c in group.countries])
        which = _draw_index(rng, weights / weights.sum(), k)
        code_pays[abroad] = np.asarray([c.code for c in group.countries], dtype=object)[which]
        city_u = rng.random(k)
        cities = _empty(k)
        for i, (c, u) in enumerate(zip(which.tolist(), city_u.tolist(), strict=True)):
            villes = group.countries[c].villes
            cities[i] = villes[int(u * len(villes))]
        ville[abroad] = cities
        foreign_nat = np.asarray([c.nationalite for c in group.countries], dtype=object)[which]
        nationalite[abroad] = np.where(rng.random(k) < 0.7, foreign_nat, "FRANCAISE")
        born_here = in_group & ~abroad
        m = int(born_here.sum())
        which_here = _draw_index(rng, weights / weights.sum(), m)
        nat_here = np.asarray([c.nationalite for c in group.countries], dtype=object)[which_here]
        nationalite[born_here] = np.where(rng.random(m) < 0.15, nat_here, "FRANCAISE")
        # Births abroad registered without a known day: 1 January, sometimes 31 December.
        presumed = abroad & (rng.random(n) < group.share_presumed_date)
        date_presumee |= presumed
        years = date_naissance[presumed].astype("datetime64[Y]")
        jan1 = years.astype("datetime64[D]")
        dec31 = (years + 1).astype("datetime64[D]") - 1
        date_naissance[presumed] = np.where(rng.random(int(presumed.sum())) < 0.8, jan1, dec31)

    communes = ref.communes
    code_commune = _empty(n)
    commune = _empty(n)
    ancien_code = _empty(n)
    ancien_nom = _empty(n)
    here = ~born_abroad
    ci = _draw_index(rng, communes.p, int(here.sum()))
    code_commune[here] = communes.codes[ci]
    commune[here] = communes.names[ci]
    here_idx = np.flatnonzero(here)
    u_old = rng.random(len(ci))
    for j, (c, u) in enumerate(zip(ci.tolist(), u_old.tolist(), strict=True)):
        olds = communes.old_codes[c]
        if olds and u < SHARE_BORN_IN_OLD_COMMUNE:
            k = int(u / SHARE_BORN_IN_OLD_COMMUNE * len(olds))
            ancien_code[here_idx[j]] = olds[k]
            ancien_nom[here_idx[j]] = communes.old_names[c][k]

    # Noms.
    nom = _draw(rng, ref.noms, n)
    variantes_nom = _empty(n)
    for name, group in origins.items():
        mask = (origine == name) & (rng.random(n) < SHARE_CURATED_NOM)
        nom[mask], variantes_nom[mask] = _draw_variant(rng, group.noms, int(mask.sum()))

    person_id = np.asarray([f"P{i:08d}" for i in range(n)], dtype=object)
    jumeau_de, fratrie_de, homonyme_de = _empty(n), _empty(n), _empty(n)

    # Plant twins, siblings and namesakes: a target person takes the traits of a source person.
    order = rng.permutation(n)
    n_tw, n_sib, n_hom = (round(n * s) for s in (SHARE_TWINS, SHARE_SIBLINGS, SHARE_NAMESAKES))
    blocks = np.split(
        order[: 2 * (n_tw + n_sib + n_hom)], np.cumsum([n_tw, n_tw, n_sib, n_sib, n_hom])
    )
    tw_src, tw_dst, sib_src, sib_dst, hom_src, hom_dst = blocks[:6]
    copied = (nom, variantes_nom, origine, nationalite, code_commune, commune, ancien_code,
              ancien_nom, code_pays, ville)  # fmt: skip
    for arr in (*copied, date_naissance, date_presumee):
        arr[tw_dst] = arr[tw_src]
    jumeau_de[tw_dst] = person_id[tw_src]
    for arr in (nom, variantes_nom, origine):
        arr[sib_dst] = arr[sib_src]
    same_place = rng.random(len(sib_dst)) < 0.6
    for arr in (nationalite, code_commune, commune, ancien_code, ancien_nom, code_pays, ville):
        arr[sib_dst[same_place]] = arr[sib_src[same_place]]
    gap = rng.integers(1, 10, len(sib_dst)) * 365 + rng.integers(-120, 120, len(sib_dst))
    gap = gap * np.where(rng.random(len(sib_dst)) < 0.5, -1, 1)
    sib_dates = date_naissance[sib_src] + gap.astype("timedelta64[D]")
    date_naissance[sib_dst] = np.minimum(sib_dates, REFERENCE_DATE - np.timedelta64(13 * 366, "D"))
    date_presumee[sib_dst] = False
    fratrie_de[sib_dst] = person_id[sib_src]
    for arr in (nom, variantes_nom, origine, sexe, date_naissance, date_presumee):
        arr[hom_dst] = arr[hom_src]
    homonyme_de[hom_dst] = person_id[hom_src]
    born_abroad = code_pays != ""

    # Prénoms: INSEE's lists of the sex and decade of birth; origin names for persons born
    # abroad, and for half of the first prénoms of those born in France to an origin group.
    decade = _decade(date_naissance)
    count = 1 + _draw_index(rng, np.asarray(GIVEN_NAME_COUNT_P), n)
    given = _french_given_names(rng, ref, sexe, decade, 4)
    variantes_prenom = _empty(n)
    for name, group in origins.items():
        for s, groups in (("M", group.prenoms_m), ("F", group.prenoms_f)):
            mask = (origine == name) & (sexe == s)
            first_origin = mask & (born_abroad | (rng.random(n) < 0.5))
            k = int(first_origin.sum())
            given[first_origin, 0], variantes_prenom[first_origin] = _draw_variant(rng, groups, k)
            rest = mask & born_abroad
            m = int(rest.sum())
            for col in (1, 2, 3):
                given[rest, col] = _draw_variant(rng, groups, m)[0]
    for i in np.flatnonzero(variantes_prenom == "").tolist():
        spellings = ref.french_variants.get(given[i, 0])
        if spellings:
            variantes_prenom[i] = "|".join(s for s in spellings if s != given[i, 0])
    # Twins never share their first prénom.
    for src, dst in zip(tw_src.tolist(), tw_dst.tolist(), strict=True):
        tries = 0
        while given[dst, 0] == given[src, 0] and tries < 20:
            given[dst, 0] = _draw(rng, ref.prenoms[(str(sexe[dst]), int(decade[dst]))], 1)[0]
            tries += 1
    prenoms = _empty(n)
    nb_prenoms = np.zeros(n, dtype=np.int64)
    for i in range(n):
        names = list(dict.fromkeys(given[i, : count[i]]))
        prenoms[i] = " ".join(names)
        nb_prenoms[i] = len(names)
    premier_prenom = given[:, 0].copy()
    for arr in (prenoms, nb_prenoms, premier_prenom, variantes_prenom):
        arr[hom_dst] = arr[hom_src]

    # Married women's nom d'usage; aliases.
    age_years = (REFERENCE_DATE - date_naissance).astype(np.int64) / 365.25
    married = (sexe == "F") & (age_years >= 23) & (rng.random(n) < SHARE_MARRIED_NAME)
    nom_usage = _empty(n)
    nom_usage[married] = _draw(rng, ref.noms, int(married.sum()))
    has_alias = rng.random(n) < SHARE_ALIAS
    alias = _empty(n)
    alias[has_alias] = _draw(rng, ref.noms, int(has_alias.sum()))
    alias[alias == nom] = ""

    return Persons(
        person_id=person_id,
        origine=origine,
        sexe=sexe,
        nom_naissance=nom,
        variantes_nom=variantes_nom,
        nom_usage=nom_usage,
        prenoms=prenoms,
        premier_prenom=premier_prenom,
        nb_prenoms=nb_prenoms,
        variantes_prenom=variantes_prenom,
        alias=alias,
        date_naissance=date_naissance,
        date_presumee=date_presumee,
        code_commune_naissance=code_commune,
        commune_naissance=commune,
        ancien_code_commune=ancien_code,
        ancien_nom_commune=ancien_nom,
        code_pays_naissance=code_pays,
        ville_naissance_etranger=ville,
        nationalite=nationalite,
        jumeau_de=jumeau_de,
        fratrie_de=fratrie_de,
        homonyme_de=homonyme_de,
    )
