"""``srj link dedupe``: group the records of one extract by person."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TypeVar

from matching.engines import Engine, engine_session
from matching.io import atomic_output_dir
from matching.jobs.inputs import load_model, read_input, runs_baseline
from matching.jobs.outputs import (
    JobOutputs,
    check_complete,
    refuse_existing,
    rewrite_summary,
    write_outputs,
)
from matching.jobs.pipelines import BaselinePipeline, LinkagePipeline, ModelPipeline
from matching.jobs.stages import SilentListener, StageListener, StageTimer, quiet_splink
from matching.jobs.summary import RunSummary, fill_counts, new_summary

M = TypeVar("M")


def dedupe_job(
    input_path: Path,
    output_dir: Path,
    *,
    model_path: Path | None = None,
    engine: Engine = "duckdb",
    baseline: bool = False,
    overwrite: bool = False,
    with_report: bool = True,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link dedupe``: cluster the records of one file (training first if no model)."""
    baseline = runs_baseline(model_path, baseline)
    run = partial(
        _dedupe,
        input_path=input_path,
        output_dir=output_dir,
        model_file=model_path,
        engine=engine,
        overwrite=overwrite,
        with_report=with_report,
        listener=listener,
    )
    return run(BaselinePipeline()) if baseline else run(ModelPipeline())


def _dedupe(
    pipeline: LinkagePipeline[M],
    *,
    input_path: Path,
    output_dir: Path,
    model_file: Path | None,
    engine: Engine,
    overwrite: bool,
    with_report: bool,
    listener: StageListener | None,
) -> RunSummary:
    timer = StageTimer(listener or SilentListener())
    notes: list[str] = []
    refuse_existing(output_dir, overwrite)
    records = read_input(input_path, timer, notes)
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            std = pipeline.standardise(records)
        if model_file is not None:
            with timer.stage("train", f"loading {model_file.name}"):
                model = load_model(pipeline, model_file)
        else:
            with (
                timer.stage("train", "training the model (u by sampling, m by EM)"),
                engine_session(engine) as db_api,
            ):
                model = pipeline.train(std, labels=None, db_api=db_api)
        info = pipeline.info(model)
        with engine_session(engine) as db_api:
            with timer.stage("predict", "scoring blocked pairs"):
                scored = pipeline.predict(model, std, db_api=db_api)
            with timer.stage("cluster", "clustering at the auto-link threshold"):
                clusters = pipeline.cluster(model, scored, std)
                scored.splink_tables = None  # the pipeline's engine objects end with the session
                check_complete(clusters, records)
        summary = new_summary("dedupe", pipeline.name, records.num_rows, timer, output_dir, notes)
        fill_counts(summary, clusters, scored.pairs, info)
        with (
            timer.stage("write", f"writing {output_dir}"),
            atomic_output_dir(output_dir, overwrite=overwrite) as work,
        ):
            out = JobOutputs(records, std, scored, clusters, model, info)
            write_outputs(work, pipeline, out, summary, "Dédoublonnage", with_report)
    summary.seconds = dict(timer.seconds)
    rewrite_summary(output_dir, summary)
    return summary
