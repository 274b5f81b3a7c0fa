"""What a ``courts`` release publishes: court versions and ressorts, in the curated files' layout.

The layout below is the curated files' own (``datasets/courts/``): the loader reads it and the
releases write their CSV files in it, so that a downloaded file loads back with
``srj refdata import-courts``.
"""

from __future__ import annotations

from refdata.courts.models import CourtRessort, CourtVersion
from refdata.releases.curated import CuratedDataset, ItemKind, table_rows

COURTS_FILE = "courts.csv"
RESSORTS_FILE = "ressorts.csv"
COURT_COLUMNS = (
    "id",
    "type",
    "name",
    "seat_code_insee",
    "seat_commune",
    "parent_id",
    "valid_from",
    "valid_to",
    "valid_from_basis",
    "source",
    "note",
)
RESSORT_COLUMNS = (
    "court_id",
    "granularity",
    "code",
    "scope",
    "valid_from",
    "valid_to",
    "valid_from_basis",
    "source",
    "note",
)

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
        "court": table_rows(session, CourtVersion.__table__),
        "ressort": table_rows(session, CourtRessort.__table__),
    },
)
