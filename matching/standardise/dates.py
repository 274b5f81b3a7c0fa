"""Birth dates: full, partial (year-month, year) or unusable, never an exception.

Accepted spellings: ISO ``YYYY-MM-DD`` (a time part is ignored), ``YYYY-MM``, ``YYYY``,
French ``DD/MM/YYYY`` (also with ``.`` or ``-``), ``MM/YYYY``, compact ``YYYYMMDD``. A part
written as zeros (``1985-00-00``, ``00/03/1985``) is unknown, which makes the date partial.
Impossible dates (30 February, month 13, a year outside 1850-2100, letters) give an empty
date with ``dn_invalide`` set: the record still links on its other traits, and the flag
tells a reviewer why the date is missing.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from typing import Final

MIN_YEAR: Final = 1850
MAX_YEAR: Final = 2100

_PATTERNS: Final[tuple[tuple[re.Pattern[str], tuple[str, str, str]], ...]] = (
    (re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ].*)?"), ("y", "m", "d")),
    (re.compile(r"([0-9]{4})-([0-9]{1,2})"), ("y", "m", "")),
    (re.compile(r"([0-9]{4})"), ("y", "", "")),
    (re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})"), ("d", "m", "y")),
    (re.compile(r"([0-9]{1,2})[/.-]([0-9]{4})"), ("m", "y", "")),
    (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), ("y", "m", "d")),
)

# Dates clerks write when the day (and often the month) of birth is unknown, typically for
# people born abroad: they are exact matches that prove much less than a real birthday.
PRESUMED_DAYS: Final[frozenset[tuple[int, int]]] = frozenset({(1, 1), (12, 31)})

EMPTY: Final[dict[str, object]] = {
    "dn": None,
    "dn_annee": None,
    "dn_mois": None,
    "dn_jour": None,
    "dn_ym": None,
    "dn_md": None,
    "dn_digits": None,
    "dn_swap": None,
    "dn_presumee": False,
    "dn_precision": None,
    "dn_invalide": False,
}


def _parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) with 0 for an unknown part, or None when nothing parses."""
    for pattern, roles in _PATTERNS:
        found = pattern.fullmatch(text)
        if not found:
            continue
        values = {"y": 0, "m": 0, "d": 0}
        for role, group in zip(roles, found.groups(), strict=False):
            if role:
                values[role] = int(group)
        return values["y"], values["m"], values["d"]
    return None


def _is_valid(year: int, month: int, day: int) -> bool:
    if not MIN_YEAR <= year <= MAX_YEAR or not 0 <= month <= 12:
        return False
    if month == 0:
        return day == 0
    return 0 <= day <= calendar.monthrange(year, month)[1]


def standardise_birth_date(raw: str | None) -> dict[str, object]:
    """The date features of one record.

    - ``dn``: ISO date when day, month and year are known, else None;
    - ``dn_annee`` / ``dn_mois`` / ``dn_jour``: the known parts (None when unknown);
    - ``dn_ym``: ``YYYY-MM`` when the month is known;
    - ``dn_md``: ``MM-DD`` of a full date (a blocking key that survives a year typo);
    - ``dn_digits``: ``YYYYMMDD`` of a full date, for one-digit-typo comparisons;
    - ``dn_swap``: the date with day and month exchanged, when that is another valid date;
    - ``dn_presumee``: a full date on 1 January or 31 December (often a presumed date);
    - ``dn_precision``: ``jour`` / ``mois`` / ``annee`` / None;
    - ``dn_invalide``: something was written but it is not a possible date.
    """
    text = unicodedata.normalize("NFKC", raw).strip() if raw else ""
    if not text:
        return dict(EMPTY)
    parts = _parts(text)
    if parts is None or not _is_valid(*parts):
        return {**EMPTY, "dn_invalide": True}
    year, month, day = parts
    if month == 0:
        return {**EMPTY, "dn_annee": year, "dn_precision": "annee"}
    ym = f"{year:04d}-{month:02d}"
    if day == 0:
        return {**EMPTY, "dn_annee": year, "dn_mois": month, "dn_ym": ym, "dn_precision": "mois"}
    swapped = None
    if day != month and day <= 12 and _is_valid(year, day, month):
        swapped = f"{year:04d}-{day:02d}-{month:02d}"
    return {
        "dn": f"{ym}-{day:02d}",
        "dn_annee": year,
        "dn_mois": month,
        "dn_jour": day,
        "dn_ym": ym,
        "dn_md": f"{month:02d}-{day:02d}",
        "dn_digits": f"{year:04d}{month:02d}{day:02d}",
        "dn_swap": swapped,
        "dn_presumee": (month, day) in PRESUMED_DAYS,
        "dn_precision": "jour",
        "dn_invalide": False,
    }
