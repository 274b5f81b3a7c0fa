"""Fixtures of the review workflow's tests: suggestions made through the real resolve flow.

The registry's controllable matcher (``registry_fakes.FieldsMatcher``) scores each of four
fields +5 / -5 / 0 over a prior of -8: a record agreeing on three fields with the fourth
missing scores 7 (probability 0.992), inside the review band [0.9, 0.999): the registry makes
it a new person and opens a suggestion, which is what reviewers work on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from page_helpers import bearer, login
from registry_helpers import record_id_of
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.models import MatchSuggestion
from identity.review.config import ReviewSettings, get_review_settings
from identity.review.deps import get_model_for_statistics


@pytest.fixture
def review_settings() -> ReviewSettings:
    return ReviewSettings(second_opinion_rate=0.0)


@pytest.fixture
def app(app: FastAPI, review_settings: ReviewSettings, matcher: Any) -> FastAPI:
    app.dependency_overrides[get_review_settings] = lambda: review_settings
    app.dependency_overrides[get_model_for_statistics] = lambda: matcher
    return app


@pytest.fixture
def reviewer(token: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token("reviewer", subject="alice")


Pair = dict[str, Any]


@pytest.fixture
def make_pair(
    post: Callable[..., dict[str, Any]], db_session: Session, crypto: RegistryCrypto
) -> Callable[..., Pair]:
    """``make_pair("A", source_b="GENESIS", nom="DURAND")`` posts two records of what may be one
    person (the second without birthplace) and returns the suggestion between them."""

    def make(
        tag: str,
        *,
        nom: str = "MARTIN",
        prenoms: str = "JEAN",
        dn: str = "1980-01-02",
        commune: str = "75056",
        source_a: str = "CASSIOPEE",
        source_b: str = "GENESIS",
    ) -> Pair:
        first = post(
            f"{tag}-1",
            source=source_a,
            nom=nom,
            prenoms=prenoms,
            dn=dn,
            commune=commune,
            record_id=f"row-{tag}-1",
        )
        second = post(
            f"{tag}-2",
            source=source_b,
            nom=nom,
            prenoms=prenoms,
            dn=dn,
            commune=None,
            record_id=f"row-{tag}-2",
        )
        assert second["status"] == "pending_review", second
        a = record_id_of(db_session, crypto, source_a, f"{tag}-1")
        b = record_id_of(db_session, crypto, source_b, f"{tag}-2")
        suggestion = db_session.scalars(
            select(MatchSuggestion).where(
                MatchSuggestion.record_id == b, MatchSuggestion.candidate_record_id == a
            )
        ).one()
        return {
            "id": suggestion.id,
            "person_a": first["person_id"],
            "person_b": second["person_id"],
            "record_a": a,
            "record_b": b,
        }

    return make


@pytest.fixture
def read_review(client: TestClient, reviewer: dict[str, str]) -> Callable[[int], dict[str, Any]]:
    def read(review_id: int) -> dict[str, Any]:
        response = client.get(f"/v1/reviews/{review_id}", headers=reviewer)
        assert response.status_code == 200, response.text
        return response.json()

    return read


@pytest.fixture
def web(client: TestClient, token: Callable[..., dict[str, str]]) -> TestClient:
    """The test client with a reviewer (alice) signed in on the pages."""
    response = login(client, bearer(token, "reviewer", "alice"))
    assert response.status_code == 303
    return client
