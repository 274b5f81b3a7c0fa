"""A French phonetic key for blocking: Phonex (Frédéric Brouard, 1998), in its string form.

Phonex rewrites a name into the sounds of French spelling: silent H, PH/F, the nasal vowels
(AN/EN/AM/EM → 1, IN/AIN/EIN → 4), OUA → 2, OI → 2, OU → 3, CH/SCH/SH → 5, soft C/S,
hard C/G/Q → K, voiced/unvoiced consonant pairs merged (B/V → F, D/P → T, J → G, M → N),
A merged with O, doubled letters squeezed, final T/X dropped. Brouard's last step turns
the string into a floating-point number for sorting; we keep the string, which is the
same equivalence class and is readable in reviews.

Reference: F. Brouard, "Phonex" (SQLpro, developpez.com, "Les algorithmes de recherche
phonétique"). We follow the rules as published with two deliberate readings:
- every rule applies to all occurrences (some ports only rewrite the first EAU/OUA);
- "an/en/in not followed by a vowel" includes the end of the word, so MARTIN and MARTAIN
  share the nasal 4 (ports that require a following letter leave a final IN unchanged).
Two extensions for the transliterated names the justice records carry, both applied before
the rules: doubled letters are squeezed first (a doubled consonant never makes a nasal:
ANNE, JEANNE, and MOHAMMED = MOHAMED), and W is read as V (KOWALSKI = KOVALSKI).

Why Phonex and not jellyfish: jellyfish's soundex/metaphone/NYSIIS are English-language
algorithms (metaphone maps "TH" to θ, soundex keeps only the first letter plus three
consonant digits); French names need the nasal vowels and silent letters above.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from matching.standardise.text import compact, fold

_RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"Y", "I"),
        (r"(?<![CSP])H", ""),
        (r"PH", "F"),
        (r"G(?=AI?[NM])", "K"),
        (r"[AE]I[NM](?=[AEIOU])", "YN"),
        (r"EAU", "O"),
        (r"OUA", "2"),
        (r"[EA]I[NM]", "4"),
        (r"[EA]I", "Y"),
        (r"E(?=[RTZ])", "Y"),
        (r"ESS", "YS"),
        (r"[AE][NM](?![AEIOU1234])", "1"),
        (r"IN(?![AEIOU1234])", "4"),
        (r"(?<=[AEIOUY1234])S(?=[AEIOUY1234])", "Z"),
        (r"OE|EU", "E"),
        (r"AU", "O"),
        (r"OI", "2"),
        (r"OU", "3"),
        (r"SCH|CH|SH", "5"),
        (r"SS", "S"),
        (r"SC(?=[EI])", "S"),
        (r"C(?=[EI])", "S"),
        (r"GU|QU|Q|C", "K"),
        (r"G(?=[AO])", "K"),
    )
)

_SINGLE_LETTERS: Final = str.maketrans("ADPJBVM", "OTTGFFN")
_DUPLICATES: Final = re.compile(r"(.)\1+")
_FINAL_SILENT: Final = re.compile(r"[TX]$")


_VOWELS_AND_SOUNDS: Final = re.compile(r"[AEIOUY23]")


@lru_cache(maxsize=1 << 18)
def consonant_skeleton(text: str | None) -> str:
    """The consonants of the Phonex key, first sound kept: vowels (and the vowel sounds
    OI = 2, OU = 3) dropped, nasal sounds read as N. It survives what transliteration does
    to vowels: MARYAM = MERIEM, MOSTEFA = MUSTAPHA, YOUSSEF = YUSUF, KADIATU = KHADIATOU.

    >>> consonant_skeleton("Mostefa"), consonant_skeleton("Mustapha")
    ('NSTF', 'NSTF')
    """
    code = phonex(text)
    if not code:
        return ""
    code = code[0] + _VOWELS_AND_SOUNDS.sub("", code[1:])
    code = code.replace("1", "N").replace("4", "N")
    return _DUPLICATES.sub(r"\1", code)


@lru_cache(maxsize=1 << 18)
def phonex(text: str | None) -> str:
    """The Phonex key of a name ("" when nothing is left).

    >>> phonex("Mohammed"), phonex("MOHAMED"), phonex("Martin"), phonex("Martain")
    ('NONE', 'NONE', 'NORT4', 'NORT4')
    """
    code = compact(fold(text))
    if not code:
        return ""
    code = _DUPLICATES.sub(r"\1", code).replace("W", "V")
    for pattern, replacement in _RULES:
        code = pattern.sub(replacement, code)
    code = code.translate(_SINGLE_LETTERS)
    code = _DUPLICATES.sub(r"\1", code)
    return _FINAL_SILENT.sub("", code)
