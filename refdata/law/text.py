"""An article version's text split into alinéas.

Alinéas are counted as the légistique does (Conseil d'État, guide de légistique): every
paragraph that begins on a new line is an alinéa, including the items of an enumeration
("1° Sur un mineur de quinze ans ;") and the paragraphs that open a division ("I.-Le fait de
..."). NATINF and the courts cite alinéas that way ("ART.311-4 AL.13"). Within a division
marked "I", "II"... an alinéa also has its number in that division, for references written
"§ II al. 2".

The text is kept verbatim; :func:`normalise` gives a copy of the same length with typographic
variants folded (curly apostrophes, no-break spaces, line breaks inside a paragraph), so that
offsets found in the copy point into the verbatim text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIVISION = re.compile(r"^(?P<roman>[IVX]{1,5})\s?\.?\s?[-–—]")
_HEADING = re.compile(r"^#+\s*(?P<title>.*)$")


@dataclass(frozen=True)
class Alinea:
    number: int  # 1-based, every paragraph counts
    text: str  # verbatim
    division: str | None  # "I", "II"... the division it belongs to, if the article has them
    number_in_division: int | None


def normalise(text: str) -> str:
    """Same length as ``text``: ’ ‘ → ', no-break and thin spaces and line breaks → space."""
    return text.translate(
        {
            0x2019: "'",
            0x2018: "'",
            0x00A0: " ",
            0x202F: " ",
            0x2009: " ",
            0x0A: " ",
            0x0D: " ",
            0x09: " ",
        }
    )


def split_markdown(markdown: str) -> tuple[str, list[str]]:
    """(heading, paragraphs) of an article file of the etalab corpus.

    The file is ``# Article 222-12`` then the paragraphs separated by blank lines.
    """
    blocks = [b for b in re.split(r"\n\s*\n", markdown.replace("\r\n", "\n")) if b.strip()]
    heading = ""
    if blocks:
        match = _HEADING.match(blocks[0].strip())
        if match:
            heading = match.group("title").strip()
            blocks = blocks[1:]
    return heading, [b.strip() for b in blocks]


def alineas(paragraphs: list[str]) -> list[Alinea]:
    """Number the paragraphs as alinéas, with their division ("I", "II"...) when there is one."""
    result = []
    division: str | None = None
    in_division = 0
    for number, text in enumerate(paragraphs, start=1):
        match = _DIVISION.match(text)
        if match:
            division = match.group("roman")
            in_division = 0
        in_division += 1
        result.append(
            Alinea(
                number=number,
                text=text,
                division=division,
                number_in_division=in_division if division else None,
            )
        )
    return result


def article_key(number: str) -> str:
    """An article number folded for lookups: "L. 234-1", "l234-1" and "L234-1" are the same
    article, and "224-1 A" is "224-1-a" (the corpus's file names)."""
    folded = number.replace("*", "").strip().lower()
    folded = re.sub(r"^(lo|l|r|d|a)\s*\.?\s*(?=\d)", r"\1", folded)
    return re.sub(r"\s+", "-", folded)
