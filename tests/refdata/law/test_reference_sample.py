"""The 35 offences of the programme's reference sample of penalties still agree with the dataset.

``datasets/penalties_law/reference_sample_check.csv`` records, for each row of the sample
(``sentences_real.csv``, read from the same corpus commit; the sample itself stays outside the
repository), the maximum prison term and fine the sample gives and the alinéa of the article
the dataset read them from. ``check_reference_sample.py`` wrote it; this test keeps it true as
the parser changes.
"""

from __future__ import annotations

import csv
import io

import pytest

from refdata.law.dataset import DATASET_DIR, PENALTIES_FILE

CHECK_FILE = "reference_sample_check.csv"


def _rows(name: str) -> list[dict[str, str]]:
    text = (DATASET_DIR / name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


SAMPLE = _rows(CHECK_FILE)
PENALTIES = _rows(PENALTIES_FILE)


def _months(text: str) -> tuple[str, str]:
    if not text:
        return "", "non"
    if text == "perpétuité":
        return "", "oui"
    number, unit = text.split()
    return str(int(number) * (12 if unit.startswith("an") else 1)), "non"


def test_every_sample_row_was_compared_and_agreed() -> None:
    assert len(SAMPLE) == 35
    assert {row["verdict"] for row in SAMPLE} == {"agrees"}


@pytest.mark.parametrize("row", SAMPLE, ids=lambda r: f"{r['code']}-{r['article']}")
def test_the_sample_maxima_are_the_dataset_maxima(row: dict[str, str]) -> None:
    alinea = row["dataset_statement"].split(":")[0].removeprefix("alinéa ")
    latest = [
        p
        for p in PENALTIES
        if p["code"] == row["code"]
        and p["article"] == row["article"]
        and not p["valid_to"]
        and p["alinea"] == alinea
    ]
    assert latest, "the statement the sample was compared with is gone"
    months, life = _months(row["sample_prison"])
    custodial = [p for p in latest if p["kind"] != "amende"]
    fines = [p for p in latest if p["kind"] == "amende"]
    if months or life == "oui":
        assert [(p["max_months"], p["life"]) for p in custodial] == [(months, life)]
    else:
        assert custodial == []
    if row["sample_fine_eur"]:
        assert [p["amount"] for p in fines] == [row["sample_fine_eur"]]
        assert {p["currency"] for p in fines} == {"EUR"}
    else:
        assert fines == []  # crimes of the sample: no fine stated


def test_known_later_changes_show_every_version_with_its_dates() -> None:
    flagged = [row for row in SAMPLE if row["known_later_change"] == "yes"]
    assert {(r["code"], r["article"]) for r in flagged} == {
        ("code-penal", "226-4"),
        ("code-de-la-route", "L233-1"),
    }
    for row in flagged:
        versions = row["dataset_versions"].split(" | ")
        assert len(versions) >= 2
        assert all("->" in v for v in versions)
        assert "corpus" in row["note"]
