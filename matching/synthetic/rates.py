"""Entry-error rates of the synthetic population.

Each rate is the probability that a record *eligible* for that error gets it (a day/month swap
needs a day <= 12, a nom d'usage swap needs a nom d'usage...). The defaults are our estimate of
a justice application's keying quality, not a measured fact: ``README.md`` of this package
documents them. Errors are drawn independently, so one record can carry several.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Final

# Error names as they appear in ``errors.parquet`` and the manifest, with what each one does.
ERROR_DESCRIPTIONS: Final[dict[str, str]] = {
    "translitteration": "another spelling of a name of foreign origin (MOHAMED -> MOHAMMED)",
    "premier_prenom_seul": "only the first given name is recorded",
    "alias_comme_nom": "the alias is recorded as nom de naissance",
    "inversion_nom_usage": "nom de naissance and nom d'usage swapped",
    "inversion_nom_prenom": "nom and prénoms swapped",
    "tiret_espace": "hyphens/spaces changed in a name (JEAN-PIERRE -> JEAN PIERRE / JEANPIERRE)",
    "accents": "accents dropped, or one added, in a name or the birthplace",
    "faute_nom": "one typo in the nom (insertion, deletion, AZERTY-adjacent substitution, swap)",
    "faute_prenom": "one typo in the prénoms",
    "jour_mois": "day and month of birth swapped",
    "annee_chiffre": "one digit of the year of birth wrong",
    "date_partielle": "date of birth recorded as YYYY-MM or YYYY",
    "lieu_orthographe": "birthplace spelt differently (ST DENIS, PARIS 11EME, PARIS...)",
    "pays_errone": "wrong country code of birth (a neighbouring INSEE code)",
    "champ_manquant": "one identity field left empty",
    "casse": "nom or prénoms in lower or title case",
    # Not an entry error: a legitimate representation the linkage must understand.
    "commune_ancienne": "birthplace recorded with the code of the commune before a merger",
}


@dataclass(frozen=True)
class ErrorRates:
    """Per-record probability of each entry error, among the records eligible for it."""

    translitteration: float = 0.10
    premier_prenom_seul: float = 0.10
    alias_comme_nom: float = 0.10
    inversion_nom_usage: float = 0.15
    inversion_nom_prenom: float = 0.01
    tiret_espace: float = 0.05
    accents: float = 0.05
    faute_nom: float = 0.03
    faute_prenom: float = 0.03
    jour_mois: float = 0.01
    annee_chiffre: float = 0.01
    date_partielle: float = 0.01
    lieu_orthographe: float = 0.08
    pays_errone: float = 0.02
    champ_manquant: float = 0.04
    casse: float = 0.02

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"error rate {f.name}={value!r} must be between 0 and 1")

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def none(cls) -> ErrorRates:
        """No entry error at all (records equal to the truth, up to each source's conventions)."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    @classmethod
    def from_mapping(cls, values: dict[str, float]) -> ErrorRates:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown error rate(s): {', '.join(unknown)}")
        return cls(**{**cls().as_dict(), **values})
