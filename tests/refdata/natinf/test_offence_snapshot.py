"""The in-memory offence snapshot the API reads from answers exactly as the database does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from refdata.errors import NotFoundError
from refdata.natinf.offence_source import OffenceSnapshot, OffenceSource
from refdata.natinf.offences import get_offence
from refdata.natinf.penalties import import_penalties
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, CURATED_PENALTIES, OFFICIAL, by_code


def _answer(source: OffenceSource | Session, natinf: int, on: date, history: bool) -> object:
    try:
        return get_offence(source, natinf, as_of=on, history=history)
    except NotFoundError as exc:
        return ("404", str(exc))


def test_snapshot_and_database_agree(
    db_session: Session, import_rows: ImportRows, store: BulkStore, tariffs_loaded: None
) -> None:
    import_rows(OFFICIAL, "2026-01-01")
    altered = (*by_code("13")[:2], "QUALIFICATION MODIFIEE (TEST)", *by_code("13")[3:])
    import_rows([altered if r[0] == "13" else r for r in ALL_ROWS if r[0] != "7"], "2026-06-01")
    lines = Path(CURATED_PENALTIES).read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *(line for line in lines[1:] if line.split(";")[0] in {"11", "13", "180"})]
    import_penalties(
        db_session, "\n".join(kept).encode(), published_on=date(2026, 6, 2), store=store
    )
    db_session.commit()
    snapshot = OffenceSnapshot(db_session).bind(db_session)
    codes = sorted({int(r[0]) for r in ALL_ROWS} | {99999})
    for on in (date(2025, 12, 31), date(2026, 3, 1), date(2026, 6, 1), date(2019, 6, 1)):
        for natinf in codes:
            for history in (False, True):
                assert _answer(snapshot, natinf, on, history) == _answer(
                    db_session, natinf, on, history
                ), (natinf, on, history)


def test_snapshot_outlives_its_session(db_session: Session, import_rows: ImportRows) -> None:
    import_rows(OFFICIAL, "2026-01-01")
    snapshot = OffenceSnapshot(db_session)
    db_session.expire_all()
    db_session.close()
    # Records are plain data: reading them needs no session (another thread's session may
    # have rolled back and expired ORM instances long ago).
    versions = snapshot.bind(db_session).versions(11)
    assert versions[0].qualification.startswith("ABANDON DE FAMILLE")
    assert versions[0].repressed_by_refs[0]["article"] == "227-3"
