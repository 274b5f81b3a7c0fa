"""Evaluation of a clustering (and of its review band) against ground truth, and of scores
against clerical labels.

Definitions (also in ``docs/statisticians.md``):

- **Pairwise** precision/recall/F1: a predicted pair is two records in the same cluster (the
  auto-linked pairs, transitive closure included); a true pair is two records of the same
  person.
- **B-cubed** precision/recall/F1 (Bagga & Baldwin 1998): per record, the share of its cluster
  that is the same person (precision) and the share of its person found in its cluster
  (recall), averaged over records. Less dominated by large clusters than pairwise metrics.
- **Exact-cluster recovery**: share of true persons whose records form exactly one cluster.
- **Review band**: the scored pairs (``pairs.parquet``, every pair at or above the review
  threshold) whose records were not auto-linked into one cluster. Review load is their count
  and the number of distinct records they involve.
- **Recall at the review threshold**: pairwise recall of the clustering a reviewer would reach
  by accepting every review-band pair (clusters joined through review pairs). This is how
  review works — accepting one suggestion attaches a record to its whole person — so it counts
  every true pair that is either auto-linked or reachable through the review queue. The
  **share of true pairs in the review band** is the part of it that only review recovers.

Everything is computed on integer codes with numpy: a million records take about a second.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from matching.graph import connected_labels

IntArray = npt.NDArray[np.int64]


class EvaluationError(ValueError):
    """The clusters, truth and pairs do not describe the same records."""


@dataclass(frozen=True)
class PairwiseMetrics:
    precision: float
    recall: float
    f1: float
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int


@dataclass(frozen=True)
class ClusterMetrics:
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    exact_cluster_recovery: float
    exact_clusters: int
    clusters: int
    persons: int


@dataclass(frozen=True)
class ReviewMetrics:
    review_pairs: int
    review_records: int
    review_records_share: float
    review_pairs_true_share: float
    recall_at_review: float
    true_pairs_in_review_share: float


@dataclass(frozen=True)
class Evaluation:
    records: int
    pairwise: PairwiseMetrics
    clusters: ClusterMetrics
    review: ReviewMetrics | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BandPrecision:
    """Precision of the pairs whose match weight lies in ``[lower, upper)``, from labels.

    ``None`` bounds are unbounded; the ``unscored`` band has both ``None``.
    """

    band: str
    lower: float | None
    upper: float | None
    labelled_pairs: int
    same: float
    precision: float | None
    wilson_low: float | None
    wilson_high: float | None


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _ratio(numerator: float, denominator: float) -> float:
    # An empty denominator means nothing could go wrong: no predicted pair is a false one.
    return 1.0 if denominator == 0 else numerator / denominator


def _pairs_count(sizes: IntArray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _codes(values: pa.ChunkedArray | pa.Array) -> tuple[IntArray, int]:
    encoded = pc.dictionary_encode(values).combine_chunks()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(encoded.dictionary)


def _contingency(cluster: IntArray, person: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Cell sizes n_ij with, per cell, the size of its cluster n_i and of its person n_j."""
    n_persons = int(person.max()) + 1 if len(person) else 1
    cells, cell_sizes = np.unique(cluster * n_persons + person, return_counts=True)
    cluster_sizes = np.bincount(cluster)
    person_sizes = np.bincount(person)
    return (
        cell_sizes.astype(np.int64),
        cluster_sizes[cells // n_persons].astype(np.int64),
        person_sizes[cells % n_persons].astype(np.int64),
    )


def pairwise_metrics(cluster: IntArray, person: IntArray) -> PairwiseMetrics:
    """Pairwise metrics of cluster labels against person labels (aligned by record)."""
    cells, _, _ = _contingency(cluster, person)
    tp = _pairs_count(cells)
    predicted = _pairs_count(np.bincount(cluster).astype(np.int64))
    true = _pairs_count(np.bincount(person).astype(np.int64))
    precision, recall = _ratio(tp, predicted), _ratio(tp, true)
    return PairwiseMetrics(precision, recall, _f1(precision, recall), tp, predicted, true)


def cluster_metrics(cluster: IntArray, person: IntArray) -> ClusterMetrics:
    """B-cubed metrics and exact-cluster recovery of cluster labels against person labels."""
    n = len(cluster)
    cells, cluster_sizes, person_sizes = _contingency(cluster, person)
    squared = cells.astype(np.float64) ** 2
    precision = float((squared / cluster_sizes).sum() / n) if n else 1.0
    recall = float((squared / person_sizes).sum() / n) if n else 1.0
    exact = int(((cells == cluster_sizes) & (cells == person_sizes)).sum())
    persons = len(np.unique(person))
    return ClusterMetrics(
        bcubed_precision=precision,
        bcubed_recall=recall,
        bcubed_f1=_f1(precision, recall),
        exact_cluster_recovery=_ratio(exact, persons),
        exact_clusters=exact,
        clusters=len(np.unique(cluster)),
        persons=persons,
    )


@dataclass(frozen=True)
class _Aligned:
    record_ids: pa.Array
    cluster: IntArray
    person: IntArray


def _align(clusters: pa.Table, truth: pa.Table) -> _Aligned:
    """Cluster and person codes aligned on record_id; both files must list the same records."""
    record_ids = clusters.column("record_id").combine_chunks()
    truth_ids = truth.column("record_id").combine_chunks()
    position = pc.index_in(record_ids, value_set=truth_ids)
    missing = pc.is_null(position)
    if pc.any(missing).as_py():
        ids = pc.filter(record_ids, missing)
        raise EvaluationError(
            f"{len(ids)} record(s) of the clusters are not in the truth file, e.g. "
            + ", ".join(repr(v) for v in ids[:5].to_pylist())
        )
    if len(truth_ids) != len(record_ids):
        in_clusters = pc.is_in(truth_ids, value_set=record_ids)
        ids = pc.filter(truth_ids, pc.invert(in_clusters))
        raise EvaluationError(
            f"{len(ids)} record(s) of the truth file are not in the clusters (every record must "
            "be clustered exactly once), e.g. " + ", ".join(repr(v) for v in ids[:5].to_pylist())
        )
    cluster, _ = _codes(clusters.column("cluster_id"))
    person_all, _ = _codes(truth.column("person_id"))
    person = person_all[position.to_numpy(zero_copy_only=False).astype(np.int64)]
    return _Aligned(record_ids, cluster, person)


def _pair_positions(record_ids: pa.Array, pairs: pa.Table, side: str) -> IntArray:
    values = pairs.column(f"record_id_{side}").combine_chunks()
    position = pc.index_in(values, value_set=record_ids)
    missing = pc.is_null(position)
    if pc.any(missing).as_py():
        ids = pc.filter(values, missing)
        raise EvaluationError(
            f"{len(ids)} pair(s) name a record_id_{side} absent from the clusters, e.g. "
            + ", ".join(repr(v) for v in ids[:5].to_pylist())
        )
    return position.to_numpy(zero_copy_only=False).astype(np.int64)


def review_metrics(
    record_ids: pa.Array, cluster: IntArray, person: IntArray, pairs: pa.Table
) -> ReviewMetrics:
    """Review band load and the recall a reviewer accepting every suggestion would reach."""
    left = _pair_positions(record_ids, pairs, "l")
    right = _pair_positions(record_ids, pairs, "r")
    in_review = cluster[left] != cluster[right]
    rl, rr = left[in_review], right[in_review]
    review_records = len(np.unique(np.concatenate([rl, rr])))
    n = len(cluster)
    true_in_review = int((person[rl] == person[rr]).sum())
    auto = pairwise_metrics(cluster, person)
    n_clusters = int(cluster.max()) + 1 if n else 0
    joined = connected_labels(n_clusters, cluster[rl], cluster[rr])[cluster]
    at_review = pairwise_metrics(joined, person)
    return ReviewMetrics(
        review_pairs=len(rl),
        review_records=review_records,
        review_records_share=_ratio(review_records, n) if n else 0.0,
        review_pairs_true_share=_ratio(true_in_review, len(rl)),
        recall_at_review=at_review.recall,
        true_pairs_in_review_share=(
            (at_review.true_positive_pairs - auto.true_positive_pairs) / auto.true_pairs
            if auto.true_pairs
            else 0.0
        ),
    )


def evaluate(clusters: pa.Table, truth: pa.Table, pairs: pa.Table | None = None) -> Evaluation:
    """All metrics of ``clusters`` (record_id, cluster_id) against ``truth`` (record_id,
    person_id), and of the review band if the scored ``pairs`` are given."""
    aligned = _align(clusters, truth)
    review = (
        review_metrics(aligned.record_ids, aligned.cluster, aligned.person, pairs)
        if pairs is not None
        else None
    )
    return Evaluation(
        records=len(aligned.cluster),
        pairwise=pairwise_metrics(aligned.cluster, aligned.person),
        clusters=cluster_metrics(aligned.cluster, aligned.person),
        review=review,
    )


@dataclass(frozen=True)
class TagRecall:
    """Recall at review of the records carrying one tag (an entry error, a habit)."""

    tag: str
    records: int  # records with the tag whose person has other records
    recall_at_review: float  # mean over them of the share of their person they reach
    split_records: int  # of them, records that do not reach their whole person


def recall_at_review_by_tag(
    clusters: pa.Table, truth: pa.Table, pairs: pa.Table, tags: pa.Table
) -> list[TagRecall]:
    """Per tag (``tags``: record_id, a list column ``errors``; an empty list is the tag
    ``(none)``), how much of their person the
    records carrying it reach once reviewers accept every review-band pair: the mean over
    those records of (records of the person in its review component - 1) / (records of the
    person - 1). Persons of one record are left out. Says which habits the model misses."""
    aligned = _align(clusters, truth)
    left = _pair_positions(aligned.record_ids, pairs, "l")
    right = _pair_positions(aligned.record_ids, pairs, "r")
    cluster, person = aligned.cluster, aligned.person
    n_clusters = int(cluster.max()) + 1 if len(cluster) else 0
    joined = connected_labels(n_clusters, cluster[left], cluster[right])[cluster]
    n_persons = int(person.max()) + 1 if len(person) else 1
    _, cell_of, cell_sizes = np.unique(
        joined * n_persons + person, return_inverse=True, return_counts=True
    )
    person_sizes = np.bincount(person)[person]
    several = person_sizes > 1
    reach = np.ones(len(person), dtype=np.float64)
    reach[several] = (cell_sizes[cell_of][several] - 1) / (person_sizes[several] - 1)
    position = pc.index_in(tags.column("record_id"), value_set=aligned.record_ids)
    known = pc.is_valid(position)
    tags = tags.filter(known)
    rows = pc.filter(position, known).to_numpy(zero_copy_only=False).astype(np.int64)
    lists = tags.column("errors").combine_chunks()
    flat = pc.list_flatten(lists)
    owner = rows[pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)]
    # Records with an empty list are tagged "(none)": the baseline the habits compare to.
    untagged = rows[
        pc.fill_null(pc.equal(pc.list_value_length(lists), 0), True).to_numpy(zero_copy_only=False)
    ]
    owner = np.concatenate([owner, untagged])
    names = np.concatenate(
        [flat.to_numpy(zero_copy_only=False), np.full(len(untagged), "(none)", dtype=object)]
    )
    result = []
    for tag in sorted(set(names.tolist())):
        members = owner[(names == tag) & several[owner]]
        if not len(members):
            continue
        result.append(
            TagRecall(
                tag=str(tag),
                records=len(members),
                recall_at_review=float(reach[members].mean()),
                split_records=int((reach[members] < 1).sum()),
            )
        )
    return result


