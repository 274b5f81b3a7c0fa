"""Per-process read caches, keyed by the release state.

Releases are immutable, so what a read returns only changes when a release is created. Each
request asks the database for the release state (one indexed aggregate) and, while it is
unchanged, answers lookups from ready-made JSON bodies and searches from the in-memory index.
A new release in any worker changes the state, and the next request of every worker drops its
caches. The cache lives on the application (``app.state``), so tests and workers never share
one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from refdata import repository as repo


class ReadCache:
    def __init__(self, max_bodies: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._token: tuple[Any, ...] | None = None
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._max_bodies = max_bodies
        self._built: dict[str, Any] = {}

    def sync(self, session: Session) -> None:
        """Drop everything if a release was created since the last request."""
        token = repo.state_token(session)
        if token != self._token:
            with self._lock:
                if token != self._token:
                    self._bodies.clear()
                    self._built.clear()
                    self._token = token

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
        return value
