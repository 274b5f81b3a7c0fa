"""The records each person leaves in the justice applications, before entry errors.

How many (heavy-tailed: most persons have one or two records, a few have dozens), in which
application (minors only in the youth applications, each application within the years it has
been in service), with which local reference, and rendered with each application's habits
(upper case, accents kept or not, how France is written as a country of birth).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matching.records import SOURCES
from matching.synthetic.population import REFERENCE_DATE, Persons
from matching.synthetic.reference import Reference, StrArray

MAX_RECORDS_PER_PERSON = 60
RECORDS_ZIPF_EXPONENT = 2.3
FIRST_RECORD_DATE = np.datetime64("2000-01-01")
LAST_RECORD_DATE = np.datetime64("2025-12-31")
YOUTH_MIN_AGE, YOUTH_MAX_AGE = 10, 20
RECORD_DATE_SKEW = 0.5  # the youth applications follow jeunes majeurs up to 21

# Years each application holds records for (plausible orders of magnitude, not official dates).
SOURCE_WINDOWS: dict[str, tuple[str, str]] = {
    "CASSIOPEE": ("2005-01-01", "2025-12-31"),
    "GENESIS": ("2011-01-01", "2025-12-31"),
    "APPI": ("2004-01-01", "2025-12-31"),
    "PARCOURS": ("2016-01-01", "2025-12-31"),
    "WINEUR": ("2000-01-01", "2020-12-31"),
    "PORTALIS": ("2010-01-01", "2025-12-31"),
}
ADULT_SOURCE_P: dict[str, float] = {
    "CASSIOPEE": 0.45,
    "APPI": 0.2,
    "GENESIS": 0.15,
    "PORTALIS": 0.2,
}
YOUTH_SOURCE_P: dict[str, float] = {"PARCOURS": 0.5, "WINEUR": 0.5}
# Legacy applications strip accents; the others keep what was typed.
ACCENTLESS_SOURCES = frozenset({"GENESIS", "WINEUR", "APPI"})
# Applications that write France as the country of birth (the others leave it empty).
FRANCE_EXPLICIT_SOURCES = frozenset({"CASSIOPEE", "GENESIS"})
SHARE_ALIAS_SHOWN = 0.6  # of records in CASSIOPEE / GENESIS of a person with an alias
SHARE_NOM_USAGE_SHOWN = 0.8
SHARE_CITY_ABROAD_SHOWN = 0.7
SHARE_OLD_COMMUNE_CODE = 0.5  # records of a person born before a merger using the old code


@dataclass
class RawRecords:
    """Column arrays, one entry per record, plus the person each record belongs to."""

    person_index: npt.NDArray[np.int64]
    columns: dict[str, StrArray]
    old_commune: npt.NDArray[np.bool_]  # recorded with the pre-merger commune


@lru_cache(maxsize=1 << 18)
def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def records_per_person(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    return np.minimum(rng.zipf(RECORDS_ZIPF_EXPONENT, n), MAX_RECORDS_PER_PERSON).astype(np.int64)


def expected_records_per_person() -> float:
    k = np.arange(1, 200_000, dtype=np.float64)
    p = k**-RECORDS_ZIPF_EXPONENT
    p /= p.sum()
    return float((np.minimum(k, MAX_RECORDS_PER_PERSON) * p).sum())


def _days(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


def _assign_dates_and_sources(
    rng: np.random.Generator, birth: npt.NDArray[np.datetime64]
) -> tuple[npt.NDArray[np.datetime64], StrArray]:
    """A record date and an application for each record (``birth`` is per record).

    Correct by construction: a record of a minor goes to a youth application, and every record
    falls within the years its application covers.
    """
    n = len(birth)
    min_age = np.timedelta64(int(YOUTH_MIN_AGE * 365.25) + 1, "D")
    earliest = np.maximum(birth + min_age, FIRST_RECORD_DATE)
    span = np.maximum((LAST_RECORD_DATE - earliest).astype(np.int64), 0)
    # Skewed towards later dates, i.e. adult ages: about three records in ten are youth records.
    u = rng.random(n) ** RECORD_DATE_SKEW
    date = earliest + (u * span).astype(np.int64).astype("timedelta64[D]")
    age = (date - birth).astype(np.int64) / 365.25
    # Up to the eve of 21 (the 365.25-day year is approximate: keep a margin of weeks).
    youth = (age < 18) | ((age < YOUTH_MAX_AGE + 0.9) & (rng.random(n) < 0.15))
    source = np.empty(n, dtype=object)

    wineur_end = _days(SOURCE_WINDOWS["WINEUR"][1])
    parcours_start = _days(SOURCE_WINDOWS["PARCOURS"][0])
    both = rng.random(n) < YOUTH_SOURCE_P["PARCOURS"]
    source[youth] = np.where(
        date[youth] < parcours_start,
        "WINEUR",
        np.where(date[youth] > wineur_end, "PARCOURS", np.where(both[youth], "PARCOURS", "WINEUR")),
    )

    adult = ~youth
    adult_sources = list(ADULT_SOURCE_P)
    first_adult = min(_days(SOURCE_WINDOWS[s][0]) for s in adult_sources)
    # No adult application covers the earliest years: such records move to a later date.
    early = adult & (date < first_adult)
    lo = np.maximum(birth[early] + np.timedelta64(int(18 * 365.25) + 1, "D"), first_adult)
    span_e = np.maximum((LAST_RECORD_DATE - lo).astype(np.int64), 0)
    date[early] = lo + (rng.random(int(early.sum())) * span_e).astype(np.int64).astype(
        "timedelta64[D]"
    )
    d = date[adult]
    weights = np.stack(
        [
            ADULT_SOURCE_P[s]
            * ((d >= _days(SOURCE_WINDOWS[s][0])) & (d <= _days(SOURCE_WINDOWS[s][1])))
            for s in adult_sources
        ],
        axis=1,
    )
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    pick = (rng.random(len(d))[:, None] >= cdf).sum(axis=1).clip(0, len(adult_sources) - 1)
    source[adult] = np.asarray(adult_sources, dtype=object)[pick]
    return date, source


def _source_refs(rng: np.random.Generator, source: StrArray, date: npt.NDArray) -> StrArray:
    """Local references in each application's (invented, documented) format, unique per source."""
    n = len(source)
    years = (date.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()
    doy = (date - date.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1
    etab = rng.integers(1, 190, n).tolist()
    dept = rng.integers(1, 96, n).tolist()
    refs = np.empty(n, dtype=object)
    counters: dict[str, int] = dict.fromkeys(SOURCES, 0)
    # Sequence numbers are per source, in a shuffled order so that they reveal nothing.
    for i in rng.permutation(n).tolist():
        s = source[i]
        counters[s] += 1
        seq = counters[s]
        y = years[i]
        if s == "CASSIOPEE":  # numéro de parquet: year, day of year, sequence
            refs[i] = f"{y % 100:02d}{int(doy[i]):03d}{seq:06d}"
        elif s == "GENESIS":  # numéro d'écrou: establishment and sequence
            refs[i] = f"{etab[i]:03d}-{seq:07d}"
        elif s == "APPI":
            refs[i] = f"APPI-{y}-{seq:07d}"
        elif s == "PARCOURS":
            refs[i] = f"PJJ{y}{seq:07d}"
        elif s == "WINEUR":
            refs[i] = f"W{dept[i]:02d}{seq:08d}"
        else:  # PORTALIS: numéro RG
            refs[i] = f"RG {y % 100:02d}/{seq:07d}"
    return refs


def _upper(text: str, accentless: bool) -> str:
    t = text.upper()
    return strip_accents(t) if accentless else t


def build_records(
    rng: np.random.Generator, ref: Reference, persons: Persons, counts: npt.NDArray[np.int64]
) -> RawRecords:
    pidx = np.repeat(np.arange(len(persons), dtype=np.int64), counts)
    n = len(pidx)
    birth = persons.date_naissance[pidx]
    date, source = _assign_dates_and_sources(rng, birth)
    source_ref = _source_refs(rng, source, date)

    accentless = np.isin(source, list(ACCENTLESS_SOURCES))
    show_alias = np.isin(source, ["CASSIOPEE", "GENESIS"]) & (rng.random(n) < SHARE_ALIAS_SHOWN)
    show_usage = rng.random(n) < SHARE_NOM_USAGE_SHOWN
    show_city = rng.random(n) < SHARE_CITY_ABROAD_SHOWN
    use_old = rng.random(n) < SHARE_OLD_COMMUNE_CODE
    france_explicit = np.isin(source, list(FRANCE_EXPLICIT_SOURCES))

    cols: dict[str, list[str]] = {
        k: [""] * n
        for k in (
            "civilite", "nom_naissance", "nom_usage", "prenoms", "alias", "sexe",
            "date_naissance", "date_deces", "commune_naissance", "code_commune_naissance",
            "pays_naissance", "code_pays_naissance", "nationalite",
        )
    }  # fmt: skip
    old_commune = np.zeros(n, dtype=bool)
    dob = np.datetime_as_string(persons.date_naissance, unit="D")
    p = persons
    for i, j in enumerate(pidx.tolist()):
        acc = bool(accentless[i])
        sexe = p.sexe[j]
        cols["sexe"][i] = sexe
        cols["civilite"][i] = "M" if sexe == "M" else "MME"
        cols["nom_naissance"][i] = _upper(p.nom_naissance[j], acc)
        if p.nom_usage[j] and show_usage[i]:
            cols["nom_usage"][i] = _upper(p.nom_usage[j], acc)
        cols["prenoms"][i] = _upper(p.prenoms[j], acc)
        if p.alias[j] and show_alias[i]:
            cols["alias"][i] = _upper(p.alias[j], acc)
        cols["date_naissance"][i] = str(dob[j])
        pays = p.code_pays_naissance[j]
        if pays:
            cols["code_pays_naissance"][i] = pays
            cols["pays_naissance"][i] = _upper(ref.pays[pays], acc)
            if p.ville_naissance_etranger[j] and show_city[i]:
                cols["commune_naissance"][i] = p.ville_naissance_etranger[j]
        else:
            if p.ancien_code_commune[j] and use_old[i]:
                old_commune[i] = True
                cols["code_commune_naissance"][i] = p.ancien_code_commune[j]
                cols["commune_naissance"][i] = _upper(p.ancien_nom_commune[j], acc)
            else:
                cols["code_commune_naissance"][i] = p.code_commune_naissance[j]
                cols["commune_naissance"][i] = _upper(p.commune_naissance[j], acc)
            if france_explicit[i]:
                cols["code_pays_naissance"][i] = "99100"
                cols["pays_naissance"][i] = "FRANCE"
        cols["nationalite"][i] = p.nationalite[j]

    columns: dict[str, StrArray] = {
        "source": source,
        "source_ref": source_ref,
        "record_date": np.datetime_as_string(date, unit="D").astype(object),
    }
    for k, v in cols.items():
        columns[k] = np.asarray(v, dtype=object)
    assert (date <= LAST_RECORD_DATE).all()
    assert (date < REFERENCE_DATE).all()
    return RawRecords(pidx, columns, old_commune)
