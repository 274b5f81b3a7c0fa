"""The registry on the real linkage model: resolve uses the online scorer and decides as batch
clustering would for the same records; re-linkage with Splink's clustering keeps its promises."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registry_helpers import as_record, person_of, shared_factory
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from identity.config import RegistrySettings
from identity.crypto import RegistryCrypto
from identity.ingest import ingest
from identity.linkage import LinkageMatcher, load_matcher
from identity.models import Person, SourceRecord
from identity.relink import Relinker
from identity.repository import RegistryRepository
from identity.resolve import Resolver
from identity.schemas import ResolveStatus
from matching.evidence import has_auto_link_evidence
from matching.model import predict
from matching.online import OnlineScorer
from matching.standardise import standardise_record, standardise_table
from matching.synthetic import generate

HELD_OUT = 40


@pytest.fixture(scope="session")
def people() -> tuple[pa.Table, pa.Table]:
    """(registry records, held-out records arriving later), from another population."""
    records = generate(220, seed=21).records
    return records.slice(HELD_OUT), records.slice(0, HELD_OUT)


@pytest.fixture
def matcher(model_path: Path) -> LinkageMatcher:
    return load_matcher(model_path, RegistrySettings())


@pytest.fixture
def loaded(
    db_session: Session, matcher: LinkageMatcher, crypto: RegistryCrypto, people: Any
) -> Session:
    registry, _ = people
    factory = shared_factory(db_session)
    summary = ingest(
        registry, write_factory=factory, matcher=matcher, crypto=crypto, config=RegistrySettings()
    )
    assert summary.records == registry.num_rows
    return db_session


def _persons_by_record_id(session: Session, crypto: RegistryCrypto) -> dict[str, str]:
    """The canonical ``record_id`` of each held record -> its person (via the sealed copy)."""
    out = {}
    for rid, sealed, key_id in session.execute(
        select(SourceRecord.id, SourceRecord.sealed, SourceRecord.seal_key_id)
    ):
        out[str(crypto.sealer.open(rid, key_id, sealed)["record_id"])] = person_of(session, rid)
    return out


def _batch_decision(
    matcher: LinkageMatcher,
    persons: dict[str, str],
    registry: pa.Table,
    incoming: dict[str, Any],
    population: int,
) -> tuple[str, str | None, float | None]:
    """What the batch model says about ``incoming`` against the registry: Splink's predict on
    the same records, then batch clustering's rule for a record joining a cluster: an
    auto-link pair with a record of the person, both having the minimum evidence, the strongest
    first, and every record of the person at least ``review`` (pairs Splink did not block
    together scored by the online scorer, as clustering does)."""
    table = pa.concat_tables([registry, pa.Table.from_pylist([incoming], schema=registry.schema)])
    pairs = predict(
        matcher.model,
        standardise_table(table),
        threshold_match_probability=0.0,
        population_size=population,
    )
    mine = pairs.filter(
        pc.or_(
            pc.equal(pairs["record_id_l"], incoming["record_id"]),
            pc.equal(pairs["record_id_r"], incoming["record_id"]),
        )
    ).to_pylist()
    std = {r["record_id"]: standardise_record(r) for r in table.to_pylist()}
    scorer = OnlineScorer(matcher.model, population_size=population)
    mine_std = std[incoming["record_id"]]
    scored: dict[str, float] = {}
    for pair in mine:
        left = pair["record_id_l"]
        other = pair["record_id_r"] if left == incoming["record_id"] else left
        scored[other] = pair["match_probability"]
    best: dict[str, float] = defaultdict(float)
    link: dict[str, float] = defaultdict(float)
    for other, probability in scored.items():
        best[persons[other]] = max(best[persons[other]], probability)
        if has_auto_link_evidence(std[other]):
            link[persons[other]] = max(link[persons[other]], probability)
    if not best:
        return ResolveStatus.NEW.value, None, None
    t = matcher.thresholds

    def consistent(person: str) -> bool:
        return all(
            scored.get(other, scorer.score_pair(mine_std, std[other]).match_probability) >= t.review
            for other, holder in persons.items()
            if holder == person
        )

    if has_auto_link_evidence(mine_std):
        for person, probability in sorted(link.items(), key=lambda kv: -kv[1]):
            if probability >= t.auto_link and consistent(person):
                return ResolveStatus.LINKED.value, person, probability
    top = max(best.values())
    if top >= t.review:
        return ResolveStatus.PENDING_REVIEW.value, None, top
    return ResolveStatus.NEW.value, None, top


class _CountingScorer:
    """The online scorer, observed: the test checks the registry's resolve goes through it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def score(self, record: Any, candidates: Any) -> Any:
        self.calls.append(len(candidates))
        return self.inner.score(record, candidates)

    # The registry asks for a pair's weight, and for its contributions only when it keeps them.
    def match_weight(self, left: Any, right: Any) -> Any:
        self.calls.append(1)
        return self.inner.match_weight(left, right)

    def score_pair(self, left: Any, right: Any) -> Any:
        return self.inner.score_pair(left, right)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pick=st.integers(0, HELD_OUT - 1))
