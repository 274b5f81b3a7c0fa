"""``write()``: a population to a directory, all at once or not at all.

Files are written to a hidden sibling directory and renamed into place at the end, so a crash
or an error never leaves a partial output directory, and an existing one is replaced only when
asked to and only once the new one is complete.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from matching.synthetic.generator import GENERATOR_VERSION, MISSING, Population
from matching.synthetic.rates import ERROR_DESCRIPTIONS


class OutputError(Exception):
    """The output directory cannot be written (exists, not writable...)."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_parquet(table: pa.Table, path: Path) -> None:
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)


def _write_csv(table: pa.Table, path: Path) -> None:
    """Plain RFC 4180 CSV: quotes only where a value needs them, "" for a missing value."""
    columns = [table.column(name).to_pylist() for name in table.column_names]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(table.column_names)
        writer.writerows(zip(*columns, strict=True))


def check_writable(out_dir: Path, *, overwrite: bool = False) -> None:
    """Raise ``OutputError`` if ``out_dir`` cannot receive a population."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise OutputError(f"{out_dir} exists and is not empty (use --overwrite to replace it)")
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        raise OutputError(f"parent directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write in {parent}: permission denied")


def write(
    population: Population,
    out_dir: Path | str,
    *,
    csv: bool = False,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write the population's files and ``manifest.json`` to ``out_dir``; return the manifest."""
    out_dir = Path(out_dir)
    check_writable(out_dir, overwrite=overwrite)
    parent = out_dir.resolve().parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write in {parent}: {exc.strerror}") from exc
    try:
        _write_parquet(population.records, tmp / "records.parquet")
        if csv:
            _write_csv(population.records, tmp / "records.csv")
        _write_csv(population.truth, tmp / "truth.csv")
        _write_parquet(population.persons, tmp / "persons.parquet")
        _write_parquet(population.errors, tmp / "errors.parquet")
        files = {
            p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in sorted(tmp.iterdir())
        }
        manifest: dict[str, Any] = {
            "generator": "matching.synthetic",
            "generator_version": GENERATOR_VERSION,
            "seed": population.seed,
            "persons": population.n_persons,
            "records": population.n_records,
            "missing_value": MISSING,
            "rates": population.rates.as_dict(),
            "error_descriptions": ERROR_DESCRIPTIONS,
            "counts": population.stats,
            "files": files,
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        # mkdtemp makes the directory private; the output is an ordinary, world-readable data
        # directory (synthetic data, no personal data), hence 0o755.
        os.chmod(tmp, 0o755)  # noqa: S103
        if out_dir.exists():
            trash = parent / f".{out_dir.name}.{os.getpid()}.old"
            out_dir.rename(trash)
            tmp.rename(out_dir)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            tmp.rename(out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {out_dir}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
