"""Amounts and durations as the French codes write them.

The codes write numbers in digits with a space (or a no-break space) between thousands
("45 000 euros", "1 500 €", "7 500 000 euros", "45000 euros", "100 000 F") and durations in
words ("six mois", "un an", "quinze ans", "dix-huit mois"); a few write amounts in words
("quinze mille euros"). A number in words is accepted only when it is written correctly: the
parser computes its value, renders that value back in French and compares (traditional and
1990 spellings both accepted), so "deux trois ans" is not read as five years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_VALUES: dict[str, int] = {word: value for value, word in enumerate(_UNITS)}
_VALUES.update({word: tens * 10 for tens, word in _TENS.items()})
_VALUES["une"] = 1
_MULTIPLIERS = {"cent": 100, "mille": 1000, "million": 1_000_000, "milliard": 1_000_000_000}

# One word of a number in words (for the regular expressions that find them in a sentence).
NUMBER_WORD = (
    r"(?:z[ée]ro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|"
    r"quatorze|quinze|seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille|"
    r"millions?|milliards?|et)"
)
NUMBER_IN_WORDS = rf"{NUMBER_WORD}(?:[\s-]+{NUMBER_WORD})*"


def _below_hundred(n: int) -> str:
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return f"dix-{_UNITS[n - 10]}"
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix..., quatre-vingt-dix...
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = n - (60 if tens == 7 else 80)
        if tens == 7 and rest == 11:
            return "soixante et onze"
        return f"{base}-{_below_hundred(rest)}"
    if tens == 8:
        return "quatre-vingts" if unit == 0 else f"quatre-vingt-{_UNITS[unit]}"
    word = _TENS[tens]
    if unit == 0:
        return word
    if unit == 1:
        return f"{word} et un"
    return f"{word}-{_UNITS[unit]}"


def _below_thousand(n: int, *, final: bool) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        if hundreds == 1:
            parts.append("cent")
        else:
            # "deux cents" takes an s only when nothing follows it (and not before "mille").
            plural = rest == 0 and final
            parts.append(f"{_UNITS[hundreds]} cent{'s' if plural else ''}")
    if rest:
        text = _below_hundred(rest)
        if not final and text.endswith("quatre-vingts"):
            text = text[:-1]  # "quatre-vingt mille"
        parts.append(text)
    return " ".join(parts)


def french_words(n: int) -> str:
    """A whole number 0 <= n < 10**12 in French words, traditional spelling."""
    if not 0 <= n < 10**12:
        raise ValueError("out of range")
    if n == 0:
        return "zéro"
    parts = []
    billions, n = divmod(n, 1_000_000_000)
    millions, n = divmod(n, 1_000_000)
    thousands, units = divmod(n, 1000)
    for value, name in ((billions, "milliard"), (millions, "million")):
        if value:
            words = _below_thousand(value, final=True)
            parts.append(f"{words} {name}{'s' if value > 1 else ''}")
    if thousands:
        parts.append(
            "mille" if thousands == 1 else f"{_below_thousand(thousands, final=False)} mille"
        )
    if units:
        parts.append(_below_thousand(units, final=True))
    return " ".join(parts)


def _canonical_tokens(text: str) -> list[str]:
    """Words of a number, spelling variants folded (hyphens, plural s, "une", accents)."""
    folded = []
    for word in re.split(r"[\s-]+", text.strip().lower()):
        if word in ("vingts", "cents", "millions", "milliards"):
            word = word[:-1]
        folded.append({"une": "un", "zero": "zéro"}.get(word, word))
    return folded


def parse_french_number(text: str) -> int | None:
    """The value of a whole number written in French words, or None if it is not one."""
    words = _canonical_tokens(text)
    if not words or any(w not in _VALUES and w not in _MULTIPLIERS and w != "et" for w in words):
        return None
    total = 0
    current = 0
    previous = None
    for word in words:
        if word == "et":
            previous = word
            continue
        if word == "vingt" and previous == "quatre":
            current += 80 - 4
        elif word == "cent":
            current = (current or 1) * 100
        elif word in ("mille", "million", "milliard"):
            total += (current or 1) * _MULTIPLIERS[word]
            current = 0
        else:
            current += _VALUES[word]
        previous = word
    value = total + current
    # Only a correctly written number is accepted: render it back and compare.
    if value >= 10**12 or _canonical_tokens(french_words(value)) != words:
        return None
    return value


_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+"
_AMOUNT_DIGITS = re.compile(
    rf"(?P<number>{_DIGITS})(?:,(?P<cents>\d{{1,2}}))?\s*(?P<currency>€|euros?\b|EUR\b|F\b|francs?\b)",
    re.IGNORECASE,
)
_AMOUNT_WORDS = re.compile(
    rf"(?P<words>{NUMBER_IN_WORDS})\s+(?P<currency>euros?\b|francs?\b)", re.IGNORECASE
)
_DURATION = re.compile(
    rf"(?P<number>\d+|{NUMBER_IN_WORDS})\s+(?P<unit>ans?\b|ann[ée]es?\b|mois\b)", re.IGNORECASE
)

EURO = "EUR"
FRANC = "FRF"


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str  # EUR or FRF
    text: str  # as written


@dataclass(frozen=True)
class Duration:
    months: int
    text: str  # as written


def _currency(symbol: str) -> str:
    return FRANC if symbol.lower().startswith("f") else EURO


def match_amount(text: str, pos: int = 0) -> tuple[Amount, int] | None:
    """An amount written at ``pos`` (digits or words, then its currency) and where it ends."""
    match = _AMOUNT_DIGITS.match(text, pos)
    if match:
        digits = re.sub(r"[ \u00a0\u202f.]", "", match.group("number"))
        value = Decimal(digits)
        if match.group("cents"):
            value += Decimal(match.group("cents").ljust(2, "0")) / 100
        return Amount(value, _currency(match.group("currency")), match.group(0)), match.end()
    match = _AMOUNT_WORDS.match(text, pos)
    if match:
        number = parse_french_number(match.group("words"))
        if number is None:
            return None
        return (
            Amount(Decimal(number), _currency(match.group("currency")), match.group(0)),
            match.end(),
        )
    return None


def match_duration(text: str, pos: int = 0) -> tuple[Duration, int] | None:
    """A duration in years or months written at ``pos`` and where it ends."""
    match = _DURATION.match(text, pos)
    if not match:
        return None
    raw = match.group("number")
    number = int(raw) if raw.isdigit() else parse_french_number(raw)
    if not number:
        return None
    unit = match.group("unit").lower()
    months = number if unit == "mois" else number * 12
    return Duration(months, match.group(0)), match.end()


def parse_amount(text: str) -> Amount | None:
    """The amount a whole string writes ("1 500 €", "quinze mille euros"), or None."""
    found = match_amount(text.strip())
    return found[0] if found and found[1] == len(text.strip()) else None


def parse_duration(text: str) -> Duration | None:
    """The duration a whole string writes ("six mois", "un an", "10 ans"), or None."""
    found = match_duration(text.strip())
    return found[0] if found and found[1] == len(text.strip()) else None