def test_online_decision_is_the_batch_decision(
    loaded: Session,
    matcher: LinkageMatcher,
    crypto: RegistryCrypto,
    people: Any,
    monkeypatch: pytest.MonkeyPatch,
    pick: int,
) -> None:
    registry, held_out = people
    incoming = held_out.slice(pick, 1).to_pylist()[0]
    n = loaded.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
    matcher.fix_population_size(n + 1)  # the batch below scores n + 1 records
    counting = _CountingScorer(matcher._scorer)
    monkeypatch.setattr(matcher, "_scorer", counting)
    persons = _persons_by_record_id(loaded, crypto)
    nested = loaded.begin_nested()
    try:
        resolver = Resolver(
            RegistryRepository(loaded), matcher, crypto, RegistrySettings(), actor="test"
        )
        online = resolver.resolve(as_record({k: v for k, v in incoming.items() if v}))
    finally:
        nested.rollback()
        monkeypatch.undo()
        matcher.fix_population_size(None)
    status, person, probability = _batch_decision(matcher, persons, registry, incoming, n + 1)
    assert online.status.value == status
    if probability is None:
        assert online.match_probability is None
    else:
        assert counting.calls  # the registry scored through the online scorer
        assert online.match_probability == pytest.approx(probability, abs=1e-6)
    if online.status == ResolveStatus.LINKED:
        assert online.person_id == person


def test_relink_with_splink_clustering_is_idempotent(
    loaded: Session, matcher: LinkageMatcher, crypto: RegistryCrypto
) -> None:
    factory = shared_factory(loaded)
    first = Relinker(factory, factory, matcher, crypto).run()
    assert first.records > 0
    persons = {r: person_of(loaded, r) for r in loaded.scalars(select(SourceRecord.id))}
    second = Relinker(factory, factory, matcher, crypto).run()
    assert not second.changed
    assert {r: person_of(loaded, r) for r in persons} == persons
    for person in set(persons.values()):
        row = loaded.get(Person, person)
        assert row is not None
        assert row.status == "active"


def test_ingest_reaches_the_truth_closely(loaded: Session, crypto: RegistryCrypto) -> None:
    """A sanity check of the whole path on the real model (the benchmark measures it at 1M)."""
    by_record = _persons_by_record_id(loaded, crypto)
    truth = generate(220, seed=21).truth
    true_of = dict(zip(truth["record_id"].to_pylist(), truth["person_id"].to_pylist(), strict=True))
    members: dict[str, set[str]] = defaultdict(set)
    for record_id, person in by_record.items():
        members[person].add(true_of[record_id])
    impure = sum(1 for s in members.values() if len(s) > 1)
    assert impure <= max(1, len(members) // 100)
