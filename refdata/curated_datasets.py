"""What the releases of ``courts``, ``tariffs`` and ``communes`` publish, and how.

One :class:`~refdata.curated_releases.CuratedDataset` per dataset: its item kinds (one per
table) keyed by the table's natural key, the CSV layout of each kind — the curated file's own
layout, so that a downloaded file loads back with the same ``srj refdata import-...`` — and
how to read the items from the tables. The loaders call :func:`publish_dataset` after their
sync; ``refdata.diffs`` and ``refdata.downloads`` read :data:`CURATED_DATASETS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from refdata.communes.loader import COLUMNS as COG_COLUMNS
from refdata.communes.models import Commune, CommuneSuccession
from refdata.courts.loader import COURT_COLUMNS, COURTS_FILE, RESSORT_COLUMNS, RESSORTS_FILE
from refdata.courts.models import CourtRessort, CourtVersion
from refdata.curated_releases import (
    CuratedDataset,
    Grouped,
    ItemKind,
    SourceFiles,
    json_value,
    publish,
)
from refdata.releases import ImportSummary
from refdata.storage import BulkStore
from refdata.tariffs.loader import FILES as TARIFF_FILES
from refdata.tariffs.loader import TABLES as TARIFF_TABLES


def _rows(session: Session, table: Any, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Every row of ``table`` as published fields: all columns but the surrogate ``id`` (and
    ``valid_to`` for tables whose releases publish only the open versions)."""
    assert isinstance(table, Table)
    columns = [c for c in table.c if c.name != "id" and not (open_only and c.name == "valid_to")]
    query = select(*columns)
    if open_only:
        query = query.where(table.c.valid_to.is_(None))
    return [
        {name: json_value(value) for name, value in row._mapping.items()}
        for row in session.execute(query)
    ]


# --- courts -----------------------------------------------------------------------------------

COURTS = CuratedDataset(
    name="courts",
    kinds=(
        ItemKind(
            "court",
            ("court_id", "valid_from"),
            "courts",
            COURTS_FILE,
            tuple((c, "court_id" if c == "id" else c) for c in COURT_COLUMNS),
        ),
        ItemKind(
            "ressort",
            ("court_id", "granularity", "code", "scope", "valid_from"),
            "ressorts",
            RESSORTS_FILE,
            tuple((c, c) for c in RESSORT_COLUMNS),
        ),
    ),
    json_file="courts.json",
    read_tables=lambda session: {
        "court": _rows(session, CourtVersion.__table__),
        "ressort": _rows(session, CourtRessort.__table__),
    },
)

# --- tariffs ----------------------------------------------------------------------------------

# Table of the loader -> item kind.
_TARIFF_KINDS = {
    "fixed_fines": "fixed_fine",
    "max_fines": "max_fine",
    "child_support_rates": "child_support_rate",
    "minimum_vital": "minimum_vital",
}
TARIFFS = CuratedDataset(
    name="tariffs",
    kinds=tuple(
        ItemKind(
            kind,
            TARIFF_TABLES[table].key,
            table,
            TARIFF_FILES[table],
            tuple((c, "category" if c == "categorie" else c) for c in TARIFF_TABLES[table].columns),
        )
        for table, kind in _TARIFF_KINDS.items()
    ),
    json_file="tariffs.json",
    read_tables=lambda session: {
        kind: _rows(session, TARIFF_TABLES[table].model.__table__)
        for table, kind in _TARIFF_KINDS.items()
    },
)

# --- communes ---------------------------------------------------------------------------------

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
            tuple((c, _COMMUNE_FIELDS.get(c, c)) for c in COG_COLUMNS),
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
        "commune": _rows(session, Commune.__table__, open_only=True),
        "succession": _rows(session, CommuneSuccession.__table__, open_only=True),
    },
    csv_extra=_former_codes,
)

CURATED_DATASETS: dict[str, CuratedDataset] = {d.name: d for d in (COURTS, TARIFFS, COMMUNES)}


def publish_dataset(
    session: Session,
    name: str,
    *,
    sources: SourceFiles,
    store: BulkStore | None,
    published_on: date | None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    from refdata.offences import today

    return publish(
        session,
        CURATED_DATASETS[name],
        sources=sources,
        store=store,
        published_on=published_on or today(),
        details=details,
        now=now,
    )
