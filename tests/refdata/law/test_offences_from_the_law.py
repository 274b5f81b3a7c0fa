"""Offences read with the penalties of the alinéas their "Réprimée par" cites, and sentence
checks that use them, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.law.loader import load_law
from refdata.releases.storage import BulkStore
from tests.refdata.conftest import ImportRows
from tests.refdata.law.conftest import MakeDataset
from tests.refdata.natinf_samples import OFFICIAL


@pytest.fixture
def loaded(
    db_session: Session, make_law_dataset: MakeDataset, store: BulkStore, import_rows: ImportRows
) -> None:
    # The NATINF codes are published in 2026; the facts below are older: the reads answer
    # with the earliest version ("before_history") and the law of the date of the facts.
    import_rows(OFFICIAL, "2026-01-26")
    load_law(db_session, make_law_dataset(), store=store, published_on=date(2026, 12, 1))
    db_session.commit()


def law_penalties(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["kind"], p["max_months"], p["law"]["amount"], p["law"]["currency"], p["valid_from"])
        for p in body["penalties"]
        if p["derived"] and p["law"]
    ]


@pytest.mark.usefixtures("loaded")
def test_an_offence_carries_the_penalties_of_the_law_as_of_two_dates(client: TestClient) -> None:
    # NATINF 7: "ART.L.163-2 AL.1, ART.L.163-6 AL.1, AL.2 C.M.F." — no curated penalty.
    before = client.get("/v1/offences/7", params={"as_of": "2001-06-01"}).json()
    after = client.get("/v1/offences/7", params={"as_of": "2012-06-01"}).json()
    assert before["before_history"] is True
    assert law_penalties(before) == [
        ("emprisonnement", 60, None, None, "2001-01-01"),
        ("amende", None, 2500000.0, "FRF", "2001-01-01"),
    ]
    assert law_penalties(after) == [
        ("emprisonnement", 60, None, None, "2002-01-01"),
        ("amende", None, 375000.0, "EUR", "2002-01-01"),
    ]
    fine = next(p for p in after["penalties"] if p["kind"] == "amende")
    assert fine["max_amount_eur"] == 375000.0
    assert fine["article"] == "Code monétaire et financier, art. L163-2, al. 1"
    assert fine["law"]["version"] == 2
    assert "375 000 euros" in fine["citation"]
    assert after["law"]["as_of_covered"] is True
    assert {(a["article"], a["version"]) for a in after["law"]["articles"]} == {
        ("L163-2", 2),
        ("L163-6", 2),
    }


@pytest.mark.usefixtures("loaded")
def test_after_the_corpus_the_law_penalties_say_they_are_not_covered(
    client: TestClient,
) -> None:
    body = client.get("/v1/offences/7", params={"as_of": "2026-06-01"}).json()
    assert body["in_force"] is True
    assert body["law"]["as_of_covered"] is False
    assert all(p["law"]["as_of_covered"] is False for p in body["penalties"] if p["law"])


@pytest.mark.usefixtures("loaded")
def test_the_sentence_check_works_on_a_delit_without_curated_penalty(
    client: TestClient,
) -> None:
    def check(on: str, **sentence: Any) -> dict[str, Any]:
        response = client.post(
            "/v1/sentence-checks", json={"natinf": 7, "date": on, "sentence": sentence}
        )
        assert response.status_code == 200
        return response.json()

    too_long = check("2012-06-01", imprisonment_months=72, fine_eur=100000)
    assert too_long["legal"] is False
    assert [r["rule"] for r in too_long["reasons"]] == ["imprisonment_above_maximum"]
    assert "L163-2, al. 1" in too_long["reasons"][0]["source"]
    assert "read from the law" in too_long["reasons"][0]["source"]

    within = check("2012-06-01", imprisonment_months=48, fine_eur=375000)
    assert within["legal"] is True
    assert {n["rule"] for n in within["notes"]} == {"before_history"}

    # In 2001 the fine was 2 500 000 F, i.e. 381 122.54 EUR at the fixed rate.
    francs = check("2001-06-01", fine_eur=400000)
    assert [r["rule"] for r in francs["reasons"]] == ["fine_above_maximum"]
    assert "381122.54 EUR" in francs["reasons"][0]["message"]
    assert "converted_from_francs" in {n["rule"] for n in francs["notes"]}

    # After the corpus, the law's maxima are not applied: noted, never a failure.
    later = check("2024-06-01", imprisonment_months=72)
    assert later["legal"] is True
    assert later["complete"] is False
    assert "law_after_corpus" in {n["rule"] for n in later["notes"]}


@pytest.mark.usefixtures("loaded")
def test_several_cases_in_the_cited_alineas_check_the_highest_and_say_so(
    client: TestClient, import_rows: ImportRows
) -> None:
    # A code citing the whole of art. 311-4 (base, two and three circumstances).
    import_rows(
        [
            *OFFICIAL,
            ("999001", "Délit", "VOL AGGRAVE (TEST)", "ART.311-4 C.PENAL.", "ART.311-4 C.PENAL."),
        ],
        "2026-02-01",
    )
    body = client.post(
        "/v1/sentence-checks",
        json={"natinf": 999001, "date": "2012-06-01", "sentence": {"imprisonment_months": 96}},
    ).json()
    assert body["legal"] is True  # 8 years: within the 10 years of three circumstances
    assert "several_statements" in {n["rule"] for n in body["notes"]}
    assert body["complete"] is False


def test_every_seed_delit_citing_a_parsed_article_gets_its_penalties(
    db_session: Session, store: BulkStore
) -> None:
    """The whole NATINF seed and the whole law dataset: each code whose "Réprimée par" cites
    an article with parsed penalties shows them (a délit: the law's; a contravention: the
    maximum of its class, which the R. article states)."""
    from refdata.law.cited import LawIndex
    from refdata.law.dataset import DATASET_DIR
    from refdata.natinf.models import OffenceVersion
    from refdata.natinf.natures import nature_of_label
    from refdata.natinf.offences import get_offence
    from refdata.natinf.service import import_natinf

    seed = DATASET_DIR.parent / "natinf" / "natinf.csv"
    import_natinf(db_session, seed.read_bytes(), published_on=date(2026, 1, 26), store=store)
    load_law(db_session, store=store, published_on=date(2026, 12, 1))
    db_session.flush()
    index = LawIndex.load(db_session)
    on = date(2014, 6, 1)
    delits_with_law = set()
    for version in db_session.scalars(select(OffenceVersion)):
        cited = index.cited(version.repressed_by_refs, on)
        if not cited.penalties:
            continue
        nature = nature_of_label(version.nature)
        body = get_offence(db_session, version.natinf, as_of=on, history=False)
        kinds = {p["kind"] for p in body["penalties"]}
        if nature is not None and nature.category == "contravention":
            assert "amende_contraventionnelle" in kinds, version.natinf
        else:
            assert any(p["law"] for p in body["penalties"]), version.natinf
            delits_with_law.add(version.natinf)
    # The seed's délits whose cited articles the corpus holds (16 cites the CESEDA's 2021
    # numbering, 180 the Code de la santé publique, both absent from the corpus).
    assert delits_with_law == {7, 8, 11, 13, 6163, 7536}
