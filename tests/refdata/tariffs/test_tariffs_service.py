"""Lookups the sentence checks rely on: maximum and fixed fines by class and date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from refdata.tariffs.service import (
    TariffLookupError,
    fixed_fines_for_class,
    max_fine_for_class,
)

pytestmark = pytest.mark.usefixtures("tariffs_loaded")


@pytest.mark.parametrize(
    ("classe", "amount", "recidivism"),
    [(1, "38", None), (2, "150", None), (3, "450", None), (4, "750", None), (5, "1500", "3000")],
)
def test_max_fine_per_class_art_131_13(
    db_session: Session, classe: int, amount: str, recidivism: str | None
) -> None:
    rule = max_fine_for_class(db_session, classe, date(2026, 6, 1))
    assert rule is not None
    assert rule.amount_eur == Decimal(amount)
    assert rule.recidivism_amount_eur == (Decimal(recidivism) if recidivism else None)
    assert "131-13" in rule.source
    assert rule.valid_from == date(2005, 4, 1)


def test_max_fine_before_any_recorded_version_is_none(db_session: Session) -> None:
    assert max_fine_for_class(db_session, 4, date(1999, 12, 31)) is None


def test_max_fine_rejects_a_class_that_does_not_exist(db_session: Session) -> None:
    with pytest.raises(TariffLookupError, match="1 to 5"):
        max_fine_for_class(db_session, 6, date(2026, 1, 1))


def test_fifth_class_fixed_fine_starts_with_decree_2020_357(db_session: Session) -> None:
    before = fixed_fines_for_class(db_session, 5, date(2020, 3, 28))
    after = fixed_fines_for_class(db_session, 5, date(2020, 3, 29))
    assert before is None
    assert after is not None
    assert after.forfaitaire is not None
    assert after.forfaitaire.amount_eur == Decimal("200")
    assert after.majoree is not None
    assert after.majoree.amount_eur == Decimal("450")
    assert after.minoree is None
    assert "2020-357" in after.forfaitaire.source


def test_fourth_class_schedule(db_session: Session) -> None:
    schedule = fixed_fines_for_class(db_session, 4, date(2026, 11, 1))
    assert schedule is not None
    assert schedule.minoree is not None
    assert schedule.minoree.amount_eur == Decimal("90")
    assert schedule.forfaitaire is not None
    assert schedule.forfaitaire.amount_eur == Decimal("135")
    assert schedule.majoree is not None
    assert schedule.majoree.amount_eur == Decimal("375")
    assert schedule.minoree.status == "partly_confirmed"


def test_parking_fine_of_2011_is_history_only(db_session: Session) -> None:
    in_2015 = fixed_fines_for_class(db_session, 1, date(2015, 1, 1), category="stationnement")
    in_2019 = fixed_fines_for_class(db_session, 1, date(2019, 1, 1), category="stationnement")
    assert in_2015 is not None
    assert in_2015.forfaitaire is not None
    assert in_2015.forfaitaire.amount_eur == Decimal("17")
    assert in_2019 is None
