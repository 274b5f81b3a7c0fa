"""The "stress" profile's habits: what clerks do that the default profile does not simulate.

Issue 8: an independently generated French population showed that our model, tuned on this
generator, punished ordinary clerks' habits (the prénom usuel written first, presumed dates,
birthplaces spelt another way, transliterations beyond any list, a miskeyed sexe). These
appliers simulate them, so the model can be judged on a population whose error mix it was not
tuned on. Their rates are set in `ErrorRates.stress()` and were committed before any model
change that uses this profile; the README of this package lists them.

They run after the default errors, on their own random stream (seeded from the population's
seed): at the default rates (all zero) the default population is unchanged to the last byte.
Like the default errors, each applies with its rate to the records eligible for it, and is
logged in ``errors.parquet`` only when it changed the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from matching.synthetic.errors import Applier, ErrorLog, run_errors, typo
from matching.synthetic.population import Persons
from matching.synthetic.rates import STRESS_ERRORS, ErrorRates
from matching.synthetic.records import ACCENTLESS_SOURCES, RawRecords, strip_accents

STRESS_ORDER: Final = STRESS_ERRORS
# Second key of the stress errors' random stream (the first is the population's seed).
STRESS_STREAM: Final = 1

# Other names of the generator's foreign cities that French records carry: names from before
# independence or a renaming (BÔNE for ANNABA, LENINGRAD), the native spelling where French
# records usually write the French exonym (LISBOA for LISBONNE), English spellings. Written by
# us from common knowledge; the model must not rely on this list (it does not read it).
OTHER_CITY_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "ALGER": ("ALGIERS", "EL DJAZAIR"),
    "ANNABA": ("BÔNE", "BONE"),
    "BEJAIA": ("BOUGIE", "BÉJAÏA"),
    "TLEMCEN": ("TLEMSEN",),
    "SETIF": ("STIF", "SÉTIF"),
    "FES": ("FEZ", "FÈS"),
    "TANGER": ("TANGIER", "TANGIERS"),
    "MARRAKECH": ("MARRAKESH",),
    "MEKNES": ("MEKNÈS", "MIKNAS"),
    "OUJDA": ("OUDJDA",),
    "KENITRA": ("PORT-LYAUTEY", "PORT LYAUTEY"),
    "GABES": ("GABÈS", "QABIS"),
    "SOUSSE": ("SOUSA",),
    "LISBONNE": ("LISBOA",),
    "BRAGANCE": ("BRAGANCA", "BRAGANÇA"),
    "GUIMARAES": ("GUIMARÃES",),
    "BARCELONE": ("BARCELONA",),
    "SEVILLE": ("SEVILLA", "SÉVILLE"),
    "VALENCE": ("VALENCIA",),
    "VARSOVIE": ("WARSZAWA",),
    "CRACOVIE": ("KRAKOW", "KRAKÓW"),
    "WROCLAW": ("BRESLAU",),
    "GDANSK": ("DANTZIG",),
    "BUCAREST": ("BUCURESTI", "BUCUREȘTI"),
    "IASI": ("JASSY",),
    "MOSCOU": ("MOSKVA",),
    "SAINT-PETERSBOURG": ("LENINGRAD", "PETROGRAD", "ST PETERSBOURG"),
    "ROSTOV-SUR-LE-DON": ("ROSTOV",),
    "KIEV": ("KYIV",),
    "KHARKIV": ("KHARKOV",),
    "LVIV": ("LVOV", "LEMBERG"),
    "DNIPRO": ("DNIEPROPETROVSK",),
    "ODESSA": ("ODESA",),
    "BELGRADE": ("BEOGRAD",),
    "BOURGAS": ("BURGAS",),
    "THIES": ("THIÈS",),
    "KAOLACK": ("KAOLAK",),
    "SAINT-LOUIS": ("NDAR", "ST LOUIS"),
    "CONAKRY": ("KONAKRI",),
    "NOUAKCHOTT": ("NOUAKSHOTT",),
    "ISTANBUL": ("STAMBOUL", "CONSTANTINOPLE"),
}

# Transliteration rules, applied to names of foreign origin at a random place where they fit
# (one rule, or two): vowels written as French or English ears hear them, consonant clusters
# of Arabic, Wolof, Slavic names rendered another way, doubled consonants. They produce
# HOCINE from HOSSEIN (SS->C, EI->I), REDWAN from REDOUANE (OUA->WA, final E), MAMADOU from
# MAMOUDOU (OU->A): spellings no list of variants holds.
TRANSLITERATION_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("OUA", "WA"),
    ("WA", "OUA"),
    ("OU", "U"),
    ("U", "OU"),
    ("OU", "O"),
    ("OU", "A"),
    ("I", "Y"),
    ("Y", "I"),
    ("E", "I"),
    ("I", "E"),
    ("EI", "I"),
    ("AI", "E"),
    ("DJ", "J"),
    ("J", "DJ"),
    ("KH", "K"),
    ("K", "KH"),
    ("CH", "SH"),
    ("SH", "CH"),
    ("TCH", "CH"),
    ("SS", "C"),
    ("C", "K"),
    ("K", "C"),
    ("Q", "K"),
    ("DH", "D"),
    ("TH", "T"),
    ("MM", "M"),
    ("M", "MM"),
    ("SS", "S"),
    ("LL", "L"),
    ("L", "LL"),
    ("NN", "N"),
    ("DD", "D"),
    ("TT", "T"),
    ("RR", "R"),
    ("AH", "A"),
)
_FINAL_E: Final = re.compile(r"(?<=[A-Z]{3})E$")
# Leading particles that clerks drop or glue (AIT-SAID / AITSAID / SAID, EL FASSI / FASSI).
PARTICLES: Final = frozenset(
    {"AIT", "EL", "AL", "BEN", "BOU", "ABD", "DA", "DOS", "DAS", "DE", "DU", "DI", "LE", "LA",
     "N", "O", "MAC", "MC", "VAN", "VON", "DES", "DEL", "DELLA"}
)  # fmt: skip
_PARTICLE: Final = re.compile(r"^([A-Z]+)([ '-])(.+)$")
_FULL_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ARRONDISSEMENT_PARENT: Final[tuple[tuple[str, str, str], ...]] = (
    ("751", "75056", "PARIS"),
    ("6938", "69123", "LYON"),
    ("132", "13055", "MARSEILLE"),
)
PRESUMED_DAYS: Final = ("01-01", "12-31")

TOUCHED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "prenom_usuel_premier": ("prenoms",),
    "prenom_usuel_seul": ("prenoms",),
    "prenom_retire": ("prenoms",),
    "prenom_ajoute": ("prenoms",),
    "date_presumee": ("date_naissance",),
    "date_presumee_etranger": ("date_naissance",),
    "annee_seule": ("date_naissance",),
    "annee_decalee": ("date_naissance",),
    "lieu_departement": ("commune_naissance", "code_commune_naissance"),
    "lieu_sans_code": ("code_commune_naissance",),
    "arrondissement_commune": ("commune_naissance", "code_commune_naissance"),
    "ville_autre_nom": ("commune_naissance",),
    "ville_faute": ("commune_naissance",),
    "nationalite_pays": ("pays_naissance", "code_pays_naissance"),
    "ne_en_france": ("pays_naissance", "code_pays_naissance"),
    "translitteration_libre": ("nom_naissance", "prenoms"),
    "particule": ("nom_naissance",),
    "sexe_errone": ("sexe", "civilite"),
}


@dataclass
class ErrorContext:
    """What a habit reads and changes: the record columns (lists of str, changed in place),
    each record's person, the persons' true identities."""

    cols: dict[str, list[str]]
    pidx: list[int]
    persons: Persons
    render: Callable[[str, int], str]  # a true name as record ``i``'s application writes it


def transliterate(text: str, u: Sequence[float]) -> str:
    """One or two transliteration rules applied where they fit (``text`` unchanged if none
    does): the choice of rule and place comes from ``u``."""
    out = text
    for step in range(1 if u[2] < 0.6 else 2):
        places = [
            (m.start(), old, new)
            for old, new in TRANSLITERATION_RULES
            for m in re.finditer(re.escape(old), out)
        ]
        if _FINAL_E.search(out):
            places.append((len(out) - 1, "E", ""))
        if not places:
            break
        pick = (u[1] * (1 + 7919 * step)) % 1.0
        start, old, new = places[int(pick * len(places))]
        out = out[:start] + new + out[start + len(old) :]
    return out


def _given_names(ctx: ErrorContext, i: int) -> tuple[str, list[str]] | None:
    """The record's first given name (as its person's) and the later ones, or None when the
    record's given names no longer start with the first one."""
    first = ctx.render(str(ctx.persons.premier_prenom[ctx.pidx[i]]), i)
    current = ctx.cols["prenoms"][i]
    if not first or not current.startswith(first + " "):
        return None
    rest = [name for name in current[len(first) + 1 :].split(" ") if name]
    return (first, rest) if rest else None


