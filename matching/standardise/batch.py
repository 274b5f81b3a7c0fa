"""Standardise a whole table: each field group runs once per distinct input combination.

Identity traits repeat a lot (a million records carry a few tens of thousands of distinct
surnames, dates and communes), so the Python functions of `record.py` run on the distinct
values only, and their outputs are spread back over the rows with Arrow's vectorised
``take``. Distinct combinations are found with pandas' hash factorisation, in C.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matching.standardise.record import (
    PASSTHROUGH,
    RAW_INPUT_COLUMNS,
    STAGES,
    STANDARDISED_SCHEMA,
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


def _compute(stage: int, group: int, uniques: list[tuple[Any, ...]]) -> list[pa.Array]:
    """A field group's outputs for some distinct input tuples (runs in worker processes)."""
    field_group = STAGES[stage][group]  # the index in the stage, as the tasks name it
    results = [field_group.function(*(as_text(v) for v in values)) for values in uniques]
    return [pa.array([r[name] for r in results], type=kind) for name, kind in field_group.outputs]


# Below this many distinct input combinations, starting worker processes costs more than
# it saves (a worker imports pyarrow and loads the COG: about a second).
PARALLEL_MIN_UNIQUES = 100_000
_CHUNK = 25_000
_FORK = "fork" in multiprocessing.get_all_start_methods()


def _workers(requested: int | None) -> int:
    if requested is not None:
        return max(1, requested)
    configured = os.environ.get("SRJ_STANDARDISE_WORKERS")
    if configured:
        return max(1, int(configured))
    return min(2, os.cpu_count() or 1)


def _run_stage(
    stage: int, inputs: list[dict[str, pa.Array]], rows: int, workers: int
) -> dict[str, pa.Array]:
    """Every group of a stage: factorise here, compute per distinct combination (in worker
    processes for large tables), spread back over the rows."""
    out: dict[str, pa.Array] = {}
    if rows == 0:
        return {name: pa.array([], type=kind) for g in STAGES[stage] for name, kind in g.outputs}
    for i, group in enumerate(STAGES[stage]):
        if group.vectorised is not None:
            out.update(group.vectorised(*(inputs[i][c] for c in group.inputs)))
    # The other groups: one call per distinct combination of their inputs.
    groups = [g for g in STAGES[stage] if g.vectorised is None]
    inputs = [inputs[i] for i, g in enumerate(STAGES[stage]) if g.vectorised is None]
    if not groups:
        return out
    factorised = [_factorize([inputs[i][c] for c in g.inputs]) for i, g in enumerate(groups)]
    positions = [STAGES[stage].index(g) for g in groups]  # indices the workers look up
    tasks = [
        (i, start, uniques[start : start + _CHUNK])
        for i, (_, uniques) in enumerate(factorised)
        for start in range(0, len(uniques), _CHUNK)
    ]
    total = sum(len(uniques) for _, uniques in factorised)
    pieces: dict[tuple[int, int], list[pa.Array]] = {}
    if workers > 1 and total >= PARALLEL_MIN_UNIQUES and _FORK:
        # Forked workers inherit the loaded COG and the module state, and need no
        # `if __name__ == "__main__"` guard in the caller's script (spawn would). They run
        # pure Python and build Arrow arrays: no lock of the parent's idle thread pools is
        # involved.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {
                (i, start): pool.submit(_compute, stage, positions[i], chunk)
                for i, start, chunk in tasks
            }
            pieces = {key: future.result() for key, future in futures.items()}
    else:
        pieces = {(i, start): _compute(stage, positions[i], chunk) for i, start, chunk in tasks}
    for i, group in enumerate(groups):
        codes, uniques = factorised[i]
        starts = range(0, len(uniques), _CHUNK)
        indices = pa.array(codes, type=pa.int64())
        for position, (name, kind) in enumerate(group.outputs):
            chunks = [pieces[(i, start)][position] for start in starts]
            values = pa.concat_arrays(chunks) if chunks else pa.array([], type=kind)
            out[name] = values.take(indices)
    return out


def standardise_arrow(table: pa.Table, *, workers: int | None = None) -> pa.Table:
    """The standardised table (STANDARDISED_SCHEMA) of a canonical Arrow table.

    ``workers``: processes for the per-value work of large tables (default: up to 2, or
    ``SRJ_STANDARDISE_WORKERS``); the result does not depend on it.
    """
    if not any(name in table.column_names for name in RAW_INPUT_COLUMNS):
        raise ValueError(
            "the table has none of the canonical identity columns ("
            + ", ".join(RAW_INPUT_COLUMNS)
            + "): nothing to standardise (is it already standardised by another version?)"
        )
    rows = table.num_rows
    count = _workers(workers)
    columns: dict[str, pa.Array] = {}
    for name in PASSTHROUGH:
        # Same reading as `as_text`: an empty string is a missing value.
        text = _as_string_column(table, name)
        columns[name] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    # Hundreds of thousands of small dicts and lists are made and dropped per stage, none
    # in a reference cycle: the cyclic collector would only rescan them (~7% of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index, stage in enumerate(STAGES):
            if index == 0:
                inputs = [{c: _as_string_column(table, c) for c in g.inputs} for g in stage]
            else:
                inputs = [{c: columns[c] for c in g.inputs} for g in stage]
            columns.update(_run_stage(index, inputs, rows, count))
    finally:
        if collecting:
            gc.enable()
    return pa.Table.from_arrays(
        [
            columns[name].cast(STANDARDISED_SCHEMA.field(name).type)
            for name in STANDARDISED_SCHEMA.names
        ],
        schema=STANDARDISED_SCHEMA,
    )
