"""Loading the curated tariff files: all-or-nothing, every problem with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.errors import ImportRejectedError
from refdata.tariffs.loader import DEFAULT_DIRECTORY, FILES, load_tariffs
from refdata.tariffs.models import FixedFine, MaxFine

pytestmark = pytest.mark.usefixtures("tariffs_loaded")


def _copy(tmp_path: Path) -> Path:
    for name in FILES.values():
        shutil.copy(DEFAULT_DIRECTORY / name, tmp_path / name)
    return tmp_path


def _count(session: Session, model: type[FixedFine] | type[MaxFine]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_reloading_the_curated_files_changes_nothing(db_session: Session) -> None:
    result = load_tariffs(db_session)
    assert (result["added"], result["changed"], result["retired"]) == (0, 0, 0)
    assert result["created"] is False
    assert result["release"].startswith("tariffs-")
    assert result["unchanged"] > 60


def test_every_problem_is_reported_and_nothing_is_written(
    db_session: Session, tmp_path: Path
) -> None:
    directory = _copy(tmp_path)
    fixed = directory / FILES["fixed_fines"]
    lines = fixed.read_text(encoding="utf-8").splitlines()
    bad = [
        "4,general,forfaitaire,abc,2002-01-01,,in_force,confirmed,src,prov,",
        "6,general,forfaitaire,10,2002-01-01,,in_force,confirmed,src,prov,",
        "3,general,forfaitaire,68,2002-01-01,2001-01-01,in_force,confirmed,src,prov,",
        "3,general,forfaitaire,68,2002-01-01,,maybe,confirmed,src,prov,",
    ]
    fixed.write_text("\n".join([*lines, *bad]) + "\n", encoding="utf-8")
    (directory / FILES["max_fines"]).write_text("classe,amount_eur\n1,38\n", encoding="utf-8")
    before = (_count(db_session, FixedFine), _count(db_session, MaxFine))
    with pytest.raises(ImportRejectedError) as exc:
        load_tariffs(db_session, directory)
    rendered = [p.render() for p in exc.value.problems]
    n = len(lines)
    assert any(p.startswith(f"line {n + 1}") and "'abc'" in p for p in rendered)
    assert any(p.startswith(f"line {n + 2}") and "outside 1..5" in p for p in rendered)
    assert any(p.startswith(f"line {n + 3}") and "not after valid_from" in p for p in rendered)
    assert any(p.startswith(f"line {n + 4}") and "'maybe'" in p for p in rendered)
    assert any("amendes_maximales.csv: missing column" in p for p in rendered)
    assert (_count(db_session, FixedFine), _count(db_session, MaxFine)) == before


def test_overlapping_versions_are_refused(db_session: Session, tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / FILES["minimum_vital"]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("600.00,2024-06-01,2024-09-01,in_force,confirmed,src,prov,\n")
    with pytest.raises(ImportRejectedError) as exc:
        load_tariffs(db_session, directory)
    assert any("overlaps the previous version" in p.render() for p in exc.value.problems)


def test_a_corrected_amount_is_updated_and_reported(db_session: Session, tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / FILES["max_fines"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n4,750,,2005-04-01", "\n4,751,,2005-04-01"), encoding="utf-8")
    result = load_tariffs(db_session, directory)
    assert result["tables"]["max_fines"]["changed"] == 1
    assert result["added"] == result["retired"] == 0
    assert (result["created"], result["changed"]) == (True, 1)
