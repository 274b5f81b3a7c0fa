"""Invariants of the courts data: every commune of metropolitan France and the DROM has at
least one tribunal judiciaire and exactly one cour d'appel, on any date since 2020."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from refdata.courts.service import courts_for_commune

pytestmark = pytest.mark.usefixtures("courts_loaded")

COG = Path(__file__).resolve().parents[3] / "datasets" / "cog" / "communes.csv"
with COG.open(encoding="utf-8") as fh:
    _rows = [r for r in csv.DictReader(fh) if r["zone"] in ("metro", "drom")]
CURRENT = sorted(r["code_insee"] for r in _rows if r["type"] == "commune-actuelle")
ANY_CODE = sorted({r["code_insee"] for r in _rows})  # déléguées, associées, arrondissements too
DEPARTEMENTS = sorted({r["departement"] for r in _rows})
# One commune per département, so that every département is exercised on every run.
FIRST_OF_DEPARTEMENT = sorted(
    {
        r["departement"]: r["code_insee"]
        for r in reversed(_rows)
        if r["type"] == "commune-actuelle"
    }.values()
)


def _check(db_session: Session, code: str, on: date) -> None:
    result = courts_for_commune(db_session, code, on)
    first = [c for c in result.courts if c.role == "first_instance"]
    appeal = [c for c in result.courts if c.role == "appeal"]
    assert first, code
    assert all(c.court.type == "tribunal_judiciaire" for c in first), code
    assert len(appeal) == 1, (code, [c.court.court_id for c in appeal])
    assert appeal[0].court.type == "cour_appel"
    assert result.ambiguous == (len(first) > 1)
    assert {c.court.parent_id for c in first} == {appeal[0].court.court_id}


def test_departements_cover_metropolitan_france_and_the_drom() -> None:
    assert len(DEPARTEMENTS) == 101
    assert len(FIRST_OF_DEPARTEMENT) == 101


@pytest.mark.parametrize("code", FIRST_OF_DEPARTEMENT)
def test_every_departement_has_a_tribunal_and_one_cour_d_appel(
    db_session: Session, code: str
) -> None:
    _check(db_session, code, date(2026, 11, 28))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    code=st.sampled_from(ANY_CODE),
    on=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
def test_any_commune_code_on_any_date_since_2020(db_session: Session, code: str, on: date) -> None:
    _check(db_session, code, on)
