"""Loading the curated courts: all-or-nothing, every problem with its file and line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.courts.loader import DEFAULT_DIRECTORY, load_courts
from refdata.courts.models import CourtRessort, CourtVersion
from refdata.errors import ImportRejectedError

pytestmark = pytest.mark.usefixtures("courts_loaded")


def _copy(tmp_path: Path) -> Path:
    for name in ("courts.csv", "ressorts.csv"):
        shutil.copy(DEFAULT_DIRECTORY / name, tmp_path / name)
    return tmp_path


def _append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))


def _counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(CourtVersion)) or 0,
        session.scalar(select(func.count()).select_from(CourtRessort)) or 0,
    )


def test_reloading_the_curated_files_changes_nothing(db_session: Session) -> None:
    result = load_courts(db_session)
    assert result.courts["added"] == result.courts["changed"] == result.courts["removed"] == 0
    assert result.ressorts["unchanged"] == _counts(db_session)[1]


def test_bad_rows_are_all_reported_and_nothing_is_written(
    db_session: Session, tmp_path: Path
) -> None:
    directory = _copy(tmp_path)
    courts_lines = len((directory / "courts.csv").read_text(encoding="utf-8").splitlines())
    ressort_lines = len((directory / "ressorts.csv").read_text(encoding="utf-8").splitlines())
    _append(
        directory / "courts.csv",
        "tj-x,tribunal_de_police,Tribunal X,47001,Agen,ca-agen,2020-01-01,,in_force,src,",
        "tj-y,tribunal_judiciaire,Tribunal Y,99999,Nowhere,ca-agen,2020-01-01,,in_force,src,",
        "tj-z,tribunal_judiciaire,Tribunal Z,47001,Agen,ca-atlantis,2020-01-01,,in_force,src,",
        "tj-agen,tribunal_judiciaire,Doublon,47001,Agen,ca-agen,2021-01-01,,in_force,src,",
        "tj-w,tribunal_judiciaire,Tribunal W,47001,Agen,ca-agen,2020-13-01,,in_force,src,",
    )
    _append(
        directory / "ressorts.csv",
        "tj-atlantis,departement,47,territory,2020-01-01,,attested,src,",
        "tj-agen,canton,47,territory,2020-01-01,,attested,src,",
    )
    before = _counts(db_session)
    with pytest.raises(ImportRejectedError) as exc:
        load_courts(db_session, directory)
    rendered = [p.render() for p in exc.value.problems]
    first = courts_lines + 1

    def has(line: int, fragment: str) -> bool:
        return any(p.startswith(f"line {line}") and fragment in p for p in rendered)

    assert has(first + 4, "2020-13-01")  # the bad date stops the file before cross-checks
    assert has(ressort_lines + 2, "'canton'")
    assert _counts(db_session) == before

    # Once the syntax is right, the cross-file checks run and report the rest.
    directory = _copy(tmp_path)
    _append(
        directory / "courts.csv",
        "tj-y,tribunal_judiciaire,Tribunal Y,99999,Nowhere,ca-agen,2020-01-01,,in_force,src,",
        "tj-z,tribunal_judiciaire,Tribunal Z,47001,Agen,ca-atlantis,2020-01-01,,in_force,src,",
        "tj-agen,tribunal_judiciaire,Doublon,47001,Agen,ca-agen,2021-01-01,,in_force,src,",
    )
    _append(
        directory / "ressorts.csv", "tj-atlantis,departement,47,territory,2020-01-01,,attested,src,"
    )
    with pytest.raises(ImportRejectedError) as exc:
        load_courts(db_session, directory)
    rendered = [p.render() for p in exc.value.problems]
    assert has(first, "seat 99999")
    assert has(first + 1, "parent ca-atlantis")
    assert has(first + 2, "overlaps")
    assert has(ressort_lines + 1, "tj-atlantis")
    assert _counts(db_session) == before


def test_curated_csv_files_match_their_build_script() -> None:
    sys.path.insert(0, str(DEFAULT_DIRECTORY))
    try:
        import build_courts
    finally:
        sys.path.pop(0)
    assert build_courts.main(["--check"]) == 0
