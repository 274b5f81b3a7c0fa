"""Folding free text to the plain upper-case ASCII words that French civil-status records use.

Every standardised identity trait goes through `fold`: Unicode compatibility decomposition,
accents dropped, ligatures and letters without a decomposition spelled out (Œ → OE, ß → SS,
Ł → L...), upper case, then anything that is not A-Z becomes a word separator. The result is
idempotent, case- and accent-insensitive, and total: it never raises on any string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Letters that NFKD does not decompose into ASCII but that French and European names use.
# Without this table "ŁUKASZ" would lose its first letter and "STRAßE" its "ss".
_SPELLED_OUT: Final[dict[int, str]] = str.maketrans(
    {
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ð": "D",
        "ð": "d",
        "Þ": "TH",
        "þ": "th",
        "ı": "i",
        "Ħ": "H",
        "ħ": "h",
        "Ŧ": "T",
        "ŧ": "t",
        "ĸ": "k",
        "Ŋ": "N",
        "ŋ": "n",
        "ſ": "s",
    }
)

_NON_LETTERS: Final = re.compile(r"[^A-Z]+")
_NON_LETTERS_KEEP_HYPHEN: Final = re.compile(r"[^A-Z-]+")
_HYPHEN_RUNS: Final = re.compile(r"-+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def to_ascii_upper(text: str) -> str:
    """Upper-case ASCII transliteration; characters with no Latin spelling are dropped later.

    Decomposition runs twice because upper-casing can itself produce decomposable
    characters (e.g. "ǰ".upper() is "J" followed by a combining caron).
    """
    if text.isascii():
        return text.upper()
    once = _strip_marks(text).translate(_SPELLED_OUT).upper()
    return _strip_marks(once).translate(_SPELLED_OUT).upper()


@lru_cache(maxsize=1 << 18)
def fold(text: str | None) -> str:
    """Words of A-Z separated by single spaces ("" for nothing usable).

    Cached: identity traits repeat, and the batch path calls this per distinct value.

    >>> fold("  l'Hôpital-Saint  Œuvre ")
    'L HOPITAL SAINT OEUVRE'
    """
    if not text:
        return ""
    return _NON_LETTERS.sub(" ", to_ascii_upper(text)).strip()


@lru_cache(maxsize=1 << 18)
def fold_keep_hyphens(text: str | None) -> str:
    """Like `fold` but keeps single hyphens inside words (compound given names).

    >>> fold_keep_hyphens("jean--pierre ,  -marie")
    'JEAN-PIERRE MARIE'
    """
    if not text:
        return ""
    upper = _NON_LETTERS_KEEP_HYPHEN.sub(" ", to_ascii_upper(text))
    upper = _HYPHEN_RUNS.sub("-", upper)
    words = [w.strip("-") for w in upper.split()]
    return " ".join(w for w in words if w)


def compact(words: str) -> str:
    """The words glued together: spacing and hyphenation variants compare equal."""
    return words.replace(" ", "").replace("-", "")


def none_if_empty(value: str) -> str | None:
    return value or None
