"""Person identifiers: opaque, random, with a check character.

An identifier is 13 random Crockford base32 symbols (65 bits of entropy, drawn from the
operating system's CSPRNG; never derived from identity traits) followed by Crockford's
mod-37 check symbol, e.g. ``7ZQK3M9XH2B4TK``. The check symbol catches every single-symbol
typo and every adjacent transposition, so a mistyped identifier is rejected with a clear
message instead of silently answering "not found" about someone else.

Input is normalised the Crockford way (case-insensitive, ``I``/``L`` read as ``1``, ``O`` as
``0``, hyphens and spaces ignored), so identifiers read over the phone still resolve.
"""

from __future__ import annotations

import secrets
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS: Final = ALPHABET + "*~$=U"
BODY_LENGTH: Final = 13
LENGTH: Final = BODY_LENGTH + 1

_VALUES: Final = {symbol: value for value, symbol in enumerate(ALPHABET)}
_ALIASES: Final = {"I": "1", "L": "1", "O": "0"}


class InvalidPersonIdError(ValueError):
    """The text is not a well-formed person identifier (the message says why)."""


def _check_symbol(body: str) -> str:
    value = 0
    for symbol in body:
        value = value * 32 + _VALUES[symbol]
    return CHECK_SYMBOLS[value % 37]


def new_person_id() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_symbol(body)


def normalise_person_id(text: str) -> str:
    """The canonical form of ``text``, or :class:`InvalidPersonIdError` saying what is wrong."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    if len(cleaned) != LENGTH:
        raise InvalidPersonIdError(
            f"a person identifier has {LENGTH} symbols, this one has {len(cleaned)}"
        )
    body = "".join(_ALIASES.get(c, c) for c in cleaned[:BODY_LENGTH])
    check = _ALIASES.get(cleaned[BODY_LENGTH], cleaned[BODY_LENGTH])
    bad = [c for c in body if c not in _VALUES]
    if bad:
        raise InvalidPersonIdError("a person identifier uses Crockford base32 symbols only")
    if check not in CHECK_SYMBOLS:
        raise InvalidPersonIdError("the last symbol is not a valid check symbol")
    if _check_symbol(body) != check:
        raise InvalidPersonIdError(
            "the check symbol does not match: the identifier was probably mistyped"
        )
    return body + check


def is_valid_person_id(text: str) -> bool:
    try:
        normalise_person_id(text)
    except InvalidPersonIdError:
        return False
    return True
