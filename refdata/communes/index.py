"""Per-process, read-only indexes of the curated datasets, rebuilt when a load changes them.

The COG (~42,000 entries) and the courts (a few hundred rows) are small and change only when
an import runs, while lookups by commune are the hot path of the API. Each request reads the
datasets' fingerprints from ``refdata_curated_state`` (one tiny query) and, while they are
unchanged, answers from plain Python dictionaries instead of several ORM queries.

The cache is keyed by database URL and fingerprint, so two test databases with the same
content never share an index, and a load inside a transaction that is then rolled back simply
brings the previous index back.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.communes.models import CogMillesime, Commune, CommuneSuccession, CuratedDatasetState

T = TypeVar("T")

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}
# Ready-made response bodies: (database URL) -> (fingerprints, LRU of key -> bytes).
_bodies: dict[str, tuple[tuple[Any, ...], OrderedDict[tuple[Any, ...], bytes]]] = {}
MAX_BODIES = 20_000


def fingerprint(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def record_load(session: Session, dataset: str, sha256: str) -> None:
    """Remember what was loaded; called by the loaders after a successful sync."""
    session.info.pop(_STATE_KEY, None)
    state = session.get(CuratedDatasetState, dataset)
    now = datetime.now(UTC)
    if state is None:
        session.add(CuratedDatasetState(dataset=dataset, sha256=sha256, loaded_at=now))
    elif state.sha256 != sha256:
        state.sha256 = sha256
        state.loaded_at = now
    session.flush()


_STATE_KEY = "refdata.curated_state"


def _state(session: Session) -> tuple[Any, ...]:
    """The datasets' fingerprints, read once per session (a request reads them once)."""
    token = session.info.get(_STATE_KEY)
    if token is None:
        # Driver-level SQL: this runs on every request and needs no ORM machinery.
        rows = session.connection().exec_driver_sql(
            "SELECT dataset, sha256 FROM refdata_curated_state ORDER BY dataset"
        )
        token = session.info[_STATE_KEY] = tuple(tuple(row) for row in rows)
    return token  # type: ignore[no-any-return]  # stored by this function only


def cached(session: Session, name: str, build: Callable[[Session], T]) -> T:
    """The index ``name`` for the session's database, rebuilt if the datasets changed."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    key = (url, name)
    token = _state(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == token:
        return hit[1]  # type: ignore[no-any-return]  # the builder for this name returns T
    value = build(session)
    with _lock:
        _cache[key] = (token, value)
    return value


def cached_body(session: Session, key: tuple[Any, ...], make: Callable[[], bytes]) -> bytes:
    """A response body computed once per dataset state (answers only change with a load)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    token = _state(session)
    current = _bodies.get(url)
    if current is None or current[0] != token:
        with _lock:
            current = _bodies.get(url)
            if current is None or current[0] != token:
                current = (token, OrderedDict())
                _bodies[url] = current
    bodies = current[1]
    body = bodies.get(key)
    if body is None:
        body = make()
        with _lock:
            bodies[key] = body
            if len(bodies) > MAX_BODIES:
                bodies.popitem(last=False)
    return body


@dataclass(frozen=True, slots=True)
class CommuneEntry:
    """A COG entry version, with the attribute names of ``Commune``."""

    code_insee: str
    type: str
    nom: str
    departement: str
    region: str
    parent_code: str | None
    codes_postaux: str
    population: int | None
    zone: str
    valid_from: date
    valid_to: date | None

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to > on)


@dataclass(frozen=True, slots=True)
class SuccessionEntry:
    old_code: str
    successor_code: str
    valid_from: date
    valid_to: date | None

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or self.valid_to > on)


@dataclass(frozen=True)
class CommuneIndex:
    entries: dict[str, tuple[CommuneEntry, ...]]
    successions: dict[str, tuple[SuccessionEntry, ...]]
    millesimes: tuple[date, ...]

    def millesime_on(self, on: date) -> date | None:
        eligible = [m for m in self.millesimes if m <= on]
        return eligible[-1] if eligible else None


def build_commune_index(session: Session) -> CommuneIndex:
    columns = [getattr(Commune, f) for f in CommuneEntry.__dataclass_fields__]
    entries: dict[str, list[CommuneEntry]] = defaultdict(list)
    for row in session.execute(select(*columns)):
        entries[row[0]].append(CommuneEntry(*row))
    successions: dict[str, list[SuccessionEntry]] = defaultdict(list)
    for row in session.execute(
        select(
            CommuneSuccession.old_code,
            CommuneSuccession.successor_code,
            CommuneSuccession.valid_from,
            CommuneSuccession.valid_to,
        )
    ):
        successions[row[0]].append(SuccessionEntry(*row))
    millesimes = tuple(
        session.scalars(select(CogMillesime.millesime).order_by(CogMillesime.millesime))
    )
    return CommuneIndex(
        entries={k: tuple(v) for k, v in entries.items()},
        successions={k: tuple(v) for k, v in successions.items()},
        millesimes=millesimes,
    )


def commune_index(session: Session) -> CommuneIndex:
    return cached(session, "communes", build_commune_index)
