"""The linkage model's comparisons, declared in one place.

Five comparisons, each an ordered list of levels (the first level whose condition holds
wins, as in Splink). They read the standardised columns of `matching.standardise` and
understand the entry errors of French justice records:

- surnames: exact, then across nom de naissance / nom d'usage / alias, without particles,
  one typo, same sound, two typos, same consonant skeleton, swapped with the given names;
- given names: all identical, first identical, first word of a compound, one typo, same
  sound, truncated list, same skeleton, two typos, swapped with the surname, another given
  name in common;
- date of birth: exact (a presumed 1 January / 31 December date apart), day and month
  swapped, one digit wrong, compatible partial dates;
- birthplace: same commune, same name where a code is missing, same département, different
  communes, same foreign country, same city with another country code, same country with an
  incomplete birthplace;
- sexe.

Beyond Splink's independence assumption (docs/linkage-model.md, "Going beyond plain
Splink"): levels with a ``fixed_weight`` fire when a discriminating trait disagrees while
everything else agrees (twins, namesakes, parents and children with the same names) and
weigh as rules, not as EM estimates; levels with an ``m_max`` bound an m that EM
over-estimates because relatives sit in its training blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from matching.model.expressions import (
    And,
    Else,
    Eq,
    Expr,
    IsTrue,
    Lev,
    MinLength,
    Missing,
    Not,
    Or,
    Overlap,
    Prefix,
    from_json,
)


@dataclass(frozen=True)
class LevelSpec:
    """One comparison level: a condition, with its trained parameters once trained."""

    label: str
    condition: Expr
    null_level: bool = False
    tf_column: str | None = None
    # A rule rather than an estimate: m and u are fixed so the level weighs exactly this.
    fixed_weight: float | None = None
    # Bounds on m where EM is unreliable (relatives in its blocks; see the module docstring).
    m_min: float | None = None
    m_max: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "condition": self.condition.to_json(),
            "null_level": self.null_level,
            "tf_column": self.tf_column,
            "fixed_weight": self.fixed_weight,
            "m_min": self.m_min,
            "m_max": self.m_max,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LevelSpec:
        return cls(
            label=str(data["label"]),
            condition=from_json(data["condition"]),
            null_level=bool(data.get("null_level", False)),
            tf_column=data.get("tf_column"),
            fixed_weight=None if data.get("fixed_weight") is None else float(data["fixed_weight"]),
            m_min=None if data.get("m_min") is None else float(data["m_min"]),
            m_max=None if data.get("m_max") is None else float(data["m_max"]),
        )


@dataclass(frozen=True)
class ComparisonSpec:
    """A comparison: its output column name and its ordered levels."""

    name: str
    description: str
    levels: tuple[LevelSpec, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "levels": [level.to_json() for level in self.levels],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ComparisonSpec:
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            levels=tuple(LevelSpec.from_json(level) for level in data["levels"]),
        )


# Nom and prénoms swapped by the clerk: each record's surname is the other's given names
# (up to a typo, or to given names cut to the first one).
_INVERTED = And(
    (
        Or(
            (
                Lev("nom_std", 1, "prenoms_cmp"),
                Eq("nom_std", "prenom1_std"),
                Prefix("nom_std", 4, "prenoms_cmp"),
            )
        ),
        Or(
            (
                Lev("prenoms_cmp", 1, "nom_std"),
                Eq("prenom1_std", "nom_std"),
                Prefix("prenoms_cmp", 4, "nom_std"),
            )
        ),
    )
)
# One wrong digit in YYYYMMDD changes one part of the date: the other two agree. Testing
# that first (integer equalities) spares most pairs the string distance; the level means
# exactly "Levenshtein distance 1 between the two full dates".
_ONE_DIGIT_OFF = And(
    (
        Or(
            (
                And((Eq("dn_annee"), Eq("dn_mois"))),
                And((Eq("dn_annee"), Eq("dn_jour"))),
                And((Eq("dn_mois"), Eq("dn_jour"))),
            )
        ),
        Lev("dn_digits", 1),
    )
)
# Exactly one of the two was born abroad (both countries known).
_ONE_ABROAD = And(
    (Not(Missing("lieu_pays")), Missing("lieu_etranger"), Not(Missing("lieu_etranger", "both")))
)
_COUNTRIES_DIFFER = And((Not(Eq("lieu_pays")), Not(Missing("lieu_pays"))))

# What relatives share. When all of it agrees, the remaining trait decides between one
# person and twins, siblings or a namesake: see the fixed-weight levels below. These read
# columns that the EM training blocks (dn; nom_std and prenom1_std) do not, because Splink's
# EM leaves out of a session every comparison that reads a column of its blocking rule.
_SAME_NOM = Overlap("noms_std")
_SAME_PRENOM = Or((Eq("prenom1_tok"), Eq("prenoms_cmp")))
_SAME_DATE = Eq("dn_digits")
_SAME_LIEU = Or((Eq("lieu_code"), Eq("lieu_nom"), Eq("lieu_etranger")))

# The weight of a disagreement that, with everything else equal, proves two persons:
# -40 bits outweighs any agreement of the other traits (at most about +70 bits for the
# rarest names at 10 million records), -25 sends the pair to review at worst.
PROOF_OF_DIFFERENT_PERSONS: Final = -40.0
STRONG_EVIDENCE_OF_DIFFERENT_PERSONS: Final = -25.0
# EM learns the m of "dates différentes" from pairs sharing surname and given names, among
# which sit parents and children and namesakes: on the synthetic population it found from
# 0.0001% to 2.8% depending on the other levels, where the truth is 0.06%. Two unrelated
# full dates for one person (a swap plus a typo, a date keyed from another file) happen
# between once in 2,000 and once in 500 pairs, hence the bounds below.

NOM = ComparisonSpec(
    "nom",
    "Surnames: nom de naissance, nom d'usage and aliases compared across each other",
    (
        LevelSpec("nom absent", Missing("nom_std"), null_level=True),
        LevelSpec("nom identique", Eq("nom_std"), tf_column="nom_std"),
        LevelSpec("nom de naissance / d'usage / alias en commun", Overlap("noms_std")),
        LevelSpec("nom identique sans particule", Eq("nom_core")),
        LevelSpec("nom à une faute près", Lev("nom_std", 1)),
        LevelSpec("nom de même son", Overlap("noms_phon")),
        LevelSpec("nom à deux fautes près", And((Lev("nom_std", 2), MinLength("nom_std", 5)))),
        LevelSpec("nom de même squelette consonantique", Eq("nom_skel")),
        LevelSpec("nom et prénoms inversés", _INVERTED),
        LevelSpec("noms différents", Else()),
    ),
)

PRENOMS = ComparisonSpec(
    "prenoms",
    "Given names in civil order: all, the first, any in common",
    (
        LevelSpec("prénoms absents", Missing("prenoms_cmp"), null_level=True),
        LevelSpec("prénoms identiques", Eq("prenoms_cmp"), tf_column="prenom1_std"),
        LevelSpec("premier prénom identique", Eq("prenom1_std"), tf_column="prenom1_std"),
        LevelSpec("premier mot du premier prénom identique", Eq("prenom1_tok")),
        LevelSpec("premier prénom à une faute près", Lev("prenom1_std", 1)),
        LevelSpec("premier prénom de même son", Eq("prenom1_phon")),
        LevelSpec("prénoms tronqués (l'un commence l'autre)", Prefix("prenoms_cmp", 4)),
        LevelSpec("premier prénom de même squelette consonantique", Eq("prenom1_skel")),
        LevelSpec(
            "premier prénom à deux fautes près",
            And((Lev("prenom1_std", 2), MinLength("prenom1_std", 4))),
        ),
        LevelSpec(
            "prénoms à deux fautes près",
            And((Lev("prenoms_cmp", 2), MinLength("prenoms_cmp", 6))),
        ),
        LevelSpec(
            "premier mot à deux fautes près",
            And((Lev("prenom1_tok", 2), MinLength("prenom1_tok", 4))),
        ),
        # The surname comparison already counts the inversion (both fields at once).
        LevelSpec("nom et prénoms inversés", _INVERTED, fixed_weight=0.0),
        LevelSpec(
            "premiers prénoms différents, même nom, date et lieu (jumeaux, fratrie)",
            And((_SAME_NOM, _SAME_DATE, _SAME_LIEU)),
            fixed_weight=PROOF_OF_DIFFERENT_PERSONS,
        ),
        LevelSpec("un autre prénom en commun", Overlap("prenoms_tokens")),
        LevelSpec("prénoms différents", Else()),
    ),
)

DATE_NAISSANCE = ComparisonSpec(
    "date_naissance",
    "Date of birth: exact, presumed, swapped, one digit, partial",
    (
        LevelSpec("date absente", Missing("dn_annee"), null_level=True),
        LevelSpec(
            "date identique présumée (1er janvier, 31 décembre)",
            And((Eq("dn"), IsTrue("dn_presumee", "l"))),
        ),
        LevelSpec("date identique", Eq("dn")),
        LevelSpec("jour et mois inversés", Eq("dn", "dn_swap")),
        LevelSpec("date à un chiffre près", _ONE_DIGIT_OFF),
        LevelSpec("même mois, date partielle", And((Eq("dn_ym"), Missing("dn")))),
        LevelSpec("même année, date partielle", And((Eq("dn_annee"), Missing("dn_mois")))),
        LevelSpec(
            "dates différentes, même nom, prénom et lieu (homonymes)",
            And((Not(Missing("dn")), _SAME_NOM, _SAME_PRENOM, _SAME_LIEU)),
            fixed_weight=STRONG_EVIDENCE_OF_DIFFERENT_PERSONS,
        ),
        LevelSpec("dates différentes", Else(), m_min=5e-4, m_max=2e-3),
    ),
)

LIEU_NAISSANCE = ComparisonSpec(
    "lieu_naissance",
    "Birthplace: commune code, then name, département, country",
    (
        LevelSpec(
            "lieu absent",
            Or(
                (
                    And((Missing("lieu_pays", "l"), Missing("lieu_nom", "l"))),
                    And((Missing("lieu_pays", "r"), Missing("lieu_nom", "r"))),
                )
            ),
            null_level=True,
        ),
        LevelSpec("même commune", Eq("lieu_code"), tf_column="lieu_code"),
        LevelSpec(
            "même nom de lieu (code absent)",
            And((Eq("lieu_nom"), Missing("lieu_code"), Not(_COUNTRIES_DIFFER))),
            tf_column="lieu_nom",
        ),
        LevelSpec("même département", Eq("lieu_dept")),
        LevelSpec(
            "lieux différents (France), même nom, prénom et date (homonymes)",
            And(
                (
                    Or((Not(Missing("lieu_code")), _ONE_ABROAD)),
                    _SAME_NOM,
                    _SAME_PRENOM,
                    _SAME_DATE,
                )
            ),
            fixed_weight=STRONG_EVIDENCE_OF_DIFFERENT_PERSONS,
        ),
        LevelSpec("communes différentes", Not(Missing("lieu_code"))),
        LevelSpec("même pays étranger", Eq("lieu_etranger"), tf_column="lieu_etranger"),
        LevelSpec("même ville, autre code pays", Eq("lieu_nom")),
        LevelSpec("même pays, lieu incomplet", And((Eq("lieu_pays"), Missing("lieu_nom")))),
        LevelSpec("lieux différents", Else()),
    ),
)

SEXE = ComparisonSpec(
    "sexe",
    "Sexe (from the sexe field or the civilité)",
    (
        LevelSpec("sexe absent", Missing("sexe_std"), null_level=True),
        LevelSpec("même sexe", Eq("sexe_std")),
        LevelSpec(
            "sexes différents, même nom, date et lieu (jumeaux)",
            And((_SAME_NOM, _SAME_DATE, _SAME_LIEU)),
            fixed_weight=STRONG_EVIDENCE_OF_DIFFERENT_PERSONS,
        ),
        LevelSpec("sexes différents", Else()),
    ),
)

COMPARISONS: Final[tuple[ComparisonSpec, ...]] = (
    NOM,
    PRENOMS,
    DATE_NAISSANCE,
    LIEU_NAISSANCE,
    SEXE,
)
