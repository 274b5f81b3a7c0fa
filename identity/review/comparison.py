"""What a reviewer compares: the two identities field by field, and the model's reasons.

Pure functions, no database: the service hands them the traits (as received) and the
standardised matching keys of the two records, and the per-comparison weights stored with the
suggestion.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from identity.review.schemas import Contribution, FieldComparison


@dataclass(frozen=True)
class FieldSpec:
    field: str
    label: str  # French: the pages speak French
    raw: tuple[str, ...]  # trait names shown as received
    standardised: tuple[str, ...]  # matching keys compared (first present wins)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("nom_naissance", "Nom de naissance", ("nom_naissance",), ("nom_std",)),
    FieldSpec("nom_usage", "Nom d'usage", ("nom_usage",), ("nom_usage_std",)),
    FieldSpec("prenoms", "Prénoms", ("prenoms",), ("prenoms_std",)),
    FieldSpec("alias", "Alias", ("alias",), ()),
    FieldSpec("civilite", "Civilité", ("civilite",), ()),
    FieldSpec("sexe", "Sexe", ("sexe",), ("sexe_std",)),
    FieldSpec("date_naissance", "Date de naissance", ("date_naissance",), ("dn",)),
    FieldSpec(
        "lieu_naissance",
        "Commune de naissance",
        ("commune_naissance", "code_commune_naissance"),
        ("lieu_code", "lieu_nom"),
    ),
    FieldSpec("pays_naissance", "Pays de naissance", ("pays_naissance", "code_pays_naissance"), ()),
    FieldSpec("nationalite", "Nationalité", ("nationalite",), ()),
    FieldSpec("date_deces", "Date de décès", ("date_deces",), ()),
)

# Name fields compared across each other: a clerk may type the nom d'usage as the nom de
# naissance, or use an alias.
NAME_FIELDS = ("nom_naissance", "nom_usage", "alias")
NAME_KEYS = {"nom_naissance": "nom_std", "nom_usage": "nom_usage_std", "alias": None}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value if v)
    text = str(value).strip()
    return text or None


def _fold(text: str | None) -> str | None:
    """Case, accents, punctuation and spacing removed: how a reviewer reads "the same"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if c.isalnum())
    return kept or None


def _joined(source: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    parts = [t for t in (_text(source.get(n)) for n in names) if t]
    if not parts:
        return None
    if len(parts) == 2 and parts[1].isdigit():  # "Lyon (69383)"
        return f"{parts[0]} ({parts[1]})"
    return " ".join(parts)


def _first(source: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = _text(source.get(name))
        if value:
            return value
    return None


def compare_fields(
    left_traits: Mapping[str, Any],
    right_traits: Mapping[str, Any],
    left_std: Mapping[str, Any],
    right_std: Mapping[str, Any],
) -> list[FieldComparison]:
    """Each field side by side, with whether it agrees.

    The standardised keys decide when both sides have them (they are what the model compared),
    else the folded raw values do. A name found in another name field of the other side (nom
    d'usage typed as nom de naissance, an alias, nom and prénoms swapped) is a ``cross``
    agreement.
    """
    # A clerk may also swap nom and prénoms: every name field is checked against the other
    # side's names and given names.
    crossable = (*NAME_FIELDS, "prenoms")
    left_names = {_fold(_first(left_traits, (f,))) for f in crossable} - {None}
    right_names = {_fold(_first(right_traits, (f,))) for f in crossable} - {None}
    rows = []
    for spec in FIELDS:
        left_raw, right_raw = _joined(left_traits, spec.raw), _joined(right_traits, spec.raw)
        left_key, right_key = (
            _first(left_std, spec.standardised),
            _first(right_std, spec.standardised),
        )
        if left_key is not None and right_key is not None:
            a, b = _fold(left_key), _fold(right_key)
        else:
            a, b = _fold(left_raw), _fold(right_raw)
        if a is None or b is None:
            crossed = spec.field in crossable and (
                (_fold(left_raw) or "") in right_names or (_fold(right_raw) or "") in left_names
            )
            agreement = "cross" if crossed else "missing"
        elif a == b:
            agreement = "agree"
        elif spec.field in crossable and (
            _fold(left_raw) in right_names or _fold(right_raw) in left_names
        ):
            agreement = "cross"
        else:
            agreement = "differ"
        note = None
        if agreement == "differ" and len(spec.raw) == 2:
            note = _code_note(left_traits, right_traits, spec.raw)
            if note is not None:
                agreement = "code_differs"
        rows.append(
            FieldComparison(
                field=spec.field,
                label=spec.label,
                left=left_raw,
                right=right_raw,
                left_standardised=left_key,
                right_standardised=right_key,
                agreement=agreement,
                note=note,
            )
        )
    return rows


def _code_note(
    left: Mapping[str, Any], right: Mapping[str, Any], names: tuple[str, ...]
) -> str | None:
    """``RUSSIE (99123)`` against ``RUSSIE (99122)``: the names agree, the codes do not. Says
    so, since "diffère" alone hides that one of the codes is probably mistyped."""
    label, code = names
    left_label, right_label = _text(left.get(label)), _text(right.get(label))
    left_code, right_code = _text(left.get(code)), _text(right.get(code))
    if not (left_label and right_label and left_code and right_code):
        return None
    if _fold(left_label) != _fold(right_label) or _fold(left_code) == _fold(right_code):
        return None
    return (
        f"même libellé « {left_label} », codes différents : {left_code} et {right_code} "
        "(l'un des deux codes est peut-être mal saisi)"
    )


def parse_contributions(raw: Any) -> list[Contribution]:
    """Per-comparison weights as the registry stored them, whatever shape the scorer gave:
    ``{comparison: weight}``, ``{comparison: [level label, weight]}`` or
    ``{comparison: {"label": ..., "weight": ...}}`` (or a list of such objects)."""
    items: list[tuple[str, Any]]
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [
            (str(x.get("comparison") or x.get("name") or i), x)
            for i, x in enumerate(raw)
            if isinstance(x, Mapping)
        ]
    else:
        return []
    out = []
    for name, value in items:
        level: str | None = None
        weight: Any = value
        if isinstance(value, Mapping):
            level = _text(value.get("label") or value.get("level"))
            weight = value.get("weight", value.get("match_weight"))
        elif isinstance(value, list | tuple) and len(value) == 2:
            first, second = value
            if isinstance(first, str):
                level, weight = first, second
            else:
                weight, level = first, _text(second)
        try:
            number = float(weight)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            out.append(Contribution(comparison=str(name), level=level, weight=number))
    return out


def prior_weight(total: float, contributions: list[Contribution]) -> float:
    """What the comparisons do not explain: the prior (log2 of the prior odds of a match)."""
    return total - sum(c.weight for c in contributions)
