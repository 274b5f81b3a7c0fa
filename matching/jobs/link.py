"""``srj link link``: link the records of two extracts; clusters span both."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from matching.engines import Engine, engine_session
from matching.io import InputError, atomic_output_dir
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


def link_job(
    left_path: Path,
    right_path: Path,
    output_dir: Path,
    *,
    model_path: Path | None = None,
    engine: Engine = "duckdb",
    overwrite: bool = False,
    with_report: bool = True,
    listener: StageListener | None = None,
) -> RunSummary:
    """``srj link link``: link two extracts; clusters span both (column ``dataset`` says
    which file each record came from)."""
    baseline = runs_baseline(model_path, baseline=False)
    run = partial(
        _link,
        left_path=left_path,
        right_path=right_path,
        output_dir=output_dir,
        model_file=model_path,
        engine=engine,
        overwrite=overwrite,
        with_report=with_report,
        listener=listener,
    )
    # A baseline model file refuses to link (BaselinePipeline.link), after the input is read.
    return run(BaselinePipeline()) if baseline else run(ModelPipeline())


def _link(
    pipeline: LinkagePipeline[M],
    *,
    left_path: Path,
    right_path: Path,
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
    left = read_input(left_path, timer, notes)
    right = read_input(right_path, timer, notes)
    shared = pc.is_in(right.column("record_id"), value_set=left.column("record_id"))
    if pc.any(shared).as_py():
        ids = pc.filter(right.column("record_id"), shared)
        raise InputError(
            right_path,
            [
                f"{len(ids)} record_id value(s) also appear in {left_path.name}, e.g. "
                + ", ".join(repr(v) for v in ids[:5].to_pylist())
                + ": record identifiers must be unique across the two extracts"
            ],
        )
    records = pa.concat_tables([left, right])
    with quiet_splink():
        with timer.stage("standardise", "standardising identity traits"):
            left_std = pipeline.standardise(left)
            right_std = pipeline.standardise(right)
            std = pa.concat_tables([left_std, right_std])
        if model_file is not None:
            with timer.stage("train", f"loading {model_file.name}"):
                model = load_model(pipeline, model_file)
        else:
            with (
                timer.stage("train", "training the model on both extracts"),
                engine_session(engine) as db_api,
            ):
                model = pipeline.train(std, labels=None, db_api=db_api)
        info = pipeline.info(model)
        with (
            timer.stage("predict", "scoring blocked pairs across the extracts"),
            engine_session(engine) as db_api,
        ):
            scored = pipeline.link(model, left_std, right_std, db_api=db_api)
        with timer.stage("cluster", "clustering at the auto-link threshold"):
            clusters = pipeline.cluster(model, scored, std)
            check_complete(clusters, records)
            dataset = pc.if_else(
                pc.is_in(clusters.column("record_id"), value_set=left.column("record_id")),
                "left",
                "right",
            )
            clusters = clusters.append_column("dataset", dataset)
        summary = new_summary("link", pipeline.name, records.num_rows, timer, output_dir, notes)
        fill_counts(summary, clusters, scored.pairs, info)
        with (
            timer.stage("write", f"writing {output_dir}"),
            atomic_output_dir(output_dir, overwrite=overwrite) as work,
        ):
            out = JobOutputs(records, std, scored, clusters, model, info)
            write_outputs(work, pipeline, out, summary, "Liaison de deux extraits", with_report)
    summary.seconds = dict(timer.seconds)
    rewrite_summary(output_dir, summary)
    return summary
