"""The review pages speak plain, consistent French (issue 13): no English message, French role
names, singular badges, each tab's own order, model jargon kept for a details panel."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from page_helpers import bearer, hidden, login


def _text(response_text: str) -> str:
    return html.unescape(response_text)


def test_a_mistyped_person_identifier_is_explained_in_french(web: TestClient) -> None:
    page = web.get("/revue/personnes/7ZQK3M9XH2B0CA")
    assert page.status_code == 404
    text = _text(page.text)
    assert "Le caractère de contrôle ne correspond pas" in text
    assert "check symbol" not in text


def test_refusals_name_the_role_in_french(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    assert login(client, bearer(token, "statistician", "sam")).status_code == 303
    refused = _text(client.get("/revue/").text)
    assert "le rôle « relecteur »" in refused
    assert "reviewer" not in refused
    client.cookies.clear()
    wrong = _text(login(client, bearer(token, "application", "app")).text)
    assert "rôle relecteur, statisticien ou administrateur requis" in wrong


def test_badges_are_singular_and_each_tab_states_its_own_order(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    first, _ = make_pair("F1", nom="ALPHA"), make_pair("F2", nom="BETA")
    page = web.get(f"/revue/suggestions/{first['id']}")
    web.post(
        f"/revue/suggestions/{first['id']}/decision",
        data={
            "decision": "unsure",
            "reason": "à voir",
            "version": hidden(page.text, "version"),
            "csrf_token": hidden(page.text, "csrf_token"),
        },
    )
    escalated = _text(web.get(f"/revue/suggestions/{first['id']}").text)
    assert re.search(r'class="fr-badge[^"]*status-badge">Escaladée<', escalated)
    pending = _text(web.get("/revue/?statut=pending").text)
    closed = _text(web.get("/revue/?statut=closed").text)
    assert "Ordre de cette file : les plus lourdes de conséquences d'abord" in pending
    assert "Ordre de cette file : les plus récentes d'abord" in closed
    assert "lourdes de conséquences" not in closed
    counts = _text(web.get("/revue/").text)
    assert "1</span> escaladée<" in counts


def test_the_main_view_speaks_plain_french_and_keeps_the_figures_for_specialists(
    web: TestClient, make_pair: Callable[..., Any]
) -> None:
    pair = make_pair("P1")
    text = _text(web.get(f"/revue/suggestions/{pair['id']}").text)
    main, _, rest = text.partition('<details class="specialists"')
    details, _, after = rest.partition("</details>")
    visible = re.sub(r"<[^>]+>", " ", main + after).lower()
    words = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    for jargon in ("poids", "log₂", "log2", "bits", "rapport de vraisemblance", "test-fields-1"):
        assert jargon not in visible, jargon
    assert "rapport de vraisemblance" in details
    # In words: which way the model leans, what brings the records together, what is missing.
    assert "Le modèle penche" in words
    assert "Ce qui rapproche les deux fiches : même nom de naissance" in words
    assert "commune de naissance absent d'une des deux fiches" in words
    # Each clue's strength on an ordinal scale, not in bits.
    assert re.search(r"(faible|moyen|fort|très fort), (pour|contre)", words)


def test_statistics_count_in_french(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    assert login(client, bearer(token, "statistician", "sam")).status_code == 303
    text = _text(client.get("/revue/statistiques").text)
    assert "0 paire étiquetée" in text
    assert "0 relecteur actif" in text
