"""Loading the law dataset: all or nothing, idempotent, a release when something changed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.datasets import RELEASED_DATASETS
from refdata.errors import ImportRejectedError
from refdata.law.dataset import PENALTIES_FILE
from refdata.law.loader import load_law
from refdata.law.models import ArticleVersion, LawCorpus, LawPenalty
from refdata.releases.diffs import release_diff
from refdata.releases.storage import BulkStore
from tests.refdata.law.conftest import ARTICLES, MakeDataset


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_load_fills_the_tables_and_publishes_a_release(
    db_session: Session, make_law_dataset: MakeDataset, store: BulkStore
) -> None:
    directory = make_law_dataset()
    summary = load_law(db_session, directory, store=store, published_on=date(2026, 12, 1))
    assert summary["created"] is True
    assert summary["release"] == "law-2026-12-01"
    versions = count(db_session, ArticleVersion)
    assert versions == summary["tables"]["article_versions"] >= len(ARTICLES)
    assert count(db_session, LawPenalty) == summary["tables"]["penalties"] > 0
    corpus = db_session.scalar(select(LawCorpus))
    assert corpus is not None
    assert corpus.known_until == date(2015, 5, 7)
    assert summary["added"] == versions + summary["tables"]["penalties"]

    again = load_law(db_session, directory, store=store, published_on=date(2026, 12, 2))
    assert again["created"] is False
    assert again["tables"]["replaced"] is False


def test_an_altered_file_is_refused_and_nothing_is_written(
    db_session: Session, make_law_dataset: MakeDataset, store: BulkStore
) -> None:
    directory = make_law_dataset()
    path = directory / PENALTIES_FILE
    path.write_bytes(path.read_bytes().replace(b"15000", b"16000", 1))
    with pytest.raises(ImportRejectedError) as rejected:
        load_law(db_session, directory, store=store)
    assert "penalties.csv" in rejected.value.problems[0].message
    assert count(db_session, ArticleVersion) == 0


def test_a_change_of_penalty_is_in_the_next_release_diff(
    db_session: Session, make_law_dataset: MakeDataset, store: BulkStore
) -> None:
    first = load_law(db_session, make_law_dataset(), store=store, published_on=date(2026, 12, 1))
    smaller = make_law_dataset(ARTICLES - {("code-penal", "226-4")})
    second = load_law(db_session, smaller, store=store, published_on=date(2026, 12, 2))
    assert second["created"] is True
    diff = release_diff(db_session, RELEASED_DATASETS, second["release"], first["release"])
    retired = {(item["kind"], item["key"]) for item in diff["retired"]}
    assert ("article_version", "code-penal|226-4|2") in retired
    assert ("penalty", "code-penal|226-4|2|1|amende|2002-01-01") in retired
    assert diff["added"] == []
