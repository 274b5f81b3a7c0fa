"""What a job run did: counts of records, clusters, pairs and review load, and stage times.

``summary.json`` in the output directory and the one line ``srj link`` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from matching.jobs.pipelines import ModelInfo
from matching.jobs.stages import StageTimer


@dataclass
class RunSummary:
    job: str
    model_kind: str
    records: int
    seconds: dict[str, float]
    output: str
    clusters: int = 0
    multi_record_clusters: int = 0
    linked_records: int = 0
    pairs: int = 0
    review_pairs: int = 0
    review_records: int = 0
    auto_link: float = 0.0
    review: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def line(self) -> str:
        """The one summary line a job prints."""
        if self.job == "train":
            return (
                f"train: {self.records:,} records, {self.model_kind} model written to "
                f"{self.output} in {self.total_seconds:.1f} s"
            )
        return (
            f"{self.job}: {self.records:,} records -> {self.clusters:,} clusters "
            f"({self.multi_record_clusters:,} with several records, {self.linked_records:,} "
            f"records linked), {self.pairs:,} pairs >= review threshold of which "
            f"{self.review_pairs:,} to review ({self.review_records:,} records); "
            f"{self.total_seconds:.1f} s; output {self.output}"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"total_seconds": self.total_seconds}


def cluster_counts(clusters: pa.Table) -> tuple[int, int, int]:
    counts = pc.value_counts(clusters.column("cluster_id")).field("counts")
    multi = pc.greater(counts, 1)
    linked = pc.sum(pc.filter(counts, multi)).as_py() or 0
    return len(counts), int(pc.sum(multi).as_py() or 0), int(linked)


def review_band(pairs: pa.Table, clusters: pa.Table) -> tuple[int, int]:
    """Pairs >= review threshold whose records were not auto-linked, and their records."""
    if pairs.num_rows == 0:
        return 0, 0
    ids = clusters.column("record_id").combine_chunks()
    cluster_ids = clusters.column("cluster_id").combine_chunks()
    left = pc.take(cluster_ids, pc.index_in(pairs.column("record_id_l"), value_set=ids))
    right = pc.take(cluster_ids, pc.index_in(pairs.column("record_id_r"), value_set=ids))
    band = pc.fill_null(pc.not_equal(left, right), True)
    records = pa.chunked_array(
        [
            pc.filter(pairs.column("record_id_l"), band).combine_chunks(),
            pc.filter(pairs.column("record_id_r"), band).combine_chunks(),
        ]
    )
    return int(pc.sum(band).as_py() or 0), len(pc.unique(records))


def new_summary(
    job: str,
    model_kind: str,
    records: int,
    timer: StageTimer,
    output_dir: Path,
    notes: list[str],
) -> RunSummary:
    return RunSummary(job, model_kind, records, timer.seconds, str(output_dir), notes=notes)


def fill_counts(summary: RunSummary, clusters: pa.Table, pairs: pa.Table, info: ModelInfo) -> None:
    summary.clusters, summary.multi_record_clusters, summary.linked_records = cluster_counts(
        clusters
    )
    summary.pairs = pairs.num_rows
    summary.review_pairs, summary.review_records = review_band(pairs, clusters)
    summary.auto_link, summary.review = info.auto_link, info.review
