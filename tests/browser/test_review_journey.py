"""A reviewer's journey in a real browser, against the real service with the demo loaded.

Log in with a token, open the queue, decide "same" on one suggestion and "different" on the
next with the keyboard only, check through the API that the persons merged, run
``srj registry relink`` and check that the cannot-link held, undo the merge on the person's
page and check the identifiers; meet a stale page (409); read the statistics. A screenshot of
each page lands in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from browser_support import LiveServer, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SUGGESTION_URL = re.compile(r"/revue/suggestions/(\d+)")


def _review_id(page: Page) -> int:
    match = SUGGESTION_URL.search(page.url)
    assert match, page.url
    return int(match.group(1))


def _refs(person: dict[str, Any]) -> set[tuple[str, str]]:
    return {(s, r["source_ref"]) for s, rs in person["records_by_source"].items() for r in rs}


class Api:
    def __init__(self, server: LiveServer, subject: str) -> None:
        self.base = server.base_url
        self.headers = {"Authorization": "Bearer " + server.token("reviewer", subject)}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(self.base + path, headers=self.headers, timeout=30, **kwargs)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(self.base + path, json=body, headers=self.headers, timeout=30)

    def review(self, review_id: int) -> dict[str, Any]:
        response = self.get(f"/v1/reviews/{review_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def person(self, person_id: str) -> httpx.Response:
        return self.get(f"/v1/persons/{person_id}", follow_redirects=False)


def _login_with_keyboard(page: Page, server: LiveServer, token: str) -> None:
    page.goto(server.base_url + "/revue/")
    expect(page).to_have_url(re.compile(r"/revue/connexion"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    screenshot(page, "01-connexion")
    page.get_by_label("Jeton d'accès").focus()
    page.keyboard.insert_text(token)
    page.keyboard.press("Tab")  # to the "Se connecter" button
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("File de revue")


def test_reviewer_decides_with_the_keyboard_and_undoes_a_merge(
    page: Page, live_server: LiveServer
) -> None:
    alice = Api(live_server, "alice")
    pending = alice.get("/v1/reviews").json()
    assert pending["counts"]["pending"] >= 3, "the demo must leave suggestions to review"

    _login_with_keyboard(page, live_server, live_server.token("reviewer", "alice"))
    screenshot(page, "02-file-de-revue")

    # Open the first suggestion from the queue, with the keyboard.
    page.get_by_role("link", name=re.compile("Commencer la revue")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(SUGGESTION_URL)
    first = _review_id(page)
    expect(page.get_by_role("heading", name="Identités comparées")).to_be_visible()
    expect(page.get_by_role("heading", name="Les indices du modèle")).to_be_visible()
    screenshot(page, "03-suggestion")
    before = alice.review(first)
    assert before["left"]["person_id"] != before["right"]["person_id"]

    # "same": M then Ctrl+Enter; the next suggestion opens at once.
    page.keyboard.press("m")
    expect(page.get_by_label(re.compile("Même personne"))).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(re.compile(rf"fait=same&n={first}$"))
    second = _review_id(page)
    assert second != first
    expect(page.get_by_role("status")).to_contain_text(f"suggestion n° {first}")
    screenshot(page, "10-confirmation")

    after = alice.review(first)
    assert after["status"] == "closed"
    assert [(d["decision"], d["reviewer"]) for d in after["decisions"]] == [("same", "alice")]
    survivor = after["left"]["person_id"]
    assert after["right"]["person_id"] == survivor
    merged = ({before["left"]["person_id"], before["right"]["person_id"]} - {survivor}).pop()
    redirect = alice.person(merged)
    assert redirect.status_code == 308
    assert redirect.json()["merged_into"] == survivor

    # "different": D, type the reason, Ctrl+Enter.
    page.keyboard.press("d")
    expect(page.get_by_label(re.compile("Personnes différentes"))).to_be_checked()
    expect(page.get_by_label(re.compile("^Motif"))).to_be_focused()
    page.keyboard.type("Dates de naissance différentes, vérifiées sur les deux dossiers")
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(re.compile(rf"fait=different&n={second}$"))
    different = alice.review(second)
    assert [d["decision"] for d in different["decisions"]] == ["different"]
    apart = (different["left"]["person_id"], different["right"]["person_id"])
    assert apart[0] != apart[1]

    # Re-linkage honours both decisions: the merge holds, the cannot-link holds.
    live_server.srj("registry", "relink", timeout=1800)
    relinked = alice.review(second)
    assert relinked["left"]["person_id"] != relinked["right"]["person_id"]
    still = alice.review(first)
    assert still["left"]["person_id"] == still["right"]["person_id"]
    survivor = still["left"]["person_id"]

    # A page left open while another reviewer decides: 409, explained.
    page.goto(f"{live_server.base_url}/revue/suivante")
    expect(page).to_have_url(SUGGESTION_URL)
    third = _review_id(page)
    bob = Api(live_server, "bob")
    version = bob.review(third)["version"]
    assert (
        bob.post(
            f"/v1/reviews/{third}/decision",
            {"decision": "unsure", "version": version, "reason": "à voir avec le parquet"},
        ).status_code
        == 200
    )
    page.keyboard.press("m")
    with page.expect_response(re.compile(rf"/revue/suggestions/{third}/decision")) as answer:
        page.keyboard.press("Control+Enter")
    assert answer.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("a changé depuis que vous l'avez ouverte")
    expect(page.get_by_label(re.compile("Même personne"))).not_to_be_checked()
    screenshot(page, "04-suggestion-perimee")

    # Undo the merge from the survivor's history page, with the keyboard.
    page.goto(f"{live_server.base_url}/revue/personnes/{survivor}")
    expect(page.get_by_role("heading", name="Historique")).to_be_visible()
    screenshot(page, "05-historique-personne")
    page.locator(f'textarea[id="motif-{merged}"]').focus()
    page.keyboard.type("Fusion erronée : lieux de naissance incompatibles")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"annule="))
    expect(page.get_by_role("status").first).to_contain_text("Fusion annulée")
    screenshot(page, "06-fusion-annulee")

    restored = alice.person(merged)
    assert restored.status_code == 200
    assert restored.json()["status"] == "active"
    kept = alice.person(survivor)
    assert kept.status_code == 200
    assert _refs(restored.json()).isdisjoint(_refs(kept.json()))
    undone = alice.review(first)
    assert undone["left"]["person_id"] != undone["right"]["person_id"]

    page.goto(f"{live_server.base_url}/revue/statistiques")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques de la revue")
    screenshot(page, "07-statistiques")
