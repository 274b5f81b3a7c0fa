"""A small synthetic population written as the files a statistician would pass to the jobs."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from matching.synthetic import generate


@pytest.fixture(scope="session")
def population_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    population = generate(300, 11)
    base = tmp_path_factory.mktemp("population")
    pq.write_table(population.records, base / "records.parquet")
    pacsv.write_csv(population.records, base / "records.csv")
    pacsv.write_csv(population.truth, base / "truth.csv")
    return {
        "records": base / "records.parquet",
        "records_csv": base / "records.csv",
        "truth": base / "truth.csv",
    }
