"""One standardisation, two entry points: a record (online) and a table (batch).

Standardisation is declared once as field groups: each group reads a few input columns and
returns a few features. `standardise_record` runs the groups on one dict; the batch path
(`matching.standardise.batch`) runs the very same functions once per distinct combination
of a group's inputs and spreads the results over the rows. Both therefore give identical
outputs by construction, and a test checks it on generated records.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from matching.standardise.dates import standardise_birth_date
from matching.standardise.names import standardise_given_names, standardise_surnames
from matching.standardise.places import standardise_birthplace
from matching.standardise.sexe import standardise_sexe

# Bump when any output for a given input changes: model artefacts record it, and a model
# trained on one version refuses records standardised by another.
STANDARDISATION_VERSION: Final = "1"

_TEXT = pa.string()
_WORDS = pa.list_(pa.string())
_INT = pa.int32()
_FLAG = pa.bool_()


@dataclass(frozen=True)
class FieldGroup:
    """Features computed from a few columns by one pure function."""

    inputs: tuple[str, ...]
    function: Callable[..., dict[str, object]]
    outputs: tuple[tuple[str, pa.DataType], ...]
    # The same function on whole Arrow columns, for groups whose inputs barely repeat
    # (where computing once per distinct value saves nothing); a test checks both agree.
    vectorised: Callable[..., dict[str, pa.Array]] | None = None


def name_pair_signature(nom_std: str | None, prenoms_cmp: str | None) -> dict[str, object]:
    """``noms_prenoms_sig``: surname and given names as an unordered pair, so a record whose
    clerk swapped nom and prénoms has the same signature as the right one."""
    if not nom_std or not prenoms_cmp:
        return {"noms_prenoms_sig": None}
    return {"noms_prenoms_sig": "|".join(sorted((nom_std, prenoms_cmp)))}


def name_pair_signature_arrow(nom_std: pa.Array, prenoms_cmp: pa.Array) -> dict[str, pa.Array]:
    """`name_pair_signature` on columns: the (surname, given names) pairs are nearly all
    distinct, so the per-distinct-value path would call Python once per record. Arrow
    compares strings byte-wise, which on UTF-8 is Python's code-point order."""
    missing = pc.or_kleene(
        pc.or_kleene(pc.is_null(nom_std), pc.equal(nom_std, "")),
        pc.or_kleene(pc.is_null(prenoms_cmp), pc.equal(prenoms_cmp, "")),
    )
    ordered = pc.less_equal(nom_std, prenoms_cmp)
    signature = pc.if_else(
        ordered,
        pc.binary_join_element_wise(nom_std, prenoms_cmp, "|"),
        pc.binary_join_element_wise(prenoms_cmp, nom_std, "|"),
    )
    return {
        "noms_prenoms_sig": pc.if_else(
            pc.fill_null(missing, True), pa.scalar(None, pa.string()), signature
        )
    }


PASSTHROUGH: Final[tuple[str, ...]] = ("record_id", "source")

# Groups of a stage only read raw canonical columns or outputs of earlier stages.
STAGES: Final[tuple[tuple[FieldGroup, ...], ...]] = (
    (
        FieldGroup(
            ("nom_naissance", "nom_usage", "alias"),
            standardise_surnames,
            (
                ("nom_std", _TEXT),
                ("nom_core", _TEXT),
                ("nom_phon", _TEXT),
                ("nom_usage_std", _TEXT),
                ("noms_std", _WORDS),
                ("noms_phon", _WORDS),
                ("nom_skel", _TEXT),
                ("nom3", _TEXT),
                ("noms4", _WORDS),
            ),
        ),
        FieldGroup(
            ("prenoms",),
            standardise_given_names,
            (
                ("prenom1_std", _TEXT),
                ("prenom1_tok", _TEXT),
                ("prenom1_phon", _TEXT),
                ("prenom1_skel", _TEXT),
                ("prenoms_std", _TEXT),
                ("prenoms_cmp", _TEXT),
                ("prenoms_tokens", _WORDS),
                ("pre3", _TEXT),
            ),
        ),
        FieldGroup(
            ("date_naissance",),
            standardise_birth_date,
            (
                ("dn", _TEXT),
                ("dn_annee", _INT),
                ("dn_mois", _INT),
                ("dn_jour", _INT),
                ("dn_ym", _TEXT),
                ("dn_md", _TEXT),
                ("dn_digits", _TEXT),
                ("dn_swap", _TEXT),
                ("dn_presumee", _FLAG),
                ("dn_precision", _TEXT),
                ("dn_invalide", _FLAG),
            ),
        ),
        FieldGroup(
            (
                "commune_naissance",
                "code_commune_naissance",
                "pays_naissance",
                "code_pays_naissance",
            ),
            standardise_birthplace,
            (
                ("lieu_code", _TEXT),
                ("lieu_dept", _TEXT),
                ("lieu_nom", _TEXT),
                ("lieu_pays", _TEXT),
                ("lieu_etranger", _TEXT),
                ("lieu_code_inconnu", _FLAG),
            ),
        ),
        FieldGroup(("sexe", "civilite"), standardise_sexe, (("sexe_std", _TEXT),)),
    ),
    (
        FieldGroup(
            ("nom_std", "prenoms_cmp"),
            name_pair_signature,
            (("noms_prenoms_sig", _TEXT),),
            vectorised=name_pair_signature_arrow,
        ),
    ),
)

STANDARDISED_SCHEMA: Final = pa.schema(
    [(name, _TEXT) for name in PASSTHROUGH]
    + [field for stage in STAGES for group in stage for field in group.outputs]
)
STANDARDISED_COLUMNS: Final[tuple[str, ...]] = tuple(STANDARDISED_SCHEMA.names)
RAW_INPUT_COLUMNS: Final[tuple[str, ...]] = tuple(
    dict.fromkeys(column for group in STAGES[0] for column in group.inputs)
)


def as_text(value: object) -> str | None:
    """Any input value as the text a clerk typed: None/NaN/"" are missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def standardise_record(record: Mapping[str, object]) -> dict[str, object]:
    """The standardised features of one canonical record (see STANDARDISED_COLUMNS).

    Missing input fields count as empty; no input makes it raise.
    """
    out: dict[str, object] = {name: as_text(record.get(name)) for name in PASSTHROUGH}
    for stage in STAGES:
        for group in stage:
            source = record if stage is STAGES[0] else out
            features = group.function(*(as_text(source.get(c)) for c in group.inputs))
            out.update(features)
    return out
