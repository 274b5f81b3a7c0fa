"""What a ``tariffs`` release publishes: the four tariff tables, in the curated files' layout.

The layout below is the curated files' own (``datasets/tariffs/``): the loader reads it and
the releases write their CSV files in it, so that a downloaded file loads back with
``srj refdata import-tariffs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refdata.releases.curated import CuratedDataset, ItemKind, table_rows
from refdata.tariffs.models import ChildSupportRate, FixedFine, MaxFine, MinimumVital

_PROVENANCE = (
    "valid_from",
    "valid_to",
    "valid_from_basis",
    "status",
    "legal_source",
    "provenance",
    "note",
)


@dataclass(frozen=True)
class TableLayout:
    """One tariff table as its curated file and its releases lay it out."""

    model: Any
    kind: str  # the item kind its releases publish: "fixed_fine"
    file: str
    key: tuple[str, ...]  # natural key (fields of the model)
    columns: tuple[str, ...]  # header of the file, in order


LAYOUTS: dict[str, TableLayout] = {
    "fixed_fines": TableLayout(
        FixedFine,
        "fixed_fine",
        "amendes_forfaitaires.csv",
        ("classe", "category", "kind", "valid_from"),
        ("classe", "categorie", "kind", "amount_eur", *_PROVENANCE),
    ),
    "max_fines": TableLayout(
        MaxFine,
        "max_fine",
        "amendes_maximales.csv",
        ("classe", "valid_from"),
        ("classe", "amount_eur", "recidivism_amount_eur", *_PROVENANCE),
    ),
    "child_support_rates": TableLayout(
        ChildSupportRate,
        "child_support_rate",
        "pension_alimentaire_taux.csv",
        ("scale", "children", "custody", "valid_from"),
        ("scale", "children", "custody", "rate_percent", *_PROVENANCE),
    ),
    "minimum_vital": TableLayout(
        MinimumVital,
        "minimum_vital",
        "minimum_vital.csv",
        ("valid_from",),
        ("amount_eur", *_PROVENANCE),
    ),
}
# Table -> its curated file.
FILES = {name: layout.file for name, layout in LAYOUTS.items()}

TARIFFS = CuratedDataset(
    name="tariffs",
    kinds=tuple(
        ItemKind(
            layout.kind,
            layout.key,
            table,
            layout.file,
            tuple((c, "category" if c == "categorie" else c) for c in layout.columns),
        )
        for table, layout in LAYOUTS.items()
    ),
    json_file="tariffs.json",
    read_tables=lambda session: {
        layout.kind: table_rows(session, layout.model.__table__) for layout in LAYOUTS.values()
    },
)
