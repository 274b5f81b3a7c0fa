"""What a job reads before any work: its input files (validated whole) and its model file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from matching.io import extra_columns, read_records
from matching.jobs.errors import JobError
from matching.jobs.pipelines import LinkagePipeline
from matching.jobs.stages import StageTimer

M = TypeVar("M")


def read_input(path: Path, timer: StageTimer, notes: list[str]) -> pa.Table:
    """The canonical records of ``path``, every row validated; columns it ignores are noted."""
    with timer.stage("read", f"reading {path.name}"):
        records = read_records(path)
        extra = extra_columns(path)
        if extra:
            notes.append(f"{path.name}: columns ignored (not canonical): {', '.join(extra)}")
    return records


def is_baseline_model_file(path: Path) -> bool:
    """Whether a saved model file holds the baseline (else our model), from the kind it
    declares."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError(f"{path}: model file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JobError(
            f"{path}: not a model file (expected the JSON written by srj link train)"
        ) from None
    if not isinstance(document, dict):
        raise JobError(f"{path}: not a model file (expected the JSON written by srj link train)")
    return document.get("kind") == "srj-baseline"


def runs_baseline(model_path: Path | None, baseline: bool) -> bool:
    """Whether a job runs the baseline: the kind of its model file, or what was asked for."""
    if model_path is None:
        return baseline
    in_file = is_baseline_model_file(model_path)
    if baseline and not in_file:
        raise JobError(f"{model_path} is not a baseline model: drop --baseline")
    return in_file


def load_model(pipeline: LinkagePipeline[M], path: Path) -> M:
    try:
        return pipeline.load(path)
    except (ValueError, KeyError, TypeError) as exc:
        # A model file from another version, or edited by hand: say so, without a traceback.
        raise JobError(f"{path}: not a usable model file ({exc})") from None
