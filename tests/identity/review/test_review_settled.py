"""A decision that settles other suggestions says which and why (issue 13: one "même personne"
closed six other suggestions without a word), in the API answer, on the confirmation the next
page shows, and on each settled suggestion's own page."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from page_helpers import hidden
from sqlalchemy.orm import Session

from identity.models import MatchSuggestion


def _twin_suggestion(db_session: Session, pair: dict[str, Any]) -> int:
    """A second pending suggestion between the same two persons (the other way round), as
    resolve opens when a third record resembles both."""
    now = datetime.now(UTC)
    extra = MatchSuggestion(
        record_id=pair["record_a"],
        candidate_record_id=pair["record_b"],
        match_probability=0.93,
        match_weight=3.7,
        contributions="{}",
        model_version="test",
        status="pending",
        version=1,
        created_at=now,
        updated_at=now,
    )
    db_session.add(extra)
    db_session.commit()
    return int(extra.id)


def test_the_api_lists_the_suggestions_a_decision_settled_with_why(
    client: TestClient,
    make_pair: Callable[..., Any],
    db_session: Session,
    reviewer: dict[str, str],
) -> None:
    pair = make_pair("S1")
    twin = _twin_suggestion(db_session, pair)
    version = client.get(f"/v1/reviews/{pair['id']}", headers=reviewer).json()["version"]
    answer = client.post(
        f"/v1/reviews/{pair['id']}/decision",
        json={"decision": "different", "reason": "nés à Lyon et à Oran", "version": version},
        headers=reviewer,
    ).json()
    assert answer["settled_reviews"] == 1
    assert [s["id"] for s in answer["settled"]] == [twin]
    assert answer["settled"][0]["sources"] == ["CASSIOPEE", "GENESIS"]
    assert "déclarées différentes" in answer["settled"][0]["why"]


def test_the_confirmation_shows_and_links_the_settled_suggestions(
    web: TestClient, make_pair: Callable[..., Any], db_session: Session
) -> None:
    pair = make_pair("S2")
    twin = _twin_suggestion(db_session, pair)
    page = web.get(f"/revue/suggestions/{pair['id']}")
    decided = web.post(
        f"/revue/suggestions/{pair['id']}/decision",
        data={
            "decision": "same",
            "version": hidden(page.text, "version"),
            "csrf_token": hidden(page.text, "csrf_token"),
        },
    )
    assert decided.status_code == 200  # followed to the queue: nothing left to review
    text = html.unescape(decided.text)
    assert f"Décision enregistrée sur la suggestion n° {pair['id']} : même personne" in text
    assert "Elle a aussi réglé 1 autre suggestion" in text
    assert f'href="/revue/suggestions/{twin}"' in text
    assert "appartiennent désormais à la même personne" in text

    settled = html.unescape(web.get(f"/revue/suggestions/{twin}").text)
    assert "Traitée" in settled
    assert f'prise sur la <a href="/revue/suggestions/{pair["id"]}">' in settled
    assert "réglée sans décision propre" in settled


def test_a_decision_that_settles_nothing_says_so(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    first, second = make_pair("S3", nom="GAMMA"), make_pair("S4", nom="DELTA")
    page = web.get(f"/revue/suggestions/{first['id']}")
    decided = web.post(
        f"/revue/suggestions/{first['id']}/decision",
        data={
            "decision": "unsure",
            "reason": "à vérifier",
            "version": hidden(page.text, "version"),
            "csrf_token": hidden(page.text, "csrf_token"),
        },
    )
    assert f"/revue/suggestions/{second['id']}" in str(decided.url)
    assert "Aucune autre suggestion n'a été réglée" in html.unescape(decided.text)
