"""What a ``communes`` release publishes: a COG millésime, in the curated file's layout.

The layout below is the COG file's own (``datasets/cog/communes.csv``): the loader reads it and
the releases write their CSV files in it (former codes back on their commune's line), so that
a downloaded file loads back with ``srj refdata import-cog``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from refdata.communes.models import Commune, CommuneSuccession
from refdata.releases.curated import CuratedDataset, Grouped, ItemKind, table_rows

COLUMNS = (
    "code_insee",
    "nom",
    "type",
    "departement",
    "region",
    "commune_parente",
    "anciens_codes",
    "codes_postaux",
    "population",
    "zone",
)

# CSV header -> published field (``None``: computed by :func:`_former_codes`).
_COMMUNE_FIELDS = {"commune_parente": "parent_code", "anciens_codes": None}


def _former_codes(grouped: Grouped) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """The COG layout lists a commune's absorbed codes on its own line (``a|b``)."""
    olds: dict[str, list[str]] = defaultdict(list)
    for succession in grouped.get("succession", []):
        olds[succession["successor_code"]].append(succession["old_code"])

    def extra(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        if kind != "commune" or fields["type"] != "commune-actuelle":
            return {}
        return {"anciens_codes": "|".join(sorted(olds.get(fields["code_insee"], [])))}

    return extra


COMMUNES = CuratedDataset(
    name="communes",
    kinds=(
        ItemKind(
            "commune",
            ("code_insee", "type"),
            "communes",
            "communes.csv",
            tuple((c, _COMMUNE_FIELDS.get(c, c)) for c in COLUMNS),
        ),
        ItemKind(
            "succession",
            ("old_code", "successor_code"),
            "successions",
            "successions.csv",
            (
                ("old_code", "old_code"),
                ("successor_code", "successor_code"),
                ("valid_from", "valid_from"),
            ),
        ),
    ),
    json_file="communes.json",
    # A COG release publishes the millésime: the open versions, with the millésime each was
    # first observed in (``valid_from``); closed versions belong to earlier releases.
    read_tables=lambda session: {
        "commune": table_rows(session, Commune.__table__, open_only=True),
        "succession": table_rows(session, CommuneSuccession.__table__, open_only=True),
    },
    csv_extra=_former_codes,
)