def _born_abroad(ctx: ErrorContext, i: int) -> bool:
    return bool(ctx.persons.code_pays_naissance[ctx.pidx[i]])


def stress_appliers(
    ctx: ErrorContext,
) -> tuple[dict[str, Applier], dict[str, Callable[[int], bool]], dict[str, tuple[str, ...]]]:
    """The appliers of the stress habits, their cheap eligibility tests, the columns each
    may touch (the arguments `errors.run_errors` takes after the names)."""
    cols, persons, pidx = ctx.cols, ctx.persons, ctx.pidx
    n_persons = len(persons)

    def prenom_usuel_premier(i: int, u: Sequence[float]) -> bool:
        names = _given_names(ctx, i)
        if names is None:
            return False
        first, rest = names
        k = int(u[0] * len(rest))
        cols["prenoms"][i] = " ".join([rest[k], first, *rest[:k], *rest[k + 1 :]])
        return True

    def prenom_usuel_seul(i: int, u: Sequence[float]) -> bool:
        names = _given_names(ctx, i)
        if names is None:
            return False
        rest = names[1]
        cols["prenoms"][i] = rest[int(u[0] * len(rest))]
        return True

    def prenom_retire(i: int, u: Sequence[float]) -> bool:
        names = _given_names(ctx, i)
        if names is None or len(names[1]) < 2:
            return False
        first, rest = names
        k = int(u[0] * len(rest))
        cols["prenoms"][i] = " ".join([first, *rest[:k], *rest[k + 1 :]])
        return True

    def prenom_ajoute(i: int, u: Sequence[float]) -> bool:
        current = cols["prenoms"][i]
        if not current:
            return False
        other = ctx.render(str(persons.premier_prenom[int(u[0] * n_persons)]), i)
        if not other or other in current.split(" "):
            return False
        cols["prenoms"][i] = f"{current} {other}"
        return True

    def presumed(abroad: bool) -> Applier:
        def apply(i: int, u: Sequence[float]) -> bool:
            d = cols["date_naissance"][i]
            if _born_abroad(ctx, i) != abroad or not _FULL_DATE.match(d) or d[5:] in PRESUMED_DAYS:
                return False
            cols["date_naissance"][i] = f"{d[:4]}-{'01-01' if u[0] < 0.8 else '12-31'}"
            return True

        return apply

    def annee_seule(i: int, u: Sequence[float]) -> bool:
        d = cols["date_naissance"][i]
        if len(d) < 7:
            return False
        cols["date_naissance"][i] = d[:4]
        return True

    def annee_decalee(i: int, u: Sequence[float]) -> bool:
        d = cols["date_naissance"][i]
        if len(d) < 4 or not d[:4].isdigit() or d[5:10] == "02-29":
            return False
        year = int(d[:4]) + (1 if u[0] < 0.5 else -1)
        if not 1900 <= year <= 2025:
            return False
        cols["date_naissance"][i] = f"{year:04d}{d[4:]}"
        return True

    def _french_commune(i: int) -> bool:
        code = cols["code_commune_naissance"][i]
        return bool(code) and bool(cols["commune_naissance"][i]) and not code.startswith("99")

    def lieu_departement(i: int, u: Sequence[float]) -> bool:
        if not _french_commune(i):
            return False
        code = cols["code_commune_naissance"][i]
        dept = code[:3] if code.startswith(("97", "98")) else code[:2]
        cols["commune_naissance"][i] = f"{cols['commune_naissance'][i]} ({dept})"
        cols["code_commune_naissance"][i] = ""
        return True

    def lieu_sans_code(i: int, u: Sequence[float]) -> bool:
        if not _french_commune(i):
            return False
        cols["code_commune_naissance"][i] = ""
        return True

    def arrondissement_commune(i: int, u: Sequence[float]) -> bool:
        code = cols["code_commune_naissance"][i]
        for prefix, parent, city in _ARRONDISSEMENT_PARENT:
            if code.startswith(prefix) and code != parent:
                cols["code_commune_naissance"][i] = parent
                cols["commune_naissance"][i] = ctx.render(city, i)
                return True
        return False

    def ville_autre_nom(i: int, u: Sequence[float]) -> bool:
        if not _born_abroad(ctx, i):
            return False
        city = strip_accents(cols["commune_naissance"][i])
        others = OTHER_CITY_NAMES.get(city)
        if not others:
            return False
        cols["commune_naissance"][i] = ctx.render(others[int(u[0] * len(others))], i)
        return True

    def ville_faute(i: int, u: Sequence[float]) -> bool:
        city = cols["commune_naissance"][i]
        if not _born_abroad(ctx, i) or len(city) < 3:
            return False
        new = typo(city, u)
        if new == city:
            return False
        cols["commune_naissance"][i] = new
        return True

    def nationalite_pays(i: int, u: Sequence[float]) -> bool:
        nationalite = cols["nationalite"][i]
        if not nationalite or not (cols["pays_naissance"][i] or cols["code_pays_naissance"][i]):
            return False
        cols["pays_naissance"][i] = nationalite
        cols["code_pays_naissance"][i] = ""
        return True

    def ne_en_france(i: int, u: Sequence[float]) -> bool:
        code = cols["code_pays_naissance"][i]
        if not _born_abroad(ctx, i) or not code or code == "99100":
            return False
        cols["code_pays_naissance"][i] = "99100"
        cols["pays_naissance"][i] = "FRANCE"
        return True

    def translitteration_libre(i: int, u: Sequence[float]) -> bool:
        if persons.origine[pidx[i]] == "france":
            return False
        column = "nom_naissance" if u[0] < 0.5 else "prenoms"
        text = cols[column][i]
        if column == "prenoms":
            first, _, rest = text.partition(" ")
            new_first = transliterate(first, u)
            new = f"{new_first} {rest}" if rest else new_first
        else:
            new = transliterate(text, u)
        if not text or new == text or not new.strip():
            return False
        cols[column][i] = new
        return True

    def particule(i: int, u: Sequence[float]) -> bool:
        m = _PARTICLE.match(cols["nom_naissance"][i])
        if not m or m.group(1) not in PARTICLES:
            return False
        head, _, tail = m.groups()
        cols["nom_naissance"][i] = tail if u[0] < 0.5 else head + tail
        return True

    def sexe_errone(i: int, u: Sequence[float]) -> bool:
        sexe = cols["sexe"][i]
        if sexe not in ("M", "F"):
            return False
        cols["sexe"][i] = "F" if sexe == "M" else "M"
        if u[0] < 0.5 and cols["civilite"][i]:
            cols["civilite"][i] = "MME" if sexe == "M" else "M"
        return True

    appliers: dict[str, Applier] = {
        "prenom_usuel_premier": prenom_usuel_premier,
        "prenom_usuel_seul": prenom_usuel_seul,
        "prenom_retire": prenom_retire,
        "prenom_ajoute": prenom_ajoute,
        "date_presumee": presumed(abroad=False),
        "date_presumee_etranger": presumed(abroad=True),
        "annee_seule": annee_seule,
        "annee_decalee": annee_decalee,
        "lieu_departement": lieu_departement,
        "lieu_sans_code": lieu_sans_code,
        "arrondissement_commune": arrondissement_commune,
        "ville_autre_nom": ville_autre_nom,
        "ville_faute": ville_faute,
        "nationalite_pays": nationalite_pays,
        "ne_en_france": ne_en_france,
        "translitteration_libre": translitteration_libre,
        "particule": particule,
        "sexe_errone": sexe_errone,
    }

    # An applier may find nothing to change (a list of given names with a repeated name...):
    # only a change counts, as for the default errors.
    def changing(name: str, apply: Applier) -> Applier:
        touched = TOUCHED_COLUMNS[name]

        def wrapped(i: int, u: Sequence[float]) -> bool:
            before = [cols[c][i] for c in touched]
            if not apply(i, u):
                return False
            return [cols[c][i] for c in touched] != before

        return wrapped

    appliers = {name: changing(name, apply) for name, apply in appliers.items()}
    fast: dict[str, Callable[[int], bool]] = {
        "annee_seule": lambda i: len(cols["date_naissance"][i]) >= 7,
        "lieu_sans_code": _french_commune,
        "lieu_departement": _french_commune,
        "sexe_errone": lambda i: cols["sexe"][i] in ("M", "F"),
    }
    return appliers, fast, TOUCHED_COLUMNS


def apply_stress_errors(
    seed: int,
    persons: Persons,
    raw: RawRecords,
    rates: ErrorRates,
    log: ErrorLog,
) -> None:
    """Apply the stress habits whose rate is not zero to ``raw`` (in place), logging them."""
    rate_of = rates.as_dict()
    if not any(rate_of[name] > 0 for name in STRESS_ORDER):
        for name in STRESS_ORDER:
            log.eligible[name] = 0
            log.applied[name] = 0
        return
    cols: dict[str, list[str]] = {k: v.tolist() for k, v in raw.columns.items()}
    n = len(raw.person_index)
    accentless = [s in ACCENTLESS_SOURCES for s in cols["source"]]

    def render(text: str, i: int) -> str:
        upper = text.upper()
        return strip_accents(upper) if accentless[i] else upper

    ctx = ErrorContext(cols=cols, pidx=raw.person_index.tolist(), persons=persons, render=render)
    rng = np.random.Generator(np.random.PCG64([seed, STRESS_STREAM]))
    run_errors(STRESS_ORDER, *stress_appliers(ctx), rng, rates, log, cols, n)
    for k, column in cols.items():
        raw.columns[k] = np.asarray(column, dtype=object)
