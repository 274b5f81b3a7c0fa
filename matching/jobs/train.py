"""``srj link train``: train a model on a canonical extract and write it as one JSON file."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TypeVar

from matching.engines import Engine, engine_session
from matching.io import atomic_output_file, read_labels
from matching.jobs.inputs import read_input
from matching.jobs.pipelines import BaselinePipeline, LinkagePipeline, ModelPipeline
from matching.jobs.stages import SilentListener, StageListener, StageTimer, quiet_splink
from matching.jobs.summary import RunSummary

M = TypeVar("M")


def train_job(
    input_path: Path,
    model_path: Path,
    *,
    labels_path: Path | None = None,
    engine: Engine = "duckdb",
    baseline: bool = False,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link train``: train on a canonical file and write the model JSON atomically."""
    run = partial(
        _train,
        input_path=input_path,
        model_path=model_path,
        labels_path=labels_path,
        engine=engine,
        listener=listener,
    )
    return run(BaselinePipeline()) if baseline else run(ModelPipeline())


def _train(
    pipeline: LinkagePipeline[M],
    *,
    input_path: Path,
    model_path: Path,
    labels_path: Path | None,
    engine: Engine,
    listener: StageListener | None,
) -> RunSummary:
    timer = StageTimer(listener or SilentListener())
    notes: list[str] = []
    records = read_input(input_path, timer, notes)
    labels = read_labels(labels_path) if labels_path is not None else None
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            std = pipeline.standardise(records)
        with (
            timer.stage("train", "training the model (u by sampling, m by EM)"),
            engine_session(engine) as db_api,
        ):
            model = pipeline.train(std, labels=labels, db_api=db_api)
    with timer.stage("write", f"writing {model_path.name}"), atomic_output_file(model_path) as tmp:
        pipeline.save(model, tmp)
    return RunSummary(
        "train", pipeline.name, records.num_rows, timer.seconds, str(model_path), notes=notes
    )
