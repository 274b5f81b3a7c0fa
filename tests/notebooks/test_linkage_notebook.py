"""The statisticians' notebook runs from top to bottom (nbclient), so it never rots."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "linkage_walkthrough.ipynb"


def test_linkage_walkthrough_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRJ_NOTEBOOK_PERSONS", os.environ.get("SRJ_NOTEBOOK_PERSONS", "400"))
    monkeypatch.setenv("SRJ_NOTEBOOK_WORKDIR", str(tmp_path))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert html.count("class='chart'") >= 4  # the charts cell drew Splink's charts
    assert (tmp_path / "linkage_table.parquet").exists()
    assert (tmp_path / "model.json").exists()
