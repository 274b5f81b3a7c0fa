"""Entry errors: each record eligible for an error gets it with the configured probability.

Errors are applied in a fixed order (the order of ``ERROR_ORDER``), each one to the record as
the previous ones left it, and an error is recorded only if it changed the record. The
per-error counts (eligible, applied) go to the manifest so that rates can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from matching.synthetic.population import Persons
from matching.synthetic.rates import ErrorRates
from matching.synthetic.records import ACCENTLESS_SOURCES, RawRecords, strip_accents
from matching.synthetic.reference import Reference

ERROR_ORDER: tuple[str, ...] = (
    "premier_prenom_seul",
    "translitteration",
    "alias_comme_nom",
    "inversion_nom_usage",
    "inversion_nom_prenom",
    "tiret_espace",
    "accents",
    "faute_nom",
    "faute_prenom",
    "jour_mois",
    "annee_chiffre",
    "date_partielle",
    "lieu_orthographe",
    "pays_errone",
    "champ_manquant",
    "casse",
)

NEUTRAL_CHOICES = (0.5, 0.5, 0.5)
_AZERTY_ROWS = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")
_ACCENTED_E = ("É", "È")
_ARRONDISSEMENT = re.compile(r"^(PARIS|LYON|MARSEILLE) (\d+)(ER|E) ARRONDISSEMENT$")
_ARTICLE = re.compile(r"^(LE|LA|LES|L') ?(.+)$")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The columns each error may change (an applier returns False, untouched, when a record cannot
# carry its error).
TOUCHED_COLUMNS: dict[str, tuple[str, ...]] = {
    "premier_prenom_seul": ("prenoms",),
    "translitteration": ("nom_naissance", "prenoms"),
    "alias_comme_nom": ("nom_naissance", "alias"),
    "inversion_nom_usage": ("nom_naissance", "nom_usage"),
    "inversion_nom_prenom": ("nom_naissance", "prenoms"),
    "tiret_espace": ("nom_naissance", "prenoms"),
    "accents": ("nom_naissance", "prenoms", "commune_naissance"),
    "faute_nom": ("nom_naissance",),
    "faute_prenom": ("prenoms",),
    "jour_mois": ("date_naissance",),
    "annee_chiffre": ("date_naissance",),
    "date_partielle": ("date_naissance",),
    "lieu_orthographe": ("commune_naissance",),
    "pays_errone": ("code_pays_naissance",),
    "champ_manquant": (
        "date_naissance", "commune_naissance", "code_commune_naissance", "prenoms", "sexe",
        "civilite", "nationalite", "pays_naissance", "code_pays_naissance",
    ),
    "casse": ("nom_naissance", "prenoms"),
}  # fmt: skip
MISSING_FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("date_naissance",),
    ("commune_naissance", "code_commune_naissance"),
    ("prenoms",),
    ("sexe", "civilite"),
    ("nationalite",),
    ("pays_naissance", "code_pays_naissance"),
)


def _keyboard_neighbours() -> dict[str, str]:
    """Keys touching each letter on an AZERTY keyboard (each row is shifted right by about
    half a key from the one above: E touches Z, R, S and D)."""
    pos = {c: (r, i) for r, row in enumerate(_AZERTY_ROWS) for i, c in enumerate(row)}
    out: dict[str, str] = {}
    for c, (r, i) in pos.items():
        touching = {(r, i - 1), (r, i + 1), (r + 1, i - 1), (r + 1, i), (r - 1, i), (r - 1, i + 1)}
        out[c] = "".join(d for d, p in pos.items() if p in touching)
    return out


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


def typo(text: str, u: Sequence[float]) -> str:
    """One keying error at a random letter: insertion, deletion, AZERTY-adjacent substitution or
    transposition of two neighbouring letters; always returns a different string."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if not letters:
        return text
    i = letters[int(u[0] * len(letters))]
    c = text[i]
    near = KEYBOARD_NEIGHBOURS.get(strip_accents(c).upper(), "") or "E"
    sub = near[int(u[2] * len(near))]
    op = int(u[1] * 4)
    if op == 0:  # insertion: a neighbouring key struck as well
        return text[: i + 1] + sub + text[i + 1 :]
    if op == 1 and len(text) > 2:
        return text[:i] + text[i + 1 :]
    if op == 2 and i + 1 < len(text) and text[i + 1] != c and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + c + text[i + 2 :]
    return text[:i] + sub + text[i + 1 :]