def wilson_interval(successes: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); sound near 0 and 1."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


DEFAULT_WEIGHT_BANDS: tuple[float, ...] = (0.0, 5.0, 10.0, 15.0, 20.0)


def precision_by_score_band(
    pairs: pa.Table,
    labels: pa.Table,
    edges: Sequence[float] = DEFAULT_WEIGHT_BANDS,
) -> list[BandPrecision]:
    """Precision of the model's scores per match-weight band, estimated from clerical labels.

    ``labels`` is what :func:`matching.io.read_labels` returns (``record_id_l, record_id_r,
    clerical_match_score``); a label's pair is looked up in ``pairs`` in either orientation.
    Labelled pairs absent from ``pairs`` scored below the review threshold and are counted in
    the first band, ``unscored``. Fractional clerical scores count as expected values.
    """

    def key(a: pa.ChunkedArray | pa.Array, b: pa.ChunkedArray | pa.Array) -> pa.Array:
        low = pc.if_else(pc.less_equal(a, b), a, b)
        high = pc.if_else(pc.less_equal(a, b), b, a)
        return pc.binary_join_element_wise(low, high, "\x1f")

    pair_keys = key(pairs.column("record_id_l"), pairs.column("record_id_r"))
    label_keys = key(labels.column("record_id_l"), labels.column("record_id_r"))
    position = pc.index_in(label_keys, value_set=pair_keys)
    weights = pairs.column("match_weight").combine_chunks()
    scores = np.asarray(labels.column("clerical_match_score").to_numpy(), dtype=np.float64)
    found = pc.is_valid(position).to_numpy(zero_copy_only=False)
    label_weights = np.full(len(scores), np.nan)
    if found.any():
        label_weights[found] = np.asarray(
            pc.take(weights, pc.filter(position, pc.is_valid(position))).to_numpy(),
            dtype=np.float64,
        )
    bounds = [-math.inf, *sorted(edges), math.inf]
    bands: list[tuple[str, float | None, float | None, npt.NDArray[np.bool_]]] = [
        ("unscored (below review)", None, None, ~found)
    ]
    for lower, upper in itertools.pairwise(bounds):
        mask = found & (label_weights >= lower) & (label_weights < upper)
        bands.append(
            (
                f"[{lower:g}, {upper:g})",
                None if math.isinf(lower) else lower,
                None if math.isinf(upper) else upper,
                mask,
            )
        )
    result = []
    for name, band_low, band_high, mask in bands:
        n = int(mask.sum())
        same = float(scores[mask].sum())
        low, high = wilson_interval(same, n) if n else (None, None)
        result.append(
            BandPrecision(
                band=name,
                lower=band_low,
                upper=band_high,
                labelled_pairs=n,
                same=same,
                precision=same / n if n else None,
                wilson_low=low,
                wilson_high=high,
            )
        )
    return result
