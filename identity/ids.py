"""Person identifiers: opaque, random, with a check character.

An identifier is 13 random Crockford base32 symbols (about 65 bits of entropy, drawn from
the operating system's CSPRNG; never derived from identity traits) followed by Crockford's
mod-37 check symbol, e.g. ``7ZQK3M9XH2B4TK``. The check symbol catches every single-symbol
typo and every adjacent transposition, so a mistyped identifier is rejected with a clear
message instead of silently answering "not found" about someone else.

Mod 37 has five check values beyond the 32 letters and digits, which Crockford writes
``* ~ $ = U``. A clerk cannot read ``$`` or ``~`` over the phone, and a double-click stops at
them (half the identifier is copied). New identifiers are therefore drawn again until their
check symbol is a letter or a digit (5 draws in 37; the entropy lost is 0.2 bit): the check
rule is unchanged, so every identifier issued before, symbols included, still validates and
resolves, and the typo guarantees above hold for both.

Input is normalised the Crockford way (case-insensitive, ``I``/``L`` read as ``1``, ``O`` as
``0``, hyphens and spaces ignored), so identifiers read over the phone still resolve.
"""

from __future__ import annotations

import secrets
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_SYMBOLS: Final = ALPHABET + "*~$=U"
# Check symbols that new identifiers never end with (still accepted on input: issued before).
LEGACY_CHECK_SYMBOLS: Final = frozenset("*~$=U")
BODY_LENGTH: Final = 13
LENGTH: Final = BODY_LENGTH + 1

_VALUES: Final = {symbol: value for value, symbol in enumerate(ALPHABET)}
_ALIASES: Final = {"I": "1", "L": "1", "O": "0"}


class InvalidPersonIdError(ValueError):
    """The text is not a well-formed person identifier (the message says why; ``french``
    says it to the review pages' readers)."""

    def __init__(self, message: str, french: str) -> None:
        super().__init__(message)
        self.french = french


def _check_symbol(body: str) -> str:
    value = 0
    for symbol in body:
        value = value * 32 + _VALUES[symbol]
    return CHECK_SYMBOLS[value % 37]


def new_person_id() -> str:
    """A fresh identifier made of letters and digits only (see the module's docstring)."""
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
        check = _check_symbol(body)
        if check not in LEGACY_CHECK_SYMBOLS:
            return body + check


def normalise_person_id(text: str) -> str:
    """The canonical form of ``text``, or :class:`InvalidPersonIdError` saying what is wrong."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    if len(cleaned) != LENGTH:
        raise InvalidPersonIdError(
            f"a person identifier has {LENGTH} symbols, this one has {len(cleaned)}",
            f"un identifiant de personne compte {LENGTH} caractères, celui-ci en compte "
            f"{len(cleaned)}",
        )
    body = "".join(_ALIASES.get(c, c) for c in cleaned[:BODY_LENGTH])
    check = _ALIASES.get(cleaned[BODY_LENGTH], cleaned[BODY_LENGTH])
    bad = [c for c in body if c not in _VALUES]
    if bad:
        raise InvalidPersonIdError(
            "a person identifier uses Crockford base32 symbols only",
            "un identifiant de personne ne contient que des chiffres et des lettres "
            "(sans I, L, O ni U)",
        )
    if check not in CHECK_SYMBOLS:
        raise InvalidPersonIdError(
            "the last symbol is not a valid check symbol",
            "le dernier caractère n'est pas un caractère de contrôle valide",
        )
    if _check_symbol(body) != check:
        raise InvalidPersonIdError(
            "the check symbol does not match: the identifier was probably mistyped",
            "le caractère de contrôle ne correspond pas : l'identifiant a probablement été "
            "mal recopié",
        )
    return body + check


def is_valid_person_id(text: str) -> bool:
    try:
        normalise_person_id(text)
    except InvalidPersonIdError:
        return False
    return True


def spoken_groups(person_id: str) -> list[str]:
    """The identifier in groups of four, as a clerk reads it over the phone (like an IBAN);
    the pages show the groups apart but copy and select them as one word."""
    return [person_id[i : i + 4] for i in range(0, len(person_id), 4)]
