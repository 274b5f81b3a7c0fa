"""Retention deletes what is past its period (keeping the history); keys rotate in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from registry_fakes import FieldsMatcher
from registry_helpers import decide_different, key_spec, make_record, resolve, shared_factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.crypto import DecryptionError, RegistryCrypto
from identity.keys import rotate_keys
from identity.models import Decision, Person, PersonEvent, SourceRecord
from identity.repository import RegistryRepository
from identity.retention import run_retention


def test_retention_deletes_expired_records_and_keeps_history(
    db_session: Session,
    crypto: RegistryCrypto,
    client: TestClient,
    token: Callable[..., dict[str, str]],
) -> None:
    m = FieldsMatcher()
    old = resolve(db_session, m, crypto, make_record("OLD", record_date="1990-03-01"))
    both = resolve(db_session, m, crypto, make_record("NEW", record_date="2024-01-01"))
    assert both.person_id == old.person_id
    lone = resolve(
        db_session, m, crypto, make_record("LONE", nom="DURAND", record_date="1995-06-01")
    )
    decide_different(db_session, lone.record_id, old.record_id)

    factory = shared_factory(db_session)
    preview = run_retention(factory, today=date(2026, 1, 1), dry_run=True)
    assert preview.deleted_records == 2
    assert db_session.get(SourceRecord, old.record_id) is not None

    summary = run_retention(factory, today=date(2026, 1, 1))
    assert summary.deleted_records == 2
    assert summary.emptied_persons == 1
    db_session.expire_all()
    assert db_session.get(SourceRecord, old.record_id) is None
    assert db_session.get(SourceRecord, both.record_id) is not None
    decision = db_session.scalars(select(Decision)).one()
    assert decision.record_a_id is None  # the decision stays, without the records
    assert decision.record_b_id is None
    kinds = db_session.scalars(
        select(PersonEvent.kind).where(PersonEvent.person_id == old.person_id)
    ).all()
    assert "record_deleted" in kinds
    emptied = db_session.get(Person, lone.person_id)
    assert emptied is not None
    assert emptied.status == "emptied"

    gone = client.get(f"/v1/persons/{lone.person_id}", headers=token("reviewer"))
    assert gone.status_code == 410
    kept = client.get(f"/v1/persons/{old.person_id}", headers=token("reviewer")).json()
    assert [r["source_ref"] for r in kept["records_by_source"]["CASSIOPEE"]] == ["NEW"]
    assert not run_retention(factory, today=date(2026, 1, 1)).deleted_records


def test_key_rotation_rewrites_every_row(db_session: Session, settings: Any) -> None:
    old = RegistryCrypto.from_specs(key_spec(1), key_spec(1))
    both = RegistryCrypto.from_specs(key_spec(2), key_spec(2))  # t2 writes, t1 still reads
    new_only = RegistryCrypto.from_specs(key_spec(2).split(",")[0], key_spec(2).split(",")[0])
    m = FieldsMatcher()
    first = resolve(db_session, m, old, make_record("K1"))
    resolve(db_session, m, old, make_record("K2", nom="DURAND"))
    # Before rotation the new ring still finds and opens old rows.
    assert resolve(db_session, m, both, make_record("K1")).record_id == first.record_id
    row = db_session.get(SourceRecord, first.record_id)
    assert row is not None
    with pytest.raises(DecryptionError):
        new_only.sealer.open(row.id, "t1", row.sealed)

    factory = shared_factory(db_session)
    summary = rotate_keys(factory, both, batch=1)
    assert summary.rewritten >= 1
    db_session.expire_all()
    rows = db_session.scalars(select(SourceRecord)).all()
    assert {(r.ref_key_id, r.seal_key_id) for r in rows} == {("t2", "t2")}
    for r in rows:
        assert new_only.sealer.open(r.id, r.seal_key_id, r.sealed)["traits"]
    repo = RegistryRepository(db_session)
    hmacs = [h for _, h in new_only.pseudonymiser.ref_hmacs("CASSIOPEE", "K2")]
    assert repo.records.record_with_link("CASSIOPEE", hmacs) is not None
    assert rotate_keys(factory, both).rewritten == 0  # idempotent
    # Unchanged re-posts under the new keys are recognised as unchanged.
    again = resolve(db_session, m, new_only, make_record("K2", nom="DURAND"))
    assert not again.changed
