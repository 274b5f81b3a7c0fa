"""The order of the pending queue, kept in memory between requests.

Ordering the queue needs, for every pending suggestion, how many applications the records of
its two persons span: a pass over the persons' records that costs ~0.7 s for 20,000 pending
suggestions over 175,000 records on PostgreSQL (benchmarks/review_queue_bench.py), too much
for every page a reviewer opens. So each process keeps the sorted keys ``(-n_sources,
-uncertainty, id)`` of the pending queue, per database and filter:

- suggestions that arrive (new ids) are scored and merged in at once;
- suggestions decided, escalated or settled drop out at once (each page re-reads its rows);
- the whole order is recomputed when it is older than ``ttl`` seconds, so priorities follow
  the persons' records (a record linked elsewhere, a merge) within that delay.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Key = tuple[int, int, int]  # (-n_sources, -uncertainty rank, suggestion id): ascending order


@dataclass
class _Order:
    computed_at: float
    # The newest suggestion (any status) when last extended: (its id, its creation time).
    marker: tuple[int, datetime | None]
    keys: list[Key] = field(default_factory=list)


class QueueOrderCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[Any, _Order] = {}

    def keys(
        self,
        cache_key: Any,
        marker: tuple[int, datetime | None],
        ttl: float,
        compute: Callable[[int | None], Sequence[Key]],
    ) -> list[Key]:
        """The sorted keys of the queue; ``compute(after_id)`` scores the suggestions with an
        id above ``after_id`` (all of them for ``None``)."""
        now = time.monotonic()
        with self._lock:
            order = self._orders.get(cache_key)
        if order is None or now - order.computed_at > ttl or not _extends(order.marker, marker):
            order = _Order(computed_at=now, marker=marker, keys=sorted(compute(None)))
        elif marker != order.marker:
            added = compute(order.marker[0])
            keys = list(order.keys)
            for key in added:
                bisect.insort(keys, key)
            order = _Order(computed_at=order.computed_at, marker=marker, keys=keys)
        else:
            return order.keys
        with self._lock:
            self._orders[cache_key] = order
        return order.keys

    def clear(self) -> None:
        with self._lock:
            self._orders.clear()


def _extends(old: tuple[int, datetime | None], new: tuple[int, datetime | None]) -> bool:
    """Whether ``new`` only adds suggestions after ``old``: suggestion ids only grow, so a
    smaller id, or the same id created at another time, means rows were rolled back and ids
    reused (SQLite reuses them): recompute."""
    return new == old or new[0] > old[0]


PENDING_ORDER = QueueOrderCache()
