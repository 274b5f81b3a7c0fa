"""The nature vocabulary of the NATINF file (``Nature de l'infraction``).

The official file writes exactly seven labels: ``Crime``, ``Délit`` and ``Contravention de
1ère classe`` ... ``Contravention de 5ème classe``. Real extracts also leave the column empty
for some codes (several hundred fisheries and labour codes in the public extracts): an empty
nature is accepted and stored as NULL ("not stated"), never guessed. Any other label is refused.

Matching ignores case, accents and spacing, so an export that wrote ``DELIT`` or
``Contravention de 4eme classe`` is read as the official label it means; the canonical label is
what we store and publish.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Nature:
    label: str  # canonical label of the official file
    code: str  # stable identifier used by the API filters: crime, delit, contravention-4...
    category: str  # crime | delit | contravention
    contravention_class: int | None = None


_ORDINALS = {1: "1ère", 2: "2ème", 3: "3ème", 4: "4ème", 5: "5ème"}

CRIME = Nature("Crime", "crime", "crime")
DELIT = Nature("Délit", "delit", "delit")
CONTRAVENTIONS = {
    n: Nature(f"Contravention de {_ORDINALS[n]} classe", f"contravention-{n}", "contravention", n)
    for n in range(1, 6)
}

ALL_NATURES: tuple[Nature, ...] = (CRIME, DELIT, *CONTRAVENTIONS.values())
BY_LABEL = {n.label: n for n in ALL_NATURES}
BY_CODE = {n.code: n for n in ALL_NATURES}

# Filter values accepted by the search API: each nature code, plus "contravention" (any class)
# and "none" (nature not stated in the file).
FILTER_VALUES = (*BY_CODE, "contravention", "none")

_CONTRAVENTION = re.compile(r"^contravention de ([1-5]) ?(?:ere|re|er|eme|e)? classe$")


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


class UnknownNatureError(ValueError):
    pass


def parse_nature(raw: str) -> Nature | None:
    """The nature a label means; None for an empty label; UnknownNatureError otherwise."""
    folded = _fold(raw)
    if not folded:
        return None
    if folded == "crime":
        return CRIME
    if folded == "delit":
        return DELIT
    match = _CONTRAVENTION.match(folded)
    if match:
        return CONTRAVENTIONS[int(match.group(1))]
    raise UnknownNatureError(raw)


def nature_of_label(label: str | None) -> Nature | None:
    """The nature of a stored canonical label (None stays None)."""
    return BY_LABEL[label] if label is not None else None


def vocabulary_text() -> str:
    return ", ".join(n.label for n in ALL_NATURES)
