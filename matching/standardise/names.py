"""Surnames (nom de naissance, nom d'usage, alias) and given names (prénoms).

Surnames are compared glued together ("DE LA FONTAINE", "DE LAFONTAINE" and "DELAFONTAINE"
are one name), with a second form without leading particles ("FONTAINE") because clerks
drop or keep particles at will. A clerk who types "DUPONT EPOUSE MARTIN" or "MARTIN NEE
DUPONT" in one field gives us both the nom de naissance and the nom d'usage: we split them.

Given names keep civil order. The first given name is what every source has; "JEAN-PIERRE
MARIE" has first given name JEAN-PIERRE (compared as JEANPIERRE) and tokens JEAN, PIERRE,
MARIE, so a record carrying "JEAN PIERRE" or only "JEAN" still shares given names with it.
"""

from __future__ import annotations

import re
from typing import Final

from matching.standardise.phonetic import consonant_skeleton, phonex
from matching.standardise.text import compact, fold, fold_keep_hyphens

# Leading particles of French, Arabic, Dutch, German, Italian, Portuguese and Spanish
# surnames. D and L come from elided forms (D'ALEMBERT, L'HERMITE) once apostrophes are
# word separators.
PARTICLES: Final[frozenset[str]] = frozenset(
    {
        "D",
        "DA",
        "DAS",
        "DE",
        "DEL",
        "DELA",
        "DELLA",
        "DELLE",
        "DEN",
        "DER",
        "DES",
        "DI",
        "DO",
        "DOS",
        "DU",
        "L",
        "LA",
        "LE",
        "LES",
        "TER",
        "VAN",
        "VON",
        "Y",
        "AL",
        "EL",
        "BEN",
        "BENT",
        "BINT",
        "IBN",
        "OULD",
        "AIT",
        "O",
    }
)

# "X EPOUSE Y", "X EP Y", "X VEUVE Y", "X VVE Y": X is the nom de naissance, Y the nom
# d'usage. "Y NEE X": the other way round. Matched on folded words.
_MARRIED_MARKERS: Final = re.compile(r"^(.+?) (?:EPOUSE|EPSE|EP|VEUVE|VVE|DIVORCEE) (.+)$")
_BORN_MARKER: Final = re.compile(r"^(.+?) NEE (.+)$")
_ALIAS_SEPARATORS: Final = re.compile(r"[,;/|]+")
_ALIAS_LEADING: Final[frozenset[str]] = frozenset({"DIT", "DITE", "ALIAS", "AKA", "SURNOMME"})


def strip_particles(words: str) -> str:
    """Drop leading particles while a word remains ("DE LA FONTAINE" → "FONTAINE")."""
    tokens = words.split()
    while len(tokens) > 1 and tokens[0] in PARTICLES:
        tokens.pop(0)
    return " ".join(tokens)


def split_married_name(words: str) -> tuple[str, str]:
    """(nom de naissance, nom d'usage) from one folded field; usage is "" when absent."""
    married = _MARRIED_MARKERS.match(words)
    if married:
        return married.group(1), married.group(2)
    born = _BORN_MARKER.match(words)
    if born:
        return born.group(2), born.group(1)
    return words, ""


def alias_names(raw: str | None) -> list[str]:
    """Each alias of a field holding several ("ALI, BEN ALI / DIT LE GROS"), folded."""
    if not raw:
        return []
    names = []
    for part in _ALIAS_SEPARATORS.split(raw):
        tokens = fold(part).split()
        while tokens and tokens[0] in _ALIAS_LEADING:
            tokens.pop(0)
        if tokens:
            names.append(" ".join(tokens))
    return names


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def standardise_surnames(
    nom_naissance: str | None, nom_usage: str | None, alias: str | None
) -> dict[str, object]:
    """The surname features of one record.

    - ``nom_std``: the main surname glued (nom de naissance, else nom d'usage);
    - ``nom_core``: the same without leading particles;
    - ``nom_phon``: its Phonex key;
    - ``nom_usage_std``: the nom d'usage glued;
    - ``noms_std``: every surname the record carries (naissance, usage, aliases), glued;
    - ``noms_phon``: their Phonex keys;
    - ``nom_skel``: the consonant skeleton of ``nom_std`` (transliteration variants);
    - ``nom3``: the first three letters of ``nom_std`` and ``noms4`` the first four of each
      of ``noms_std``: blocking keys that survive a typo after the first letters.
    """
    naissance_words, usage_from_naissance = split_married_name(fold(nom_naissance))
    usage_words, _ = split_married_name(fold(nom_usage))
    if not usage_words:
        usage_words = usage_from_naissance
    naissance = compact(naissance_words)
    usage = compact(usage_words)
    main_words = naissance_words or usage_words
    main = naissance or usage
    noms = _unique([naissance, usage, *(compact(a) for a in alias_names(alias))])
    return {
        "nom_std": main or None,
        "nom_core": compact(strip_particles(main_words)) or None,
        "nom_phon": phonex(main) or None,
        "nom_usage_std": usage or None,
        "noms_std": noms,
        "noms_phon": _unique([phonex(n) for n in noms]),
        "nom_skel": consonant_skeleton(main) or None,
        "nom3": main[:3] or None,
        "noms4": _unique([n[:4] for n in noms]),
    }


def standardise_given_names(prenoms: str | None) -> dict[str, object]:
    """The given-name features of one record, in civil order.

    - ``prenom1_std``: the first given name glued (JEAN-PIERRE → JEANPIERRE);
    - ``prenom1_tok``: the first word of it (JEAN);
    - ``prenom1_phon``: Phonex of ``prenom1_tok``;
    - ``prenom1_skel``: its consonant skeleton (transliteration variants);
    - ``prenoms_std``: every given-name word, space-separated (JEAN PIERRE MARIE);
    - ``prenoms_cmp``: the same glued, so spacing variants of the full list compare equal;
    - ``prenoms_tokens``: the distinct words, in order;
    - ``pre3``: the first three letters of the first given name (a blocking key).
    """
    units = fold_keep_hyphens(prenoms).split()
    if not units:
        return {
            "prenom1_std": None,
            "prenom1_tok": None,
            "prenom1_phon": None,
            "prenom1_skel": None,
            "prenoms_std": None,
            "prenoms_cmp": None,
            "prenoms_tokens": [],
            "pre3": None,
        }
    words = [w for unit in units for w in unit.split("-")]
    first_word = words[0]
    return {
        "prenom1_std": compact(units[0]),
        "prenom1_tok": first_word,
        "prenom1_phon": phonex(first_word) or None,
        "prenom1_skel": consonant_skeleton(first_word) or None,
        "prenoms_std": " ".join(words),
        "prenoms_cmp": "".join(words),
        "prenoms_tokens": _unique(words),
        "pre3": first_word[:3],
    }
