"""A job's stages: timed, and told to whoever runs the job (progress bars, tests, benchmarks)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

STAGES = ("read", "standardise", "train", "predict", "cluster", "write")


class StageListener(Protocol):
    """What a job tells its caller: the CLI draws progress bars, tests and benchmarks time."""

    def start(self, stage: str, description: str) -> None: ...

    def finish(self, stage: str, seconds: float) -> None: ...


class SilentListener:
    def start(self, stage: str, description: str) -> None:
        return None

    def finish(self, stage: str, seconds: float) -> None:
        return None


@dataclass
class StageTimer:
    """Wall time per stage of one job run."""

    listener: StageListener = field(default_factory=SilentListener)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str, description: str) -> Iterator[None]:
        self.listener.start(name, description)
        began = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - began
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            self.listener.finish(name, elapsed)


@contextlib.contextmanager
def quiet_splink() -> Iterator[None]:
    """Splink logs every SQL step and training iteration at INFO: the jobs speak for
    themselves (progress bars, one summary line), so only Splink's errors get through."""
    logger = logging.getLogger("splink")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)