def separator_variants(text: str) -> list[str]:
    """JEAN-PIERRE -> JEAN PIERRE / JEANPIERRE; LE GALL -> LE-GALL / LEGALL."""
    out: list[str] = []
    for m in re.finditer(r"[- ]", text):
        i = m.start()
        repl = (" ", "") if m.group() == "-" else ("-", "")
        out.extend(text[:i] + r + text[i + 1 :] for r in repl)
    return out


@lru_cache(maxsize=1 << 16)
def commune_variants(name: str) -> tuple[str, ...]:
    """Ways a birthplace is spelt: ST DENIS / SAINT-DENIS, PARIS 11E / PARIS 11EME / PARIS,
    hyphens as spaces, the article put after the name as INSEE writes it (HAVRE (LE))."""
    out: set[str] = set()
    m = _ARRONDISSEMENT.match(name)
    if m:
        city, num, suffix = m.groups()
        out.update({f"{city} {num}{suffix}", f"{city} {num}EME", f"{city} {int(num):02d}", city})
    for full, short in (("SAINTE", "STE"), ("SAINT", "ST")):
        for sep in ("-", " "):
            prefix = f"{full}{sep}"
            if prefix in name:
                out.add(name.replace(prefix, f"{short} "))
                out.add(name.replace(prefix, f"{short}-"))
    if "-" in name:
        out.add(name.replace("-", " "))
    a = _ARTICLE.match(name)
    if a and not m:
        out.add(f"{a.group(2)} ({a.group(1).rstrip(chr(39))})")
    stripped = strip_accents(name)
    if stripped != name:
        out.add(stripped)
    out.discard(name)
    return tuple(sorted(out))


@dataclass
class ErrorLog:
    per_record: list[list[str]]
    eligible: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)


Applier = Callable[[int, Sequence[float]], bool]


def run_errors(
    names: Sequence[str],
    appliers: Mapping[str, Applier],
    fast_eligibility: Mapping[str, Callable[[int], bool]],
    touched_columns: Mapping[str, tuple[str, ...]],
    rng: np.random.Generator,
    rates: ErrorRates,
    log: ErrorLog,
    cols: dict[str, list[str]],
    n: int,
) -> None:
    """Draw and apply each error in ``names`` order; count eligible and applied records."""
    rate_of = rates.as_dict()
    for name in names:
        rate = rate_of[name]
        draws = rng.random(n)
        drawn = np.flatnonzero(draws < rate).tolist()
        apply = appliers[name]
        applied = 0
        for i, u in zip(drawn, rng.random((len(drawn), 3)).tolist(), strict=True):
            if apply(i, u):
                applied += 1
                log.per_record[i].append(name)
        # Records not drawn: would they have been eligible? (A drawn record that did not get
        # the error was not eligible.)
        rest = np.flatnonzero(draws >= rate).tolist()
        fast = fast_eligibility.get(name)
        if fast is not None:
            eligible = applied + sum(map(fast, rest))
        else:
            eligible = applied
            touched = touched_columns[name]
            for i in rest:
                # Try the error with neutral choices, then restore what it may have touched.
                saved = [cols[c][i] for c in touched]
                if apply(i, NEUTRAL_CHOICES):
                    eligible += 1
                for c, value in zip(touched, saved, strict=True):
                    cols[c][i] = value
        log.eligible[name] = eligible
        log.applied[name] = applied


