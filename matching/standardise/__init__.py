"""French standardisation of identity traits, before blocking and comparison.

Two entry points with identical outputs:

- `standardise_record(dict) -> dict` for one record (the registry's online path);
- `standardise_table(pa.Table | duckdb relation) -> pa.Table` for a batch.

The outputs (`STANDARDISED_COLUMNS`) are what the blocking rules, the Splink model and the
online scorer read; the registry stores them as the record's matching keys.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from matching.standardise.batch import standardise_arrow
from matching.standardise.dates import standardise_birth_date
from matching.standardise.names import standardise_given_names, standardise_surnames
from matching.standardise.phonetic import phonex
from matching.standardise.places import standardise_birthplace
from matching.standardise.record import (
    RAW_INPUT_COLUMNS,
    STANDARDISATION_VERSION,
    STANDARDISED_COLUMNS,
    STANDARDISED_SCHEMA,
    standardise_record,
)
from matching.standardise.sexe import standardise_sexe


def is_standardised(table: pa.Table) -> bool:
    """Whether a table already carries every standardised column."""
    return all(name in table.column_names for name in STANDARDISED_COLUMNS)


def as_standardised(records: Any) -> pa.Table:
    """A standardised Arrow table: as given when already standardised, else standardised."""
    if isinstance(records, pa.Table) and is_standardised(records):
        table = records
    else:
        table = standardise_table(records)
    if table.column("record_id").null_count:
        raise ValueError("every record needs a record_id")
    return table.select(list(STANDARDISED_COLUMNS))


def standardise_table(table: Any, *, workers: int | None = None) -> pa.Table:
    """Standardise a canonical table: a pyarrow Table, a DuckDB relation or a pandas frame.

    Rows keep their order; the output has exactly STANDARDISED_COLUMNS. Large tables use
    up to ``workers`` processes (default 2, ``SRJ_STANDARDISE_WORKERS``).
    """
    if isinstance(table, pa.Table):
        arrow = table
    elif hasattr(table, "to_arrow_table"):  # DuckDB relation (DuckDB >= 1.4)
        arrow = table.to_arrow_table()
    elif isinstance(table, pd.DataFrame):
        arrow = pa.Table.from_pandas(table, preserve_index=False)
    else:
        raise TypeError(f"cannot standardise a {type(table).__name__}: pass a pyarrow Table")
    return standardise_arrow(arrow, workers=workers)


__all__ = [
    "RAW_INPUT_COLUMNS",
    "STANDARDISATION_VERSION",
    "STANDARDISED_COLUMNS",
    "STANDARDISED_SCHEMA",
    "as_standardised",
    "is_standardised",
    "phonex",
    "standardise_birth_date",
    "standardise_birthplace",
    "standardise_given_names",
    "standardise_record",
    "standardise_sexe",
    "standardise_surnames",
    "standardise_table",
]
