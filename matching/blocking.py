"""Blocking: which pairs of records are worth scoring.

Every rule is an equality on standardised columns (one of them possibly a list, exploded:
the rule pairs two records when any element agrees). That one form gives two uses:

- Splink blocking rules (`blocking_rules`) for batch prediction;
- string keys (`blocking_keys`) the registry indexes in a table to find the candidates of
  one incoming record: two records share a key exactly when some rule pairs them.

The rules were chosen greedily on the synthetic population (1,023,180 records of 460,000
persons, seed 7): each one catches the true pairs the previous ones miss at the least cost
in comparisons. Figures and the alternatives we measured are in docs/linkage-model.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Final

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator


@dataclass(frozen=True)
class BlockingRule:
    """Records agreeing on every column of ``columns`` are compared."""

    name: str
    columns: tuple[str, ...]
    explode: str | None = None  # a list column of ``columns``: agreeing on any element

    def splink_rule(self) -> BlockingRuleCreator:
        explode = [self.explode] if self.explode else None
        return block_on(*self.columns, arrays_to_explode=explode)

    def keys(self, record: Mapping[str, object]) -> list[str]:
        choices: list[list[str]] = []
        for column in self.columns:
            value = record.get(column)
            if column == self.explode:
                items = value if isinstance(value, list | tuple) else []
                values = list(dict.fromkeys(str(v) for v in items if v is not None and v != ""))
            else:
                values = [] if value is None or value == "" else [str(value)]
            if not values:
                return []
            choices.append(values)
        return [f"{self.name}:" + "|".join(parts) for parts in product(*choices)]


# Order matters for Splink only in how pairs are attributed to rules (a pair is scored once,
# under the first rule that finds it); the set of compared pairs is the union.
BLOCKING_RULES: Final[tuple[BlockingRule, ...]] = (
    # Given name's first letters + day and month of birth + commune: survives surname
    # errors, year typos and married names.
    BlockingRule("pre3_md_lieu", ("pre3", "dn_md", "lieu_code")),
    # Full date + first letters of the surname: survives given-name errors.
    BlockingRule("dn_nom3", ("dn", "nom3")),
    # Surname and given names as an unordered pair: survives date errors and nom/prénoms
    # inversions.
    BlockingRule("sig_noms_prenoms", ("noms_prenoms_sig",)),
    # Full date + birthplace name (commune or foreign city): survives two name errors.
    BlockingRule("dn_lieu", ("dn", "lieu_nom")),
    # Any surname (naissance, usage, alias) + commune code: married names, date errors.
    BlockingRule("noms_lieu", ("noms_std", "lieu_code"), explode="noms_std"),
    # All given names + day and month: survives surname errors and year typos.
    BlockingRule("prenoms_md", ("prenoms_cmp", "dn_md")),
    # All given names + birthplace name: survives surname and date errors.
    BlockingRule("prenoms_lieu", ("prenoms_cmp", "lieu_nom")),
    # Any surname's first four letters + given name's first three + year of birth.
    BlockingRule("noms4_pre3_annee", ("noms4", "pre3", "dn_annee"), explode="noms4"),
)


def blocking_rules(rules: Sequence[BlockingRule] = BLOCKING_RULES) -> list[BlockingRuleCreator]:
    """The Splink blocking rules for prediction."""
    return [rule.splink_rule() for rule in rules]


def blocking_keys(
    record: Mapping[str, object], rules: Sequence[BlockingRule] = BLOCKING_RULES
) -> list[str]:
    """The blocking keys of one standardised record (``rule:value|value``), deduplicated.

    Two records share a key if and only if some blocking rule pairs them.
    """
    keys: list[str] = []
    for rule in rules:
        keys.extend(rule.keys(record))
    return list(dict.fromkeys(keys))
