"""The curated penalties file: accepted as curated, refused with line-numbered problems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from refdata.errors import ImportRejectedError
from refdata.natinf import repository as repo
from refdata.natinf.penalties import HEADER, import_penalties, parse_penalties
from refdata.releases import repository as releases_repo
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import CURATED_PENALTIES as PENALTIES
from tests.refdata.natinf_samples import OFFICIAL

KNOWN = {11, 13, 180, 6163, 7536}


def _file(*rows: str) -> bytes:
    return ("\r\n".join([";".join(HEADER), *rows]) + "\r\n").encode()


def test_the_curated_file_parses() -> None:
    rows, problems = parse_penalties(PENALTIES.read_bytes(), KNOWN)
    assert problems == []
    by_key = {(r.natinf, r.kind): r for r in rows}
    assert by_key[(11, "emprisonnement")].max_months == 24
    assert by_key[(11, "amende")].max_amount_eur == Decimal(15000)
    assert by_key[(180, "stage_sensibilisation_stupefiants")].valid_to == date(2020, 3, 24)
    assert all(r.citation and r.source and r.article for r in rows)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("99;principale;amende;A;;non;10;art;cit;2002-01-01;;src", "NATINF 99 is unknown"),
        ("11;accessoire;amende;A;;non;10;art;cit;2002-01-01;;src", "not one of"),
        ("11;principale;suspension;A;;non;;art;cit;2002-01-01;;src", "a principal penalty is"),
        ("11;principale;amende;A;;non;;art;cit;2002-01-01;;src", "needs a maximum amount"),
        ("11;principale;emprisonnement;A;;non;;art;cit;2002-01-01;;src", "maximum duration"),
        ("11;principale;amende;A;;non;1 000;art;cit;2002-01-01;;src", "amount in euros"),
        ("11;principale;amende;A;;non;10;art;;2002-01-01;;src", "required"),
        ("11;principale;amende;A;;non;10;art;cit;2002-13-01;;src", "YYYY-MM-DD"),
        ("11;principale;amende;A;;non;10;art;cit;2002-01-01;2001-01-01;src", "must be after"),
        ("11;principale;amende;A;;peut-etre;10;art;cit;2002-01-01;;src", "'oui', 'non'"),
    ],
)
def test_each_problem_names_its_line_and_column(row: str, message: str) -> None:
    rows, problems = parse_penalties(_file(row), KNOWN)
    assert rows == []
    assert problems[0].line == 2
    assert message in problems[0].render()


def test_duplicates_and_structure_are_refused() -> None:
    row = "11;principale;amende;A;;non;10;art;cit;2002-01-01;;src"
    _, problems = parse_penalties(_file(row, row), KNOWN)
    assert "same code, penalty and date as line 2" in problems[0].render()
    _, problems = parse_penalties(b"natinf;peine\r\n", KNOWN)
    assert problems[0].render().startswith("line 1: header must be exactly")
    _, problems = parse_penalties(_file("11;principale"), KNOWN)
    assert problems[0].render() == "line 2: 2 fields, expected 12"
    _, problems = parse_penalties(b"", KNOWN)
    assert problems[0].render() == "line 1: the file is empty"


def test_penalty_releases_version_and_withdraw_rows(
    db_session: Session, store: BulkStore, import_rows: ImportRows
) -> None:
    import_rows(OFFICIAL, "2026-01-01")
    first = _file(
        "11;principale;amende;Amende;;non;15000;art. 227-3;cit;2002-01-01;;src",
        "13;principale;amende;Amende;;non;30000;art. 434-38;cit;2002-01-01;;src",
    )
    summary = import_penalties(db_session, first, published_on=date(2026, 2, 1), store=store)
    assert (summary["added"], summary["created"]) == (2, True)
    assert (
        import_penalties(db_session, first, published_on=date(2026, 3, 1), store=store)["created"]
        is False
    )
    second = _file("11;principale;amende;Amende;;non;16000;art. 227-3;cit;2002-01-01;;src")
    summary = import_penalties(db_session, second, published_on=date(2026, 4, 1), store=store)
    assert (summary["added"], summary["changed"], summary["retired"]) == (0, 1, 1)
    current = repo.current_penalties(db_session)
    assert [(p.natinf, p.max_amount_eur) for p in current] == [(11, Decimal(16000))]
    files = {f.name for f in releases_repo.release_files(db_session, summary["release"])}
    assert files == {"penalties.csv", "penalties.json"}
    with pytest.raises(ImportRejectedError):
        import_penalties(db_session, _file("5;x"), published_on=date(2026, 5, 1), store=store)
