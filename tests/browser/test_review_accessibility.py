"""Accessibility of the review pages (RGAA 4.1 / WCAG 2.1 AA), in a real browser.

axe-core (vendored from npm at a pinned version, tests/browser/vendor/) runs on every page a
reviewer meets — login, queue, suggestion, person history, statistics, the error pages, the
accessibility statement — and any serious or critical violation fails. A keyboard-only journey
checks the focus order and that errors stay written next to their field. Person identifiers
are selected whole by a double-click.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import LiveServer, screenshot
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = {"serious", "critical"}
SUGGESTION_URL = re.compile(r"/revue/suggestions/(\d+)")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core on the page as it is; returns the serious and critical violations."""
    page.evaluate(AXE)  # through the DevTools protocol: the page's CSP does not apply
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def assert_accessible(page: Page, what: str) -> None:
    found = axe_violations(page)
    summary = [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in found
    ]
    assert not found, f"{what}: {json.dumps(summary, ensure_ascii=False, indent=1)}"


def _login(page: Page, server: LiveServer, role: str, subject: str) -> None:
    page.goto(server.base_url + "/revue/connexion")
    page.get_by_label("Jeton d'accès").fill(server.token(role, subject))
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile("/connexion"))


def _pending(server: LiveServer) -> list[int]:
    headers = {"Authorization": "Bearer " + server.token("reviewer", "axel")}
    body = httpx.get(server.base_url + "/v1/reviews?limit=50", headers=headers, timeout=30).json()
    return [int(item["id"]) for item in body["items"]]


@pytest.fixture
def fresh(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Pages answered 401/403/404 on purpose log "Failed to load resource": see on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    tab.on("console", on_console)
    tab.on("response", on_response)
    try:
        yield tab
        # No page broke its own Content-Security-Policy nor failed to load a vendored file.
        assert not errors, errors
    finally:
        context.close()


def test_every_review_page_passes_axe(fresh: Page, live_server: LiveServer) -> None:
    page, base = fresh, live_server.base_url
    page.goto(base + "/revue/connexion")
    assert_accessible(page, "connexion")
    page.get_by_label("Jeton d'accès").fill("pas-un-jeton")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Jeton invalide")
    assert_accessible(page, "connexion refusée")
    page.goto(base + "/revue/accessibilite")
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert_accessible(page, "déclaration d'accessibilité")

    _login(page, live_server, "reviewer", "axel")
    for tab in ("pending", "escalated", "second_opinion", "closed"):
        page.goto(f"{base}/revue/?statut={tab}")
        assert_accessible(page, f"file {tab}")
    suggestion = _pending(live_server)[0]
    page.goto(f"{base}/revue/suggestions/{suggestion}")
    page.locator("#details-specialistes summary").click()  # the specialists' panel, open
    assert_accessible(page, "suggestion")
    person = page.locator("thead a[href^='/revue/personnes/']").first.get_attribute("href")
    assert person
    page.goto(base + person)
    assert_accessible(page, "historique d'une personne")
    page.goto(base + "/revue/statistiques")
    assert_accessible(page, "statistiques")
    for path, status in (
        ("/revue/suggestions/999999", 404),
        ("/revue/personnes/7ZQK3M9XH2B0CA", 404),
    ):
        response = page.goto(base + path)
        assert response is not None
        assert response.status == status
        assert_accessible(page, f"erreur {status} {path}")

    _login(page, live_server, "statistician", "sam")
    response = page.goto(base + "/revue/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("rôle « relecteur »")
    assert_accessible(page, "erreur 403")


def _tab_until(page: Page, selector: str, limit: int = 40) -> list[str]:
    """Presses Tab until ``selector`` has the focus; returns what got the focus on the way."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return (e.id ? '#' + e.id : e.tagName.toLowerCase()) + ' '"
                " + (e.innerText || e.value || '').trim().slice(0, 40); }"
            )
        )
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return seen
    raise AssertionError(f"{selector} never got the focus: {seen}")


def _focus_is_visible(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
            " || s.boxShadow !== 'none'; }"
        )
    )


def test_keyboard_only_journey_with_errors_next_to_their_field(
    fresh: Page, live_server: LiveServer
) -> None:
    page, base = fresh, live_server.base_url
    page.goto(base + "/revue/connexion")
    # Focus order: the skip links first, then the header, then the form in reading order.
    order = _tab_until(page, "#token")
    assert order[0].startswith("a Contenu"), order
    page.keyboard.insert_text(live_server.token("reviewer", "kim"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("File de revue")

    _tab_until(page, "#commencer")
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(SUGGESTION_URL)

    # No choice: the error is written next to the choices, and stays there.
    _tab_until(page, "#d-same", limit=200)
    after_choices = _tab_until(page, "#submit-decision")
    assert [o.split(" ")[0] for o in after_choices] == ["#reason", "#submit-decision"]
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    choice_error = page.locator("#choix-decision #choix-erreur")
    expect(choice_error).to_have_text(re.compile("Choisissez une décision"))
    page.wait_for_timeout(4500)  # it was only announced to screen readers for 4 s before
    expect(choice_error).to_be_visible()
    expect(page.locator("#choix-decision")).to_have_class(re.compile("fr-fieldset--error"))
    screenshot(page, "08-erreur-choix")

    # "different" without a reason: the error sits under the reason field, which is invalid.
    expect(page.locator("#d-same")).to_be_focused()
    page.keyboard.press("d")
    expect(page.get_by_label(re.compile("Personnes différentes"))).to_be_checked()
    expect(choice_error).to_have_count(0)
    reason = page.get_by_label(re.compile("^Motif"))
    expect(reason).to_be_focused()
    page.keyboard.press("Control+Enter")
    reason_error = page.locator("#motif-groupe #reason-erreur")
    expect(reason_error).to_have_text(re.compile("Un motif est obligatoire"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(4500)
    expect(reason_error).to_be_visible()
    screenshot(page, "09-erreur-motif")
    assert_accessible(page, "suggestion avec erreurs")

    page.keyboard.type("Nés le même jour dans deux pays différents, pièces vérifiées")
    expect(reason_error).to_have_count(0)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#confirmation")).to_contain_text("Décision enregistrée")
    expect(page.locator("#confirmation")).to_contain_text("personnes différentes")


def test_a_person_identifier_is_selected_whole_by_a_double_click(
    fresh: Page, live_server: LiveServer
) -> None:
    page = fresh
    _login(page, live_server, "reviewer", "lou")
    page.goto(f"{live_server.base_url}/revue/suggestions/{_pending(live_server)[0]}")
    link = page.locator("thead a[href^='/revue/personnes/']").first
    person_id = (link.get_attribute("href") or "").rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{14}", person_id), person_id
    page.goto(f"{live_server.base_url}/revue/personnes/{person_id}")
    shown = page.locator("h1 .pid")
    # Shown in groups of four for reading aloud...
    assert shown.locator(".pid-group").all_inner_texts() == [
        person_id[i : i + 4] for i in range(0, 14, 4)
    ]
    # ...yet a double-click on any group selects (and copies) the whole identifier.
    shown.locator(".pid-group").nth(2).dblclick()
    assert page.evaluate("() => window.getSelection().toString().trim()") == person_id


def test_the_axe_check_fails_on_a_page_with_violations(fresh: Page) -> None:
    """The check above can fail: a field without a label and a page without a language."""
    fresh.set_content("<html><body><main><input type='text'></main></body></html>")
    rules = {v["id"] for v in axe_violations(fresh)}
    assert {"label", "html-has-lang"} <= rules
