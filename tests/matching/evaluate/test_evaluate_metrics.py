"""Evaluation metrics on hand-computed examples, and their invariants under hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.evaluate import (
    EvaluationError,
    cluster_metrics,
    connected_labels,
    evaluate,
    pairwise_metrics,
    precision_by_score_band,
    wilson_interval,
)


def _table(**columns: list[object]) -> pa.Table:
    return pa.table({k: pa.array(v) for k, v in columns.items()})


# Five records: persons {a,b,c} and {d,e}; the clustering found {a,b}, {c,d}, {e}.
TRUTH = _table(record_id=["a", "b", "c", "d", "e"], person_id=["P1", "P1", "P1", "P2", "P2"])
CLUSTERS = _table(record_id=["e", "d", "c", "b", "a"], cluster_id=["k3", "k2", "k2", "k1", "k1"])


def test_pairwise_metrics_by_hand() -> None:
    result = evaluate(CLUSTERS, TRUTH)
    # predicted pairs ab, cd; true pairs ab, ac, bc, de; only ab is both.
    assert result.pairwise.predicted_pairs == 2
    assert result.pairwise.true_pairs == 4
    assert result.pairwise.true_positive_pairs == 1
    assert result.pairwise.precision == pytest.approx(0.5)
    assert result.pairwise.recall == pytest.approx(0.25)
    assert result.pairwise.f1 == pytest.approx(1 / 3)


def test_bcubed_and_exact_recovery_by_hand() -> None:
    result = evaluate(CLUSTERS, TRUTH).clusters
    # per record precision a 1, b 1, c 1/2, d 1/2, e 1; recall 2/3, 2/3, 1/3, 1/2, 1/2.
    assert result.bcubed_precision == pytest.approx(0.8)
    assert result.bcubed_recall == pytest.approx(8 / 15)
    assert result.bcubed_f1 == pytest.approx(2 * 0.8 * (8 / 15) / (0.8 + 8 / 15))
    assert result.exact_clusters == 0
    assert result.exact_cluster_recovery == 0.0
    assert (result.clusters, result.persons) == (3, 2)


def test_review_band_by_hand() -> None:
    pairs = _table(
        record_id_l=["a", "c", "d"],
        record_id_r=["b", "b", "e"],
        match_weight=[20.0, 3.0, 2.0],
        match_probability=[1.0, 0.9, 0.8],
    )
    review = evaluate(CLUSTERS, TRUTH, pairs).review
    assert review is not None
    # a-b is inside a cluster (auto-linked); c-b and d-e are the review band.
    assert review.review_pairs == 2
    assert review.review_records == 4
    assert review.review_records_share == pytest.approx(0.8)
    assert review.review_pairs_true_share == pytest.approx(1.0)
    # Accepting both suggestions joins every record: all 4 true pairs are then found,
    # 3 of which only through review.
    assert review.recall_at_review == pytest.approx(1.0)
    assert review.true_pairs_in_review_share == pytest.approx(0.75)


def test_false_review_pair_lowers_its_true_share_not_recall() -> None:
    truth = _table(record_id=["a", "b", "c"], person_id=["P1", "P1", "P2"])
    clusters = _table(record_id=["a", "b", "c"], cluster_id=["1", "1", "2"])
    pairs = _table(
        record_id_l=["b"], record_id_r=["c"], match_weight=[1.0], match_probability=[0.6]
    )
    review = evaluate(clusters, truth, pairs).review
    assert review is not None
    assert review.review_pairs_true_share == 0.0
    assert review.recall_at_review == 1.0
    assert review.true_pairs_in_review_share == 0.0


def test_exact_recovery_counts_persons_recovered_whole() -> None:
    truth = _table(record_id=["a", "b", "c", "d"], person_id=["P1", "P1", "P2", "P3"])
    clusters = _table(record_id=["a", "b", "c", "d"], cluster_id=["x", "x", "y", "y"])
    result = evaluate(clusters, truth).clusters
    assert result.exact_clusters == 1
    assert result.exact_cluster_recovery == pytest.approx(1 / 3)


def test_records_missing_from_truth_are_named() -> None:
    truth = _table(record_id=["a", "b"], person_id=["P1", "P1"])
    clusters = _table(record_id=["a", "b", "zz"], cluster_id=["1", "1", "2"])
    with pytest.raises(EvaluationError, match="'zz'"):
        evaluate(clusters, truth)


def test_records_missing_from_clusters_are_named() -> None:
    truth = _table(record_id=["a", "b", "zz"], person_id=["P1", "P1", "P2"])
    clusters = _table(record_id=["a", "b"], cluster_id=["1", "1"])
    with pytest.raises(EvaluationError, match=r"not in the clusters.*'zz'"):
        evaluate(clusters, truth)


def test_pairs_naming_unknown_records_are_rejected() -> None:
    pairs = _table(
        record_id_l=["a"], record_id_r=["nope"], match_weight=[1.0], match_probability=[0.5]
    )
    with pytest.raises(EvaluationError, match=r"record_id_r.*'nope'"):
        evaluate(CLUSTERS, TRUTH, pairs)


def test_precision_by_score_band_from_labels() -> None:
    pairs = _table(
        record_id_l=["a", "c", "d", "x"],
        record_id_r=["b", "b", "e", "y"],
        match_weight=[22.0, 7.0, 7.5, 12.0],
        match_probability=[1.0, 0.99, 0.99, 0.999],
    )
    labels = _table(
        # (b, a) is the pair (a, b) in the other orientation; (q, r) was never scored.
        record_id_l=["b", "c", "d", "q"],
        record_id_r=["a", "b", "e", "r"],
        clerical_match_score=[1.0, 0.0, 1.0, 0.0],
    )
    bands = {b.band: b for b in precision_by_score_band(pairs, labels, edges=(5.0, 10.0, 20.0))}
    assert bands["unscored (below review)"].labelled_pairs == 1
    assert bands["unscored (below review)"].precision == 0.0
    assert bands["[5, 10)"].labelled_pairs == 2
    assert bands["[5, 10)"].precision == pytest.approx(0.5)
    assert bands["[10, 20)"].labelled_pairs == 0
    assert bands["[10, 20)"].precision is None
    assert bands["[20, inf)"].precision == 1.0
    assert bands["[20, inf)"].upper is None
    low, high = bands["[5, 10)"].wilson_low, bands["[5, 10)"].wilson_high
    assert low is not None
    assert high is not None
    assert 0 < low < 0.5 < high < 1


def test_wilson_interval_known_value() -> None:
    # 8 successes out of 10 at 95 %: (0.4902, 0.9433) (Wilson 1927; e.g. Newcombe 1998).
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


# --- invariants ---------------------------------------------------------------------------

labellings = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
        st.lists(st.integers(0, 8), min_size=n, max_size=n),
    )
)


def _dense(values: list[int]) -> np.ndarray:
    return np.unique(np.asarray(values), return_inverse=True)[1].astype(np.int64)


@given(labellings)
@settings(max_examples=200, deadline=None)
def test_metrics_lie_in_unit_interval(pair: tuple[list[int], list[int]]) -> None:
    cluster, person = _dense(pair[0]), _dense(pair[1])
    p = pairwise_metrics(cluster, person)
    c = cluster_metrics(cluster, person)
    for value in (
        p.precision,
        p.recall,
        p.f1,
        c.bcubed_precision,
        c.bcubed_recall,
        c.bcubed_f1,
        c.exact_cluster_recovery,
    ):
        assert 0.0 <= value <= 1.0 + 1e-12


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60), st.permutations(range(11)))
@settings(max_examples=100, deadline=None)
def test_perfect_clustering_scores_one(persons: list[int], relabel: list[int]) -> None:
    person = _dense(persons)
    # The same partition under other labels is still perfect.
    cluster = _dense([relabel[p] for p in persons])
    p = pairwise_metrics(cluster, person)
    c = cluster_metrics(cluster, person)
    assert (p.precision, p.recall, p.f1) == (1.0, 1.0, 1.0)
    assert c.bcubed_precision == pytest.approx(1.0)
    assert c.bcubed_recall == pytest.approx(1.0)
    assert c.exact_cluster_recovery == 1.0


@given(labellings)
@settings(max_examples=200, deadline=None)
def test_swapping_clusters_and_truth_swaps_precision_and_recall(
    pair: tuple[list[int], list[int]],
) -> None:
    cluster, person = _dense(pair[0]), _dense(pair[1])
    forward, backward = cluster_metrics(cluster, person), cluster_metrics(person, cluster)
    assert forward.bcubed_precision == pytest.approx(backward.bcubed_recall)
    assert forward.bcubed_recall == pytest.approx(backward.bcubed_precision)
    assert forward.bcubed_f1 == pytest.approx(backward.bcubed_f1)
    pf, pb = pairwise_metrics(cluster, person), pairwise_metrics(person, cluster)
    assert (pf.precision, pf.recall) == (pb.recall, pb.precision)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
@settings(max_examples=100, deadline=None)
def test_singletons_are_precise_and_one_cluster_recalls_everything(persons: list[int]) -> None:
    person = _dense(persons)
    singletons = np.arange(len(person), dtype=np.int64)
    assert cluster_metrics(singletons, person).bcubed_precision == 1.0
    assert pairwise_metrics(singletons, person).precision == 1.0
    one = np.zeros(len(person), dtype=np.int64)
    assert cluster_metrics(one, person).bcubed_recall == pytest.approx(1.0)
    assert pairwise_metrics(one, person).recall == 1.0


def _union_find(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(n)]


@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)))
        )
    )
)
@settings(max_examples=200, deadline=None)
def test_connected_labels_agree_with_union_find(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = case
    left = np.asarray([a for a, _ in edges], dtype=np.int64)
    right = np.asarray([b for _, b in edges], dtype=np.int64)
    assert connected_labels(n, left, right).tolist() == _union_find(n, edges)


def test_connected_labels_on_a_long_chain() -> None:
    # A path 0-1-...-9999 given in reverse order: the worst case for label propagation.
    n = 10_000
    left = np.arange(n - 2, -1, -1, dtype=np.int64)
    labels = connected_labels(n, left, left + 1)
    assert (labels == 0).all()
    assert not math.isnan(float(labels.sum()))


def test_recall_at_review_by_tag_by_hand() -> None:
    from matching.evaluate import recall_at_review_by_tag

    pairs = _table(record_id_l=["b"], record_id_r=["c"])  # reviewers join {a,b} and {c,d}
    tags = pa.table(
        {
            "record_id": ["a", "b", "c", "d", "e", "zz"],
            "errors": pa.array(
                [["typo"], [], ["typo", "swap"], ["swap"], ["swap"], ["typo"]],
                pa.list_(pa.string()),
            ),
        }
    )
    by_tag = {t.tag: t for t in recall_at_review_by_tag(CLUSTERS, TRUTH, pairs, tags)}
    # After review: {a,b,c,d}, {e}. P1 = {a,b,c} whole; P2 = {d,e} split (d and e each
    # reach none of the other record of their person). "zz" is not a record: ignored.
    assert by_tag["typo"].records == 2
    assert by_tag["typo"].recall_at_review == 1.0
    assert by_tag["swap"].records == 3
    assert by_tag["swap"].recall_at_review == pytest.approx(1 / 3)
    assert by_tag["swap"].split_records == 2
    assert by_tag["(none)"].records == 1
    assert by_tag["(none)"].split_records == 0