def apply_errors(
    rng: np.random.Generator,
    ref: Reference,
    persons: Persons,
    raw: RawRecords,
    rates: ErrorRates,
) -> ErrorLog:
    cols: dict[str, list[str]] = {k: v.tolist() for k, v in raw.columns.items()}
    n = len(raw.person_index)
    pidx = raw.person_index.tolist()
    accentless = [s in ACCENTLESS_SOURCES for s in cols["source"]]
    log = ErrorLog([["commune_ancienne"] if o else [] for o in raw.old_commune.tolist()])
    pays_codes = sorted(c for c in ref.pays if c != "99100")

    def render(text: str, i: int) -> str:
        t = text.upper()
        return strip_accents(t) if accentless[i] else t

    def first_prenom(i: int) -> str:
        return render(str(persons.premier_prenom[pidx[i]]), i)

    # Each error: (is the record eligible?, the changed record or None).
    def premier_prenom_seul(i: int, u: Sequence[float]) -> bool:
        first = first_prenom(i)
        cur = cols["prenoms"][i]
        if persons.nb_prenoms[pidx[i]] < 2 or not cur.startswith(first + " "):
            return False
        cols["prenoms"][i] = first
        return True

    def translitteration_candidates(i: int) -> list[tuple[str, str, str]]:
        j = pidx[i]
        out: list[tuple[str, str, str]] = []
        nom = cols["nom_naissance"][i]
        for v in filter(None, str(persons.variantes_nom[j]).split("|")):
            rv = render(v, i)
            if nom == render(str(persons.nom_naissance[j]), i) and rv != nom:
                out.append(("nom_naissance", nom, rv))
        first = first_prenom(i)
        cur = cols["prenoms"][i]
        if cur == first or cur.startswith(first + " "):
            for v in filter(None, str(persons.variantes_prenom[j]).split("|")):
                rv = render(v, i)
                if rv != first:
                    out.append(("prenoms", cur, rv + cur[len(first) :]))
        return out

    def translitteration(i: int, u: Sequence[float]) -> bool:
        cands = translitteration_candidates(i)
        if not cands:
            return False
        col, _, new = cands[int(u[0] * len(cands))]
        cols[col][i] = new
        return True

    def alias_comme_nom(i: int, u: Sequence[float]) -> bool:
        alias = str(persons.alias[pidx[i]])
        if not alias or render(alias, i) == cols["nom_naissance"][i]:
            return False
        cols["nom_naissance"][i] = render(alias, i)
        cols["alias"][i] = ""
        return True

    def inversion_nom_usage(i: int, u: Sequence[float]) -> bool:
        a, b = cols["nom_naissance"][i], cols["nom_usage"][i]
        if not b or a == b:
            return False
        cols["nom_naissance"][i], cols["nom_usage"][i] = b, a
        return True

    def inversion_nom_prenom(i: int, u: Sequence[float]) -> bool:
        a, b = cols["nom_naissance"][i], cols["prenoms"][i]
        if not a or not b or a == b:
            return False
        cols["nom_naissance"][i], cols["prenoms"][i] = b, a
        return True

    def tiret_espace(i: int, u: Sequence[float]) -> bool:
        cands = [
            (c, v) for c in ("prenoms", "nom_naissance") for v in separator_variants(cols[c][i])
        ]
        if not cands:
            return False
        c, v = cands[int(u[0] * len(cands))]
        cols[c][i] = v
        return True

    def accents(i: int, u: Sequence[float]) -> bool:
        cands: list[tuple[str, str]] = []
        for c in ("prenoms", "nom_naissance", "commune_naissance"):
            v = cols[c][i]
            s = strip_accents(v)
            if s != v:
                cands.append((c, s))
        if not cands:
            for c in ("prenoms", "nom_naissance"):
                v = cols[c][i]
                es = [k for k, ch in enumerate(v) if ch == "E"]
                if es:
                    k = es[int(u[1] * len(es))]
                    cands.append((c, v[:k] + _ACCENTED_E[int(u[2] * 2)] + v[k + 1 :]))
        if not cands:
            return False
        c, v = cands[int(u[0] * len(cands))]
        cols[c][i] = v
        return True

    def make_typo(col: str) -> Callable[[int, Sequence[float]], bool]:
        def apply(i: int, u: Sequence[float]) -> bool:
            v = cols[col][i]
            if len(v) < 2:
                return False
            new = typo(v, u)
            if new == v:
                return False
            cols[col][i] = new
            return True

        return apply

    def jour_mois(i: int, u: Sequence[float]) -> bool:
        d = cols["date_naissance"][i]
        if not _FULL_DATE.match(d):
            return False
        y, m, day = d.split("-")
        if int(day) > 12 or day == m:
            return False
        cols["date_naissance"][i] = f"{y}-{day}-{m}"
        return True

    def annee_chiffre(i: int, u: Sequence[float]) -> bool:
        d = cols["date_naissance"][i]
        if not d or d[5:10] == "02-29":
            return False
        pos = 3 if u[0] < 0.7 else 2  # the unit digit more often than the decade
        old = d[pos]
        digits = [x for x in "0123456789" if x != old]
        new = digits[int(u[1] * len(digits))]
        year = int(d[:pos] + new + d[pos + 1 : 4])
        if year > 2025 or year < 1900:
            return False
        cols["date_naissance"][i] = d[:pos] + new + d[pos + 1 :]
        return True

    def date_partielle(i: int, u: Sequence[float]) -> bool:
        d = cols["date_naissance"][i]
        if not _FULL_DATE.match(d):
            return False
        cols["date_naissance"][i] = d[:7] if u[0] < 0.6 else d[:4]
        return True

    def lieu_orthographe(i: int, u: Sequence[float]) -> bool:
        cands = (
            commune_variants(cols["commune_naissance"][i]) if cols["commune_naissance"][i] else []
        )
        if not cands:
            return False
        cols["commune_naissance"][i] = cands[int(u[0] * len(cands))]
        return True

    def pays_errone(i: int, u: Sequence[float]) -> bool:
        code = cols["code_pays_naissance"][i]
        if not code or code == "99100":
            return False
        k = int(np.searchsorted(pays_codes, code))
        near = [c for c in pays_codes[max(0, k - 3) : k + 4] if c != code]
        cols["code_pays_naissance"][i] = near[int(u[0] * len(near))]
        return True

    def champ_manquant(i: int, u: Sequence[float]) -> bool:
        groups = [g for g in MISSING_FIELD_GROUPS if any(cols[c][i] for c in g)]
        if not groups:
            return False
        for c in groups[int(u[0] * len(groups))]:
            cols[c][i] = ""
        return True

    def casse(i: int, u: Sequence[float]) -> bool:
        cands = [c for c in ("nom_naissance", "prenoms") if cols[c][i]]
        if not cands:
            return False
        c = cands[int(u[0] * len(cands))]
        v = cols[c][i]
        new = v.lower() if u[1] < 0.5 else v.title()
        if new == v:
            return False
        cols[c][i] = new
        return True

    appliers: dict[str, Callable[[int, Sequence[float]], bool]] = {
        "premier_prenom_seul": premier_prenom_seul,
        "translitteration": translitteration,
        "alias_comme_nom": alias_comme_nom,
        "inversion_nom_usage": inversion_nom_usage,
        "inversion_nom_prenom": inversion_nom_prenom,
        "tiret_espace": tiret_espace,
        "accents": accents,
        "faute_nom": make_typo("nom_naissance"),
        "faute_prenom": make_typo("prenoms"),
        "jour_mois": jour_mois,
        "annee_chiffre": annee_chiffre,
        "date_partielle": date_partielle,
        "lieu_orthographe": lieu_orthographe,
        "pays_errone": pays_errone,
        "champ_manquant": champ_manquant,
        "casse": casse,
    }

    # Cheap exact tests of eligibility for the errors whose applier is costly to try; the
    # others are tried and undone.
    def typo_eligible(col: str) -> Callable[[int], bool]:
        return lambda i: len(cols[col][i]) >= 2 and any(c.isalpha() for c in cols[col][i])

    fast_eligibility: dict[str, Callable[[int], bool]] = {
        "faute_nom": typo_eligible("nom_naissance"),
        "faute_prenom": typo_eligible("prenoms"),
        "tiret_espace": lambda i: any(
            "-" in cols[c][i] or " " in cols[c][i] for c in ("prenoms", "nom_naissance")
        ),
        "date_partielle": lambda i: bool(_FULL_DATE.match(cols["date_naissance"][i])),
        "champ_manquant": lambda i: any(cols[c][i] for g in MISSING_FIELD_GROUPS for c in g),
    }
    run_errors(ERROR_ORDER, appliers, fast_eligibility, TOUCHED_COLUMNS, rng, rates, log, cols, n)
    for k, column in cols.items():
        raw.columns[k] = np.asarray(column, dtype=object)
    return log
