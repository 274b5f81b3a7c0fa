"""Decision thresholds and the prior that makes them mean the same at any size.

``auto_link`` and ``review`` are match probabilities: a pair at or above ``auto_link`` is
linked automatically; between ``review`` and ``auto_link`` it goes to a human; below, the
records are different persons.

A probability only means the same at 10x the records if the prior does. Splink's prior is
the probability that two records drawn at random match, which falls as 1/N when N grows
(each record has about the same number of records of its own person, among ever more
others). We therefore keep, from training, the expected number of other records of the same
person per record (``matches_per_record``) and set the prior for N records to
``matches_per_record / (N - 1)``: a threshold tuned on an extract keeps its precision on the
full file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

# Defaults chosen from the threshold sweep of the linkage benchmark (docs/linkage-model.md,
# "Thresholds"); configuration may override them per deployment. Measured at 1M records
# (seed 1, docs/benchmarks.md): 0.995 is the lowest auto-link threshold whose false-link rate
# stays under a quarter of the target's (precision 99.988 %); at 0.999 the review band held
# 2.3 % of the records (target <= 2 %) for +0.005 point of precision. Review at 0.5: recall
# 99.868 % with a review band of 1.37 %.
DEFAULT_AUTO_LINK: Final = 0.995
DEFAULT_REVIEW: Final = 0.5


def probability_to_weight(probability: float) -> float:
    """Match weight (log2 odds) of a probability, as Splink computes it."""
    if probability >= 1.0:
        return math.inf
    if probability <= 0.0:
        return -math.inf
    return math.log2(probability / (1.0 - probability))


def weight_to_probability(weight: float) -> float:
    """Match probability of a weight, with Splink's numerically stable formula."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0 ** (-weight))
    odds = 2.0**weight
    return odds / (1.0 + odds)


@dataclass(frozen=True)
class Thresholds:
    """``auto_link`` and ``review`` match probabilities (0 < review <= auto_link < 1)."""

    auto_link: float = DEFAULT_AUTO_LINK
    review: float = DEFAULT_REVIEW

    def __post_init__(self) -> None:
        for name in ("auto_link", "review"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 < float(value) < 1.0:
                raise ValueError(f"threshold {name}={value!r} must be a probability in ]0, 1[")
        if self.review > self.auto_link:
            raise ValueError(
                f"review threshold {self.review} must not exceed auto_link {self.auto_link}"
            )

    @property
    def auto_link_weight(self) -> float:
        return probability_to_weight(self.auto_link)

    @property
    def review_weight(self) -> float:
        return probability_to_weight(self.review)

    def decision(self, probability: float) -> str:
        """``link``, ``review`` or ``distinct`` for a pair's match probability."""
        if probability >= self.auto_link:
            return "link"
        if probability >= self.review:
            return "review"
        return "distinct"

    def to_json(self) -> dict[str, Any]:
        return {"auto_link": self.auto_link, "review": self.review}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thresholds:
        return cls(auto_link=float(data["auto_link"]), review=float(data["review"]))


def prior_for_population(matches_per_record: float, population_size: int) -> float:
    """Probability that two random records of a population of N match."""
    if population_size < 2:
        return 0.5
    return min(0.5, matches_per_record / (population_size - 1))
