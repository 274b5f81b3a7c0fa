"""Bulk ingest: same resolve logic, idempotent, and a crash mid-way leaves a consistent registry
that a second run completes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from registry_fakes import FieldsMatcher
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from identity.config import RegistrySettings
from identity.crypto import RegistryCrypto
from identity.ingest import ingest, read_extract, validate_rows
from identity.models import Link, MatchSuggestion, PersonEvent, SourceRecord
from identity.schemas import RecordIn
from matching.io import InputError
from matching.synthetic import generate
from srj.db import make_engine, make_session_factory, session_scope


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return generate(60, seed=11).records


@pytest.fixture(scope="module")
def records(population: pa.Table) -> list[RecordIn]:
    return validate_rows(population, Path("population.parquet"), RegistrySettings())


def _ingest(engine: Engine, crypto: RegistryCrypto, records: list[RecordIn], **kw: Any) -> Any:
    return ingest(
        records,
        write_factory=make_session_factory(engine, write=True),
        matcher=kw.pop("matcher", FieldsMatcher()),
        crypto=crypto,
        config=RegistrySettings(),
        batch_size=kw.pop("batch_size", 25),
        **kw,
    )


def _state(engine: Engine, crypto: RegistryCrypto) -> tuple[set[frozenset[str]], int, int]:
    """(partition of records into persons by source/reference, records, events)."""
    with session_scope(make_session_factory(engine)) as s:
        rows = s.execute(
            select(
                SourceRecord.id,
                SourceRecord.sealed,
                SourceRecord.seal_key_id,
                SourceRecord.source,
                Link.person_id,
            ).join(Link, Link.record_id == SourceRecord.id)
        ).all()
        events = s.execute(select(func.count()).select_from(PersonEvent)).scalar_one()
    persons: dict[str, set[str]] = {}
    for rid, sealed, key_id, source, person in rows:
        ref = crypto.sealer.open(rid, key_id, sealed)["source_ref"]
        persons.setdefault(person, set()).add(f"{source}/{ref}")
    return {frozenset(v) for v in persons.values()}, len(rows), events


def test_ingest_is_idempotent(
    fresh_engine: Engine, crypto: RegistryCrypto, records: list[RecordIn]
) -> None:
    first = _ingest(fresh_engine, crypto, records)
    assert first.records == len(records)
    assert first.unchanged == 0
    assert sum(first.statuses.values()) == len(records)
    assert first.statuses["linked"] > 0
    before = _state(fresh_engine, crypto)
    assert before[1] == len(records)

    second = _ingest(fresh_engine, crypto, records, batch_size=40)
    assert second.unchanged == len(records)
    assert sum(second.statuses.values()) == 0
    assert _state(fresh_engine, crypto) == before


class SimulatedCrashError(RuntimeError):
    pass


class CrashingMatcher(FieldsMatcher):
    def __init__(self, after: int) -> None:
        super().__init__()
        self.left = after

    def score(self, standardised: Any, candidates: Any) -> Any:
        self.left -= 1
        if self.left < 0:
            raise SimulatedCrashError("simulated crash")
        return super().score(standardised, candidates)


@pytest.fixture
def second_engine(database_url: str, database_factory: Any) -> Iterator[Engine]:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    eng = make_engine(database_factory(backend))
    yield eng
    eng.dispose()


def test_crash_mid_ingest_then_rerun_completes(
    fresh_engine: Engine,
    second_engine: Engine,
    crypto: RegistryCrypto,
    records: list[RecordIn],
) -> None:
    _ingest(second_engine, crypto, records)
    clean = _state(second_engine, crypto)

    with pytest.raises(SimulatedCrashError):
        _ingest(fresh_engine, crypto, records, matcher=CrashingMatcher(after=60))
    partial = _state(fresh_engine, crypto)
    assert partial[1] == 50  # two whole batches of 25: the third rolled back entirely
    for person in partial[0]:
        assert any(person <= done for done in clean[0])

    resumed = _ingest(fresh_engine, crypto, records)
    assert resumed.unchanged == 50
    assert _state(fresh_engine, crypto)[:2] == clean[:2]


def test_extract_problems_name_row_and_field_never_the_value(
    tmp_path: Path, population: pa.Table
) -> None:
    rows = population.slice(0, 5).to_pylist()
    rows[1]["code_pays_naissance"] = "ALGERIE-SECRET"
    rows[3]["source"] = "cassiopee"
    rows[4]["record_date"] = "2024-13-45"
    path = tmp_path / "extract.csv"
    pacsv.write_csv(pa.Table.from_pylist(rows, schema=population.schema), path)
    with pytest.raises(InputError) as caught:
        read_extract(path, RegistrySettings())
    text = str(caught.value)
    assert "row 2 (line 3), field 'code_pays_naissance'" in text
    assert "row 4 (line 5), field 'source'" in text
    assert "row 5 (line 6), field 'record_date'" in text
    assert "ALGERIE-SECRET" not in text


def test_cli_ingest_refuses_a_bad_file_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrypoint.cli import app
    from srj.settings import get_settings

    path = tmp_path / "bad.csv"
    path.write_text("record_id,source,nom\nR1,CASSIOPEE,DUPONT\n")
    monkeypatch.setenv("SRJ_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["registry", "ingest", str(path)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "source_ref" in result.output
    assert "DUPONT" not in result.output


class _CrashAfter:
    """The real linkage model, failing once ``left`` records have been scored."""

    def __init__(self, inner: Any, left: int) -> None:
        self._inner = inner
        self._left = left

    def score(self, standardised: Any, candidates: Any) -> Any:
        self._left -= 1
        if self._left < 0:
            raise SimulatedCrashError("simulated crash")
        return self._inner.score(standardised, candidates)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _scores(engine: Engine, crypto: RegistryCrypto) -> tuple[Any, ...]:
    """Every link's and every suggestion's probability, by the records' references."""
    with session_scope(make_session_factory(engine)) as s:
        rows = s.execute(
            select(
                SourceRecord.id, SourceRecord.source, SourceRecord.sealed, SourceRecord.seal_key_id
            )
        ).all()
        ref = {
            rid: (source, crypto.sealer.open(rid, key, sealed)["source_ref"])
            for rid, source, sealed, key in rows
        }
        person_of = {rid: pid for rid, pid in s.execute(select(Link.record_id, Link.person_id))}
        members: dict[str, set[Any]] = {}
        for rid, person in person_of.items():
            members.setdefault(person, set()).add(ref[rid])
        links = {
            ref[rid]: p for rid, p in s.execute(select(Link.record_id, Link.match_probability))
        }
        # A suggestion names the closest record of the other person; which one, among records
        # that tie, depends on random record ids: compare the person (by its records).
        suggestions = {
            (ref[a], frozenset(members[person_of[b]])): p
            for a, b, p in s.execute(
                select(
                    MatchSuggestion.record_id,
                    MatchSuggestion.candidate_record_id,
                    MatchSuggestion.match_probability,
                )
            )
        }
    return links, suggestions


