"""Running one job from several threads at the same moment (the refdata concurrency tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_together(threads: int, job: Callable[[], T]) -> tuple[list[T], list[BaseException]]:
    """Start ``job`` in ``threads`` threads released by one barrier; its results and errors."""
    barrier = threading.Barrier(threads)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # reported to the test, not swallowed
            errors.append(exc)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join(timeout=120)
    return results, errors
