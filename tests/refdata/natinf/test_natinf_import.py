"""Importing NATINF files: releases, versions, retirement, all-or-nothing, idempotence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.errors import ConflictError, ImportRejectedError
from refdata.natinf import repository as repo
from refdata.natinf.models import OffenceSuccessor, OffenceVersion
from refdata.natinf.offences import get_offence, in_force
from refdata.natinf.service import import_natinf, release_state
from refdata.releases import repository as releases_repo
from refdata.releases.models import Release, ReleaseFile
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, ROAD, Row, by_code, natinf_bytes


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _natinf_releases(session: Session) -> int:
    # Other datasets (courts, tariffs, communes) may have releases in the test database.
    query = select(func.count()).select_from(Release).where(Release.dataset == "natinf")
    return session.scalar(query) or 0


def test_first_import_creates_a_release_with_every_code(
    db_session: Session, import_rows: ImportRows
) -> None:
    summary = import_rows(ALL_ROWS, "2026-07-01")
    assert summary.as_dict() == {
        "release": "natinf-2026-07-01",
        "created": True,
        "added": len(ALL_ROWS),
        "changed": 0,
        "retired": 0,
        "unchanged": 0,
    }
    release = releases_repo.get_release(db_session, "natinf-2026-07-01", with_files=True)
    assert release is not None
    assert (release.sequence, release.item_count, release.previous_id) == (1, len(ALL_ROWS), None)
    assert release.source_details["encoding"] == "latin-1"
    assert {f.name for f in release.files} == {
        "offences.csv",
        "offences.latin-1.csv",
        "offences.json",
        "offences.parquet",
    }
    version = repo.offence_versions(db_session, 11)[0]
    assert (version.version, version.valid_from, version.valid_to) == (1, date(2026, 7, 1), None)
    assert version.repressed_by_refs[0]["article"] == "227-3"
    assert version.repressed_by_refs[0]["text"] == "code-penal"


def test_reimporting_the_same_file_is_a_no_op(db_session: Session, import_rows: ImportRows) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    again = import_rows(ALL_ROWS, "2026-10-01")
    assert again.as_dict() == {
        "release": "natinf-2026-07-01",
        "created": False,
        "added": 0,
        "changed": 0,
        "retired": 0,
        "unchanged": len(ALL_ROWS),
    }
    assert _natinf_releases(db_session) == 1
    assert _count(db_session, OffenceVersion) == len(ALL_ROWS)


def test_changes_retirements_and_returns_are_versioned(
    db_session: Session, import_rows: ImportRows
) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    # Test alteration: code 7 gets a different repressing text; 8 leaves; 180 leaves.
    code7 = by_code("7")
    changed = (code7[0], code7[1], code7[2], code7[3], "ART.L.163-2 AL.1 C.M.F.")
    second = [changed if r[0] == "7" else r for r in ALL_ROWS if r[0] not in ("8", "180")]
    summary = import_rows(second, "2026-10-01")
    assert (summary.added, summary.changed, summary.retired, summary.unchanged) == (
        0,
        1,
        2,
        len(ALL_ROWS) - 3,
    )
    v7 = repo.offence_versions(db_session, 7)
    assert [(v.version, v.valid_from, v.valid_to) for v in v7] == [
        (1, date(2026, 7, 1), date(2026, 10, 1)),
        (2, date(2026, 10, 1), None),
    ]
    assert v7[0].retired_in == "natinf-2026-10-01"
    assert v7[1].repressed_by == "ART.L.163-2 AL.1 C.M.F."
    v8 = repo.offence_versions(db_session, 8)
    assert [(v.valid_to, v.retired_in) for v in v8] == [(date(2026, 10, 1), "natinf-2026-10-01")]

    # Code 8 comes back unchanged: a new version opens, the old one stays closed.
    third = import_rows([*second, by_code("8")], "2027-01-01")
    assert (third.added, third.changed, third.retired) == (1, 0, 0)
    v8 = repo.offence_versions(db_session, 8)
    assert [(v.version, v.valid_from, v.valid_to) for v in v8] == [
        (1, date(2026, 7, 1), date(2026, 10, 1)),
        (2, date(2027, 1, 1), None),
    ]
    assert (
        releases_repo.get_release(db_session, "natinf-2027-01-01").previous_id
        == "natinf-2026-10-01"
    )


def test_same_day_releases_get_distinct_ordered_ids(import_rows: ImportRows) -> None:
    assert import_rows(OFFICIAL, "2026-07-01").release == "natinf-2026-07-01"
    assert import_rows(ALL_ROWS, "2026-07-01").release == "natinf-2026-07-01-2"
    assert import_rows(OFFICIAL, "2026-07-01").release == "natinf-2026-07-01-3"


def test_a_release_cannot_predate_the_latest(db_session: Session, import_rows: ImportRows) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    with pytest.raises(ConflictError, match="cannot be published before it"):
        import_rows(ALL_ROWS, "2026-06-30")
    assert _natinf_releases(db_session) == 1


def test_rejected_file_writes_nothing(
    db_session: Session, import_rows: ImportRows, store: BulkStore
) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    before = (
        _natinf_releases(db_session),
        _count(db_session, OffenceVersion),
        _count(db_session, ReleaseFile),
    )
    bad = [*ROAD, ("201", "Délit grave", "X", "", ""), ROAD[0]]
    with pytest.raises(ImportRejectedError) as caught:
        import_natinf(db_session, natinf_bytes(bad), published_on=date(2026, 10, 1), store=store)
    # Line 9 repeats code 201 with an unknown nature, line 10 repeats 180: all reported.
    assert [p.line for p in caught.value.problems] == [9, 9, 10]
    after = (
        _natinf_releases(db_session),
        _count(db_session, OffenceVersion),
        _count(db_session, ReleaseFile),
    )
    assert after == before


def test_successors_point_retired_codes_to_their_replacements(
    db_session: Session, import_rows: ImportRows
) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    successors = b"NATINF;Successeur;Source\r\n8;7;Note DACG (test)\r\n"
    summary = import_rows([r for r in ALL_ROWS if r[0] != "8"], "2026-10-01", successors=successors)
    assert summary.retired == 1
    offence = get_offence(db_session, 8, as_of=date(2026, 12, 1), history=True)
    assert offence["in_force"] is False
    assert offence["successors"] == [7]
    pair = db_session.scalars(select(OffenceSuccessor)).one()
    assert (pair.recorded_in, pair.source) == ("natinf-2026-10-01", "Note DACG (test)")


def test_successors_file_is_validated(db_session: Session, import_rows: ImportRows) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    successors = b"NATINF;Successeur;Source\r\n8;99999;x\r\n7;7;x\r\n11;13;\r\n"
    with pytest.raises(ImportRejectedError) as caught:
        import_rows(OFFICIAL, "2026-10-01", successors=successors)
    assert [p.render() for p in caught.value.problems] == [
        "line 2: NATINF 99999 is in no release nor this file",
        "line 3: NATINF 7 cannot succeed itself",
        "line 4: the source of the correspondence is required",
    ]


# --- properties ---------------------------------------------------------------------------

# Each generated "publication" keeps a subset of the real rows and may alter some qualifications
# (the alteration exists only inside the test database, which is rolled back).
_publication = st.lists(
    st.tuples(st.sampled_from(range(len(ALL_ROWS))), st.booleans()),
    min_size=1,
    max_size=len(ALL_ROWS),
    unique_by=lambda t: t[0],
)


def _rows_of(picks: list[tuple[int, bool]]) -> list[Row]:
    rows = []
    for index, altered in picks:
        code, nature, qualification, defined, repressed = ALL_ROWS[index]
        rows.append(
            (code, nature, qualification + (" (MODIFIEE)" if altered else ""), defined, repressed)
        )
    return rows


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    publications=st.lists(_publication, min_size=1, max_size=4),
    gaps=st.lists(st.integers(min_value=0, max_value=200), min_size=4, max_size=4),
    probe=st.integers(min_value=-30, max_value=900),
)
def test_as_of_returns_exactly_the_versions_in_force(
    db_session: Session,
    store: BulkStore,
    publications: list[list[tuple[int, bool]]],
    gaps: list[int],
    probe: int,
) -> None:
    savepoint = db_session.begin_nested()
    try:
        # Early enough that every publication stays within the horizon (today + 90 days).
        day = date(2024, 1, 1)
        expected_at: list[tuple[date, dict[int, str]]] = []
        for picks, gap in zip(publications, gaps, strict=False):
            day += timedelta(days=gap)
            rows = _rows_of(picks)
            import_natinf(db_session, natinf_bytes(rows), published_on=day, store=store)
            expected_at.append((day, {int(r[0]): r[2] for r in rows}))
        db_session.flush()
        on = date(2024, 1, 1) + timedelta(days=probe)
        # The state on ``on`` is the last publication made on or before it.
        expected: dict[int, str] = {}
        for published, state in expected_at:
            if published <= on:
                expected = state
        versions = repo.all_offence_versions(db_session)
        in_force_now = {v.natinf: v.qualification for v in versions if in_force(v, on)}
        assert in_force_now == expected
        for natinf in {v.natinf for v in versions}:
            in_force_versions = [v for v in versions if v.natinf == natinf and in_force(v, on)]
            assert len(in_force_versions) <= 1
            if natinf in expected:
                assert (
                    get_offence(db_session, natinf, as_of=on, history=False)["qualification"]
                    == expected[natinf]
                )
    finally:
        savepoint.rollback()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(picks=_publication)
def test_reimport_is_a_no_op(
    db_session: Session, store: BulkStore, picks: list[tuple[int, bool]]
) -> None:
    savepoint = db_session.begin_nested()
    try:
        data = natinf_bytes(_rows_of(picks))
        first = import_natinf(db_session, data, published_on=date(2026, 7, 1), store=store)
        state = release_state(db_session, releases_repo.get_release(db_session, first.release))
        count = _count(db_session, OffenceVersion)
        second = import_natinf(db_session, data, published_on=date(2026, 9, 1), store=store)
        assert second.created is False
        assert (second.added, second.changed, second.retired) == (0, 0, 0)
        assert second.unchanged == len(picks)
        assert _count(db_session, OffenceVersion) == count
        assert _natinf_releases(db_session) == 1
        assert (
            release_state(db_session, releases_repo.get_release(db_session, first.release)) == state
        )
    finally:
        savepoint.rollback()


def test_control_characters_in_successors_are_refused(import_rows: ImportRows) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    successors = b"NATINF;Successeur;Source\r\n8;7;note\x00\r\n"
    with pytest.raises(ImportRejectedError) as caught:
        import_rows(OFFICIAL[:1], "2026-10-01", successors=successors)
    assert caught.value.problems[0].render() == "line 2: control character in a field"
