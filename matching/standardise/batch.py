"""Standardise a whole table: each field group runs once per distinct input combination.

Identity traits repeat a lot (a million records carry a few tens of thousands of distinct
surnames, dates and communes), so the Python functions of `record.py` run on the distinct
values only, and their outputs are spread back over the rows with Arrow's vectorised
``take``. Distinct combinations are found with pandas' hash factorisation, in C.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matching.standardise.record import (
    PASSTHROUGH,
    STAGES,
    STANDARDISED_SCHEMA,
    FieldGroup,
    as_text,
)


def _as_string_column(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    column = table.column(name).combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            column = pc.strftime(column, format="%Y-%m-%d")
        else:
            column = pc.cast(column, pa.string())
    return column


def _factorize(columns: list[pa.Array]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Row codes and the distinct value tuples they point to (None stays None)."""
    codes: np.ndarray | None = None
    per_column: list[tuple[np.ndarray, list[Any]]] = []
    for column in columns:
        column_codes, uniques = pd.factorize(
            column.to_pandas(types_mapper=pd.ArrowDtype), use_na_sentinel=False
        )
        values = [None if v is pd.NA or v is None else v for v in uniques.tolist()]
        per_column.append((column_codes, values))
        if codes is None:
            codes = column_codes.astype(np.int64)
        else:
            combined = codes * np.int64(len(values)) + column_codes
            codes, _ = pd.factorize(combined)
    assert codes is not None
    # Recover, for each combined code, the first row carrying it and read its values.
    first_rows = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    order = np.arange(len(codes) - 1, -1, -1)
    first_rows[codes[order]] = order
    uniques = [
        tuple(values[column_codes[row]] for column_codes, values in per_column)
        for row in first_rows.tolist()
    ]
    return codes, uniques


def _run_group(inputs: dict[str, pa.Array], group: FieldGroup, rows: int) -> dict[str, pa.Array]:
    if rows == 0:
        return {name: pa.array([], type=kind) for name, kind in group.outputs}
    codes, uniques = _factorize([inputs[c] for c in group.inputs])
    results = [group.function(*(as_text(v) for v in values)) for values in uniques]
    indices = pa.array(codes, type=pa.int64())
    return {
        name: pa.array([r[name] for r in results], type=kind).take(indices)
        for name, kind in group.outputs
    }


def standardise_arrow(table: pa.Table) -> pa.Table:
    """The standardised table (STANDARDISED_SCHEMA) of a canonical Arrow table."""
    rows = table.num_rows
    columns: dict[str, pa.Array] = {}
    for name in PASSTHROUGH:
        # Same reading as `as_text`: an empty string is a missing value.
        text = _as_string_column(table, name)
        columns[name] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    for index, stage in enumerate(STAGES):
        for group in stage:
            if index == 0:
                inputs = {c: _as_string_column(table, c) for c in group.inputs}
            else:
                inputs = {c: columns[c] for c in group.inputs}
            columns.update(_run_group(inputs, group, rows))
    return pa.Table.from_arrays(
        [
            columns[name].cast(STANDARDISED_SCHEMA.field(name).type)
            for name in STANDARDISED_SCHEMA.names
        ],
        schema=STANDARDISED_SCHEMA,
    )
