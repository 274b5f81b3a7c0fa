"""A job's outputs: the output directory written whole or not at all, and its report.

``clusters.parquet``, ``pairs.parquet``, ``model.json``, ``report.html`` and ``summary.json``
are written into a temporary directory renamed into place at the very end
(:func:`matching.io.atomic_output_dir`); the checks here run before any of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from matching.io import atomic_output_file
from matching.jobs.errors import JobError
from matching.jobs.pipelines import LinkagePipeline, ModelInfo, Scored, pairs_columns
from matching.jobs.summary import RunSummary

M = TypeVar("M")


def refuse_existing(output_dir: Path, overwrite: bool) -> None:
    # Checked before any work so a long job does not fail at its very end.
    if output_dir.exists() and not output_dir.is_dir():
        raise JobError(f"{output_dir} exists and is not a directory")
    if output_dir.exists() and any(output_dir.iterdir()) and not overwrite:
        raise JobError(f"{output_dir} exists and is not empty (use --overwrite to replace it)")


def check_complete(clusters: pa.Table, records: pa.Table) -> None:
    """Every input record exactly once in the clusters: a broken promise is a bug, not
    bad input, so it fails loudly before anything is written."""
    ids = clusters.column("record_id")
    if clusters.num_rows != records.num_rows or len(pc.unique(ids)) != clusters.num_rows:
        raise RuntimeError("clustering did not return every record exactly once")
    if not pc.all(pc.is_in(records.column("record_id"), value_set=ids)).as_py():
        raise RuntimeError("clustering lost records")


@dataclass
class JobOutputs(Generic[M]):
    records: pa.Table
    std: pa.Table
    scored: Scored
    clusters: pa.Table
    model: M
    info: ModelInfo


def write_outputs(
    work: Path,
    pipeline: LinkagePipeline[M],
    out: JobOutputs[M],
    summary: RunSummary,
    title: str,
    with_report: bool,
) -> None:
    pq.write_table(out.clusters, work / "clusters.parquet")
    pq.write_table(pairs_columns(out.scored.pairs), work / "pairs.parquet")
    pipeline.save(out.model, work / "model.json")
    if with_report:
        # The report pulls in Splink's charting; imported here so that the CLI starts fast.
        from matching import report as report_module

        comparison = pipeline.comparison_records(out.model, out.std)
        charts = report_module.splink_charts(
            out.info.splink_settings,
            comparison,
            out.scored.pairs,
            auto_link=out.info.auto_link,
            review=out.info.review,
        )
        facts = [
            ("Fiches", summary.records),
            ("Groupes (personnes)", summary.clusters),
            ("Groupes de plusieurs fiches", summary.multi_record_clusters),
            ("Fiches liées automatiquement", summary.linked_records),
            ("Paires au-dessus du seuil de revue", summary.pairs),
            ("Paires à revoir", summary.review_pairs),
            ("Fiches concernées par la revue", summary.review_records),
            ("Seuil de liaison automatique (probabilité)", out.info.auto_link),
            ("Seuil de revue (probabilité)", out.info.review),
            ("Modèle", f"{out.info.kind} {out.info.version}"),
            *((k, str(v)) for k, v in out.info.facts.items()),
            *((f"Durée : {k} (s)", round(v, 2)) for k, v in summary.seconds.items()),
        ]
        data = report_module.ReportData(
            title=title,
            facts=report_module.facts_table(facts),
            charts=charts,
            parameters=report_module.parameter_rows(out.info.splink_settings),
            cluster_sizes=report_module.cluster_size_counts(out.clusters),
            notes=summary.notes,
        )
        (work / "report.html").write_text(report_module.render(data), encoding="utf-8")
    (work / "summary.json").write_text(
        json.dumps(summary.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8"
    )


def rewrite_summary(output_dir: Path, summary: RunSummary) -> None:
    # The write stage's own duration is known only once the directory is in place.
    with atomic_output_file(output_dir / "summary.json") as tmp:
        tmp.write_text(
            json.dumps(summary.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
