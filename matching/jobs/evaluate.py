"""``srj link evaluate``: measure a clustering against ground truth, as one JSON document."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from matching.evaluate import Evaluation, evaluate, precision_by_score_band
from matching.io import read_clusters, read_labels, read_pairs, read_truth
from matching.jobs.errors import JobError


def evaluate_job(
    clusters_path: Path,
    truth_path: Path,
    *,
    pairs_path: Path | None = None,
    labels_path: Path | None = None,
    bands: tuple[float, ...] | None = None,
) -> dict[str, Any]:
    """``srj link evaluate``: every metric as one JSON-ready dict."""
    clusters = read_clusters(clusters_path)
    truth = read_truth(truth_path)
    pairs = read_pairs(pairs_path) if pairs_path is not None else None
    result: Evaluation = evaluate(clusters, truth, pairs)
    document = result.as_dict()
    if labels_path is not None:
        if pairs is None:
            raise JobError("--labels needs --pairs: precision per score band reads the scores")
        labels = read_labels(labels_path)
        kwargs = {"edges": bands} if bands else {}
        document["precision_by_band"] = [
            asdict(b) for b in precision_by_score_band(pairs, labels, **kwargs)
        ]
    return document
