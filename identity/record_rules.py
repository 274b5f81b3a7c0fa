"""What a record must satisfy before the registry stores it, beyond the canonical shapes.

Each rule exists because the registry once stored or crashed on such a value:
- text fields: no control characters (C0, DEL, C1) nor lone surrogates. A NUL in a
  ``source_ref`` was stored, sealed, and could never be asked for again (no URL carries it);
  a lone surrogate cannot be encoded at all. A tab or newline inside a name is an extraction
  fault, not a spelling.
- ``sexe``: ``M`` or ``F``. The spellings the sources use (``H``, ``1``/``2`` as in the NIR,
  ``MASCULIN``, ``FEMME``...) are mapped with the very table standardisation reads, so what is
  stored is what is compared; anything else is refused rather than stored raw.
- dates: a date of birth or death neither in the future nor before 1900; a record date not
  after today plus :data:`RECORD_DATE_TOLERANCE` (``9999-12-31`` overflowed the retention
  arithmetic: a 500 online, a crash halfway through ``registry ingest``).

The checks raise pydantic's custom errors (a type and a message that says which rule failed,
never the value: identity traits must not reach logs or error bodies), so that they read like
every other validation error of the API and of the import reports.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Final

from pydantic_core import PydanticCustomError

from matching import standardise_sexe

EARLIEST_YEAR: Final = 1900
# A source's clock, or its time zone (Nouméa is UTC+11, Papeete UTC-10), may be ahead of ours.
RECORD_DATE_TOLERANCE: Final = timedelta(days=2)

# C0 controls, DEL, C1 controls, and UTF-16 surrogates (which no UTF-8 text can hold).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def today() -> date:
    return datetime.now(UTC).date()


def check_text(value: str) -> str:
    if _FORBIDDEN.search(value):
        raise PydanticCustomError(
            "control_character",
            "contains a control character (NUL, tab, line break, escape...) or an invalid "
            "code point: send plain text",
        )
    return value


def canonical_sexe(value: str) -> str:
    """``M`` or ``F`` for the spellings the sources use; refused otherwise."""
    mapped = standardise_sexe(value, None)["sexe_std"]
    if mapped not in {"M", "F"}:
        raise PydanticCustomError(
            "sexe",
            "must be M or F, or empty (H, HOMME, MASCULIN, 1 and FEMME, FEMININ, 2 are "
            "accepted and stored as M and F)",
        )
    return str(mapped)


def _earliest_day(value: str) -> date:
    """The first day a well-shaped, possibly partial or impossible ISO date may denote."""
    year = int(value[:4])
    month = int(value[5:7]) if len(value) >= 7 else 1
    day = int(value[8:10]) if len(value) >= 10 else 1
    try:
        return date(year, month, day)
    except ValueError:
        # A day/month swap (1985-14-07) or a 31 November: the year still says when.
        return date(year, 1, 1)


def check_life_date(value: str) -> str:
    """A date of birth or death (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``)."""
    if int(value[:4]) < EARLIEST_YEAR:
        raise PydanticCustomError(
            "implausible_date",
            "is before {earliest}: not a plausible date",
            {"earliest": EARLIEST_YEAR},
        )
    if _earliest_day(value) > today():
        raise PydanticCustomError("implausible_date", "is in the future")
    return value


def check_record_date(value: date) -> date:
    if value > today() + RECORD_DATE_TOLERANCE:
        raise PydanticCustomError(
            "implausible_date",
            "is more than {days} days in the future: not a plausible record date",
            {"days": RECORD_DATE_TOLERANCE.days},
        )
    return value
