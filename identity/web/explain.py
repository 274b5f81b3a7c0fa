"""The model's reasons in plain French, for a magistrate rather than a statistician.

The main view of a suggestion says in words what brings the two records together, what sets
them apart and what is missing, which way the model leans, and how strong each clue is on an
ordinal scale. The figures behind it (weights in bits, the prior, the model's version) stay in
a details panel for specialists.

The strength scale reads a clue's weight ``w`` (log2 of its likelihood ratio, as the model
computes it) as the factor ``2^|w|`` by which it multiplies the odds, in steps of ten:

=============  ===========  ==========================
``|w|`` (bit)  factor       strength
=============  ===========  ==========================
< 1            < 2          négligeable
1 – 3.3        2 – 10       faible
3.3 – 6.6      10 – 100     moyen
6.6 – 10       100 – 1,000  fort
>= 10          > 1,000      très fort
=============  ===========  ==========================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from identity.review.schemas import Contribution, FieldComparison
from identity.web.formatting import comparison_label

# Upper bounds (bits) of the strength levels 0..3; level 4 is everything above.
STRENGTH_BOUNDS: Final = (1.0, 3.3, 6.6, 10.0)
STRENGTH_WORDS: Final = ("négligeable", "faible", "moyen", "fort", "très fort")

# Which of the model's comparisons weighs each compared field (matching.model.comparisons).
FIELD_COMPARISON: Final = {
    "nom_naissance": "nom",
    "nom_usage": "nom",
    "alias": "nom",
    "prenoms": "prenoms",
    "date_naissance": "date_naissance",
    "lieu_naissance": "lieu_naissance",
    "pays_naissance": "lieu_naissance",
    "sexe": "sexe",
    "civilite": "sexe",
}

# (agreeing, differing, name of the field) as a sentence says them.
FIELD_PHRASES: Final = {
    "nom_naissance": ("même nom de naissance", "noms de naissance différents", "nom de naissance"),
    "nom_usage": ("même nom d'usage", "noms d'usage différents", "nom d'usage"),
    "prenoms": ("mêmes prénoms", "prénoms différents", "prénoms"),
    "alias": ("même alias", "alias différents", "alias"),
    "civilite": ("même civilité", "civilités différentes", "civilité"),
    "sexe": ("même sexe", "sexes différents", "sexe"),
    "date_naissance": (
        "même date de naissance",
        "dates de naissance différentes",
        "date de naissance",
    ),
    "lieu_naissance": (
        "même commune de naissance",
        "communes de naissance différentes",
        "commune de naissance",
    ),
    "pays_naissance": (
        "même pays de naissance",
        "pays de naissance différents",
        "pays de naissance",
    ),
    "nationalite": ("même nationalité", "nationalités différentes", "nationalité"),
    "date_deces": ("même date de décès", "dates de décès différentes", "date de décès"),
}


@dataclass(frozen=True)
class Strength:
    level: int  # 0 (négligeable) .. 4 (très fort)
    words: str
    direction: str  # "pour", "contre" or "neutre"

    @property
    def sentence(self) -> str:
        if self.direction == "neutre":
            return "indice négligeable"
        side = "la même personne" if self.direction == "pour" else "deux personnes différentes"
        return f"indice {self.words} en faveur de {side}"


@dataclass(frozen=True)
class Clue:
    comparison: str
    level: str | None
    strength: Strength


@dataclass(frozen=True)
class Explanation:
    verdict: str
    together: list[str]  # what brings the two records together
    apart: list[str]  # what sets them apart
    missing: list[str]  # what one of the records lacks
    clues: list[Clue]


def strength(weight: float) -> Strength:
    size = abs(weight)
    level = next((i for i, bound in enumerate(STRENGTH_BOUNDS) if size < bound), 4)
    if level == 0:
        return Strength(0, STRENGTH_WORDS[0], "neutre")
    return Strength(level, STRENGTH_WORDS[level], "pour" if weight > 0 else "contre")


def verdict(probability: float) -> str:
    if probability >= 0.95:
        return (
            "Le modèle penche nettement pour la même personne, sans la certitude qu'il lui "
            "faut pour rattacher seul."
        )
    if probability >= 0.65:
        return "Le modèle penche pour la même personne, sans certitude."
    if probability > 0.35:
        return "Le modèle ne sait pas trancher : les indices se contredisent."
    if probability > 0.05:
        return "Le modèle penche pour deux personnes différentes, sans certitude."
    return "Le modèle penche nettement pour deux personnes différentes."


def explain(
    probability: float,
    rows: Sequence[FieldComparison],
    contributions: Sequence[Contribution],
) -> Explanation:
    together, apart, missing = [], [], []
    for row in rows:
        agree, differ, name = FIELD_PHRASES.get(
            row.field, (f"même {row.label.lower()}", f"{row.label.lower()} différents", row.label)
        )
        if row.agreement == "agree":
            together.append(agree)
        elif row.agreement == "cross":
            together.append(f"{name} : retrouvé dans un autre champ de nom")
        elif row.agreement == "code_differs":
            apart.append(f"{name} : même libellé mais codes différents")
        elif row.agreement == "differ":
            apart.append(differ)
        elif (row.left is None) != (row.right is None):
            missing.append(f"{name} absent d'une des deux fiches")
    clues = [Clue(c.comparison, c.level, strength(c.weight)) for c in contributions]
    return Explanation(verdict(probability), together, apart, missing, clues)


def weighing_of(row: FieldComparison, contributions: Sequence[Contribution]) -> str | None:
    """How the model weighed a field, in words (shown under a field whose codes differ)."""
    name = FIELD_COMPARISON.get(row.field)
    if name is None:
        return "Le modèle ne compare pas ce champ."
    found = next((c for c in contributions if c.comparison == name), None)
    if found is None:
        return None
    level = f", niveau « {found.level} »" if found.level else ""
    return (
        f"Le modèle l'a pesé dans son critère « {comparison_label(name).lower()} »{level} : "
        f"{strength(found.weight).sentence}."
    )
