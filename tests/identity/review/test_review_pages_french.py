"""The review pages speak plain, consistent French (issue 13): no English message, French role
names, singular badges, each tab's own order, model jargon kept for a details panel."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient


def _text(response_text: str) -> str:
    return html.unescape(response_text)


def test_a_mistyped_person_identifier_is_explained_in_french(web: TestClient) -> None:
    page = web.get("/revue/personnes/7ZQK3M9XH2B0CA")
    assert page.status_code == 404
    text = _text(page.text)
    assert "Le caractère de contrôle ne correspond pas" in text
    assert "check symbol" not in text