@pytest.mark.parametrize("crash_after", [30, 75])
def test_a_resumed_ingest_gives_exactly_the_scores_of_an_uninterrupted_one(
    fresh_engine: Engine,
    second_engine: Engine,
    crypto: RegistryCrypto,
    population: pa.Table,
    model_path: Path,
    crash_after: int,
) -> None:
    """The model's prior depends on the population's size: a resumed run must score against
    the same final size, not count the records already held twice (a pair near the
    auto-link threshold could flip)."""
    from identity.linkage import load_matcher

    config = RegistrySettings()
    rows = population.to_pylist()
    rows.append({**rows[3], "nom_usage": "CORRIGE"})  # a reference sent twice counts once
    records = validate_rows(pa.Table.from_pylist(rows, schema=population.schema), Path("x"), config)

    def run(engine: Engine, matcher: Any) -> Any:
        return ingest(
            records,
            write_factory=make_session_factory(engine, write=True),
            matcher=matcher,
            crypto=crypto,
            config=config,
            batch_size=25,
        )

    run(second_engine, load_matcher(model_path, config))
    expected = _scores(second_engine, crypto)
    assert any(p is not None for p in expected[0].values())

    with pytest.raises(SimulatedCrashError):
        run(fresh_engine, _CrashAfter(load_matcher(model_path, config), crash_after))
    resumed = run(fresh_engine, load_matcher(model_path, config))
    assert resumed.unchanged > 0
    assert _scores(fresh_engine, crypto) == expected
    assert _state(fresh_engine, crypto)[:2] == _state(second_engine, crypto)[:2]
