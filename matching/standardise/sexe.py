"""Sexe from the ``sexe`` field, or from the civilité when the sexe is missing.

Sources write M/F, H/F, 1/2 (the first digit of the NIR), MASCULIN/FEMININ, HOMME/FEMME;
civilités are M., MR, MONSIEUR, MME, MLLE, MADAME, MADEMOISELLE. An explicit sexe wins
over the civilité, which is more often left at a form's default.
"""

from __future__ import annotations

from typing import Final

from matching.standardise.text import fold

_SEXE: Final[dict[str, str]] = {
    "M": "M",
    "H": "M",
    "1": "M",
    "MASCULIN": "M",
    "HOMME": "M",
    "MALE": "M",
    "F": "F",
    "2": "F",
    "FEMININ": "F",
    "FEMME": "F",
    "FEMALE": "F",
}
_CIVILITE: Final[dict[str, str]] = {
    "M": "M",
    "MR": "M",
    "MONSIEUR": "M",
    "MME": "F",
    "MLLE": "F",
    "MELLE": "F",
    "MADAME": "F",
    "MADEMOISELLE": "F",
}


def standardise_sexe(sexe: str | None, civilite: str | None) -> dict[str, object]:
    """``sexe_std``: ``M``, ``F`` or None."""
    written = (sexe or "").strip()
    key = written if written in {"1", "2"} else fold(written).replace(" ", "")
    value = _SEXE.get(key) or _CIVILITE.get(fold(civilite).replace(" ", ""))
    return {"sexe_std": value}
