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
    # Clerks' habits of the "stress" profile (stress.py; zero in the default profile).
    "prenom_usuel_premier": "the prénom usuel (a later given name) written first",
    "prenom_usuel_seul": "only the prénom usuel (a later given name) recorded",
    "prenom_retire": "one given name after the first left out of a list of three or more",
    "prenom_ajoute": "a given name added after the civil ones",
    "date_presumee": "a presumed date (1 January or 31 December of the year) for a known date",
    "date_presumee_etranger": "the same, for a person born abroad",
    "annee_seule": "only the year of birth recorded",
    "annee_decalee": "year of birth off by one, same day and month",
    "lieu_departement": "commune name with its département in parentheses, no code",
    "lieu_sans_code": "commune name without its code",
    "arrondissement_commune": "Paris/Lyon/Marseille recorded as the city, not the arrondissement",
    "ville_autre_nom": "foreign city under another name (old name, native or French spelling)",
    "ville_faute": "one typo in the foreign city",
    "nationalite_pays": "the nationality written in the country-of-birth field, no code",
    "ne_en_france": "a person born abroad recorded as born in France (city kept)",
    "translitteration_libre": "a name of foreign origin respelt by transliteration rules",
    "particule": "a surname's leading particle dropped or glued (AIT-SAID, EL FASSI)",
    "sexe_errone": "sexe (and civilité) miskeyed",
}

# The clerks' habits of the stress profile, in the order they are applied (after the errors
# above, on their own random stream: see `stress.py`).
STRESS_ERRORS: Final[tuple[str, ...]] = (
    "prenom_usuel_premier",
    "prenom_usuel_seul",
    "prenom_retire",
    "prenom_ajoute",
    "date_presumee",
    "date_presumee_etranger",
    "annee_seule",
    "annee_decalee",
    "lieu_departement",
    "lieu_sans_code",
    "arrondissement_commune",
    "ville_autre_nom",
    "ville_faute",
    "nationalite_pays",
    "ne_en_france",
    "translitteration_libre",
    "particule",
    "sexe_errone",
)


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
    # The stress profile's habits: absent from the default population.
    prenom_usuel_premier: float = 0.0
    prenom_usuel_seul: float = 0.0
    prenom_retire: float = 0.0
    prenom_ajoute: float = 0.0
    date_presumee: float = 0.0
    date_presumee_etranger: float = 0.0
    annee_seule: float = 0.0
    annee_decalee: float = 0.0
    lieu_departement: float = 0.0
    lieu_sans_code: float = 0.0
    arrondissement_commune: float = 0.0
    ville_autre_nom: float = 0.0
    ville_faute: float = 0.0
    nationalite_pays: float = 0.0
    ne_en_france: float = 0.0
    translitteration_libre: float = 0.0
    particule: float = 0.0
    sexe_errone: float = 0.0

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
    def stress(cls) -> ErrorRates:
        """The "stress" profile (issue 8): what clerks do that the default profile does not,
        at rates fixed before any model was tuned against it (README.md of this package).

        Every rate is per eligible record. They are deliberately heavier than our estimate
        of the applications' keying quality: the profile exists to show whether the model
        holds on habits it was not designed around, not to be realistic on average.
        """
        return cls(
            **{
                **cls().as_dict(),
                # Existing errors, heavier.
                "premier_prenom_seul": 0.15,
                "translitteration": 0.15,
                "alias_comme_nom": 0.30,
                "inversion_nom_prenom": 0.03,
                "faute_nom": 0.05,
                "faute_prenom": 0.05,
                "jour_mois": 0.02,
                "annee_chiffre": 0.02,
                "date_partielle": 0.03,
                "lieu_orthographe": 0.15,
                "pays_errone": 0.05,
                "champ_manquant": 0.06,
                # Habits the default profile lacks.
                "prenom_usuel_premier": 0.06,
                "prenom_usuel_seul": 0.04,
                "prenom_retire": 0.05,
                "prenom_ajoute": 0.02,
                "date_presumee": 0.01,
                "date_presumee_etranger": 0.15,
                "annee_seule": 0.02,
                "annee_decalee": 0.02,
                "lieu_departement": 0.05,
                "lieu_sans_code": 0.10,
                "arrondissement_commune": 0.30,
                "ville_autre_nom": 0.20,
                "ville_faute": 0.08,
                "nationalite_pays": 0.05,
                "ne_en_france": 0.05,
                "translitteration_libre": 0.10,
                "particule": 0.15,
                "sexe_errone": 0.01,
            }
        )

    @classmethod
    def profile(cls, name: str) -> ErrorRates:
        """A named profile: ``default`` or ``stress``."""
        if name == "default":
            return cls()
        if name == "stress":
            return cls.stress()
        raise ValueError(f"unknown error profile {name!r} (default, stress)")

    @classmethod
    def from_mapping(
        cls, values: dict[str, float], *, base: ErrorRates | None = None
    ) -> ErrorRates:
        """``base`` (default: the default profile) with the rates of ``values`` changed."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown error rate(s): {', '.join(unknown)}")
        return cls(**{**(base or cls()).as_dict(), **values})
