"""Helpers of the review pages' tests: log in through the form, read hidden form fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient


def bearer(token: Callable[..., dict[str, str]], role: str, subject: str) -> str:
    return token(role, subject=subject)["Authorization"].removeprefix("Bearer ")


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def login(client: TestClient, token_text: str, suite: str = "/revue/") -> Any:
    page = client.get(f"/revue/connexion?suite={suite}")
    assert page.status_code == 200
    return client.post(
        "/revue/connexion",
        data={"token": token_text, "csrf_token": hidden(page.text, "csrf_token"), "suite": suite},
        follow_redirects=False,
    )
