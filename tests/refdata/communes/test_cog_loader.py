"""Loading COG millésimes: validation with line numbers, idempotence, history across millésimes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.communes.loader import COLUMNS, load_cog
from refdata.communes.models import Commune, CommuneSuccession
from refdata.communes.service import CommuneNotFoundError, resolve_commune
from refdata.errors import ImportRejectedError

pytestmark = pytest.mark.usefixtures("cog_loaded")
HEADER = ",".join(COLUMNS)


def _write(tmp_path: Path, lines: list[str], name: str = "communes.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[ImportRejectedError]) -> list[str]:
    return [p.render() for p in exc.value.problems]


def test_reloading_the_same_millesime_changes_nothing(db_session: Session) -> None:
    before = db_session.scalar(select(func.count()).select_from(Commune))
    result = load_cog(db_session)
    assert (result.added, result.closed, result.changed) == (0, 0, 0)
    assert result.unchanged == before


def test_every_problem_is_reported_with_its_line(db_session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "99001,Alpha,commune-actuelle,99,01,,,,10,metro",
            "9900X,Beta,commune-actuelle,99,01,,,,10,metro",  # bad code
            "99003,,commune-actuelle,99,01,,,,10,metro",  # empty name
            "99004,Delta,commune-nouvelle,99,01,,,,10,metro",  # unknown type
            "99001,Alpha bis,commune-actuelle,99,01,,,,10,metro",  # duplicate
            "99006,Zeta,commune-deleguee,99,01,,,,,metro",  # délégué with no commune
            "99007,Eta,commune-actuelle,99,01,,99001,,ten,metro",  # former code still current
        ],
    )
    with pytest.raises(ImportRejectedError) as exc:
        load_cog(db_session, path, date(2027, 1, 1))
    rendered = _problems(exc)
    assert any(p.startswith("line 3") and "INSEE code" in p for p in rendered)
    assert any(p.startswith("line 4") and "'nom'" in p for p in rendered)
    assert any(p.startswith("line 5") and "commune-nouvelle" in p for p in rendered)
    assert any(p.startswith("line 6") and "duplicate" in p for p in rendered)
    assert any(p.startswith("line 7") and "no current commune" in p for p in rendered)
    assert any(p.startswith("line 8") and "not an integer" in p for p in rendered)
    assert any(p.startswith("line 8") and "still a current commune" in p for p in rendered)
    # Nothing was written.
    assert resolve_commune(db_session, "14712", date(2027, 6, 1)).commune.nom == "Troarn"


def test_missing_column_and_empty_file(db_session: Session, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportRejectedError, match="1 problem"):
        load_cog(db_session, empty, date(2027, 1, 1))
    partial = tmp_path / "partial.csv"
    partial.write_text("code_insee,nom\n01001,X\n", encoding="utf-8")
    with pytest.raises(ImportRejectedError) as exc:
        load_cog(db_session, partial, date(2027, 1, 1))
    assert any("missing column" in p for p in _problems(exc))


def test_an_older_millesime_is_refused(db_session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, ["99001,Alpha,commune-actuelle,99,01,,,,10,metro"])
    with pytest.raises(ImportRejectedError) as exc:
        load_cog(db_session, path, date(2025, 1, 1))
    assert "older than the latest loaded (2026-01-01)" in _problems(exc)[0]


def test_a_newer_millesime_closes_merged_communes_and_keeps_them_resolving(
    db_session: Session, tmp_path: Path
) -> None:
    # Millésime 2027: the commune 01002 merges into 01001 (a made-up merger for the test).
    source = Path(__file__).resolve().parents[3] / "datasets" / "cog" / "communes.csv"
    lines = source.read_text(encoding="utf-8").splitlines()[1:]
    kept = [line for line in lines if not line.startswith("01002,")]
    kept = [
        line.replace(
            "01001,L'Abergement-Clémenciat,commune-actuelle,01,84,,,",
            "01001,L'Abergement-Clémenciat,commune-actuelle,01,84,,01002,",
            1,
        )
        for line in kept
    ]
    path = _write(tmp_path, kept)
    result = load_cog(db_session, path, date(2027, 1, 1))
    assert result.closed == 1
    assert result.changed == 0
    assert result.successions_added == 1

    in_2026 = resolve_commune(db_session, "01002", date(2026, 6, 1))
    in_2027 = resolve_commune(db_session, "01002", date(2027, 6, 1))
    assert in_2026.resolution == "current"
    assert in_2027.resolution == "merged"
    assert in_2027.commune.code_insee == "01001"
    closed = db_session.scalars(select(Commune).where(Commune.code_insee == "01002")).one()
    assert closed.valid_to == date(2027, 1, 1)
    succession = db_session.scalars(
        select(CommuneSuccession).where(CommuneSuccession.old_code == "01002")
    ).one()
    assert succession.valid_from == date(2027, 1, 1)
    with pytest.raises(CommuneNotFoundError):
        resolve_commune(db_session, "99999", date(2027, 6, 1))
