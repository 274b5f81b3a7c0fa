"""Connected components of large pair lists, vectorised (clustering, evaluation, baseline)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def connected_labels(n_nodes: int, left: IntArray, right: IntArray) -> IntArray:
    """Connected components of an undirected graph: each node labelled by its smallest node.

    Min-label propagation with pointer jumping, vectorised: a few dozen numpy passes for
    millions of edges, where a Python union-find loop takes seconds per million.
    """
    labels = np.arange(n_nodes, dtype=np.int64)
    if len(left) == 0:
        return labels
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        # Pointer jumping: a label points at a node whose own label may be smaller.
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            return labels
