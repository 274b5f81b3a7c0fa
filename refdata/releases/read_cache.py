"""Per-process read caches, keyed by the release state.

Releases are immutable, so what a read returns only changes when a release is created. Each
worker keeps ready-made JSON bodies of lookups and searches and the in-memory search index,
and drops them all when the release state changes:

- a release created *in this process* (HTTP import, tests) bumps a process-wide generation
  counter: the next request sees it at once;
- a release created elsewhere (another worker, ``srj refdata import-natinf``) is noticed by
  asking the database for the release state (one indexed aggregate, plus what the owner of
  the cache adds with ``extra_token``: the contravention class maxima the offence lookups
  embed) at most once per ``ttl_seconds`` (default 1 s): other processes' imports show
  within a second.

The cache lives on the application (``app.state``), so tests and workers never share one.
"""

from __future__ import annotations

import gc
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from refdata.releases import repository as repo

_generation = itertools.count(1)
_current_generation = 0


def note_release_created() -> None:
    """Called when this process creates a release: caches of this process refresh at once."""
    global _current_generation
    _current_generation = next(_generation)


class ReadCache:
    def __init__(
        self,
        max_bodies: int = 50_000,
        ttl_seconds: float = 1.0,
        extra_token: Callable[[Session], tuple[Any, ...]] = lambda _session: (),
    ) -> None:
        # Read alongside the release state: facts the cached bodies embed that may change
        # without a release of their own.
        self._extra_token = extra_token
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._token: tuple[Any, ...] | None = None
        self._generation = -1
        self._checked_at = float("-inf")
        self._ttl = ttl_seconds
        # Oldest-first eviction; a hit does not reorder (no lock on the read path).
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._max_bodies = max_bodies
        self._built: dict[str, Any] = {}

    def fresh(self) -> bool:
        """Whether cached bodies may be served without asking the database."""
        return (
            self._generation == _current_generation
            and time.monotonic() - self._checked_at < self._ttl
        )

    def peek(self, key: tuple[Any, ...]) -> bytes | None:
        return self._bodies.get(key) if self.fresh() else None

    def sync(self, session: Session) -> None:
        """Drop everything if a release was created since the state was last seen.

        One thread asks the database; threads arriving meanwhile wait for its answer rather
        than each sending the same query.
        """
        if self.fresh():
            return
        with self._sync_lock:
            if self.fresh():
                return
            generation = _current_generation
            token = (repo.state_token(session), self._extra_token(session))
            with self._lock:
                if token != self._token:
                    self._bodies.clear()
                    self._built.clear()
                    self._token = token
                    # The structures of the previous state may now be collected.
                    gc.unfreeze()
                self._generation = generation
                self._checked_at = time.monotonic()

    def body(self, key: tuple[Any, ...], make: Callable[[], bytes]) -> bytes:
        cached = self._bodies.get(key)
        if cached is not None:
            return cached
        value = make()
        with self._lock:
            self._bodies[key] = value
            if len(self._bodies) > self._max_bodies:
                self._bodies.popitem(last=False)
        return value

    def built(self, name: str, make: Callable[[], Any]) -> Any:
        """A structure built once per release state (the search index...)."""
        value = self._built.get(name)
        if value is None:
            with self._lock:
                value = self._built.get(name)
                if value is None:
                    value = make()
                    self._built[name] = value
                    # The snapshot and index are large, long-lived and never mutated: move
                    # them out of the cycle collector's way, so that its full collections
                    # (tens of ms over such heaps) stop landing in the middle of requests.
                    gc.collect()
                    gc.freeze()
        return value
