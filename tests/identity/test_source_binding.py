"""Records bound to their application: a token writes only the sources it carries (a claim,
or the configuration's mapping of its subject); the history names the actual writer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from registry_helpers import make_record
from typer.testing import CliRunner

from identity.config import RegistrySettings
from srj.settings import Settings, get_settings

Token = Callable[..., dict[str, str]]


def _post(client: TestClient, headers: dict[str, str], **kwargs: Any) -> Any:
    return client.post("/v1/records", json=make_record(**kwargs), headers=headers)


def _forbidden(response: Any) -> dict[str, Any]:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_a_token_writes_only_the_sources_of_its_claim(client: TestClient, token: Token) -> None:
    cassiopee = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    assert _post(client, cassiopee, ref="R1").status_code == 200
    body = _forbidden(_post(client, cassiopee, ref="E-1", source="GENESIS"))
    assert "GENESIS" in body["detail"]
    assert body["writable_sources"] == ["CASSIOPEE"]


def test_a_token_without_sources_writes_nothing(client: TestClient, token: Token) -> None:
    body = _forbidden(_post(client, token("application", subject="nobody"), ref="R1"))
    assert body["writable_sources"] == []
    assert "SRJ_REGISTRY_SOURCES_BY_SUBJECT" in body["detail"]


def test_the_configuration_maps_local_subjects_to_sources(
    client: TestClient, token: Token, registry_config: RegistrySettings
) -> None:
    registry_config.sources_by_subject = {"genesis-batch": ["GENESIS"]}
    batch = token("application", subject="genesis-batch")
    assert _post(client, batch, ref="E-1", source="GENESIS").status_code == 200
    _forbidden(_post(client, batch, ref="R1", source="CASSIOPEE"))
    # A claim adds to the mapping: the token may write both.
    both = token("application", subject="genesis-batch", sources=["APPI"])
    assert _post(client, both, ref="A-1", source="APPI").status_code == 200
    assert _post(client, both, ref="E-2", source="GENESIS").status_code == 200


def test_another_application_cannot_overwrite_a_record(client: TestClient, token: Token) -> None:
    genesis = token("application", subject="genesis", sources=["GENESIS"])
    made = _post(client, genesis, ref="E-1", source="GENESIS", nom="MARTIN")
    assert made.status_code == 200
    pid = made.json()["person_id"]
    cassiopee = token("application", subject="cassiopee", sources=["CASSIOPEE"])
    _forbidden(_post(client, cassiopee, ref="E-1", source="GENESIS", nom="DURAND"))
    export = client.get(f"/v1/persons/{pid}/export", headers=token("admin")).json()
    assert export["records"][0]["traits"]["nom_naissance"] == "MARTIN"
    assert {e["actor"] for e in export["events"]} == {"genesis"}


def test_the_history_names_the_actual_writer_of_an_update(client: TestClient, token: Token) -> None:
    prod = token("application", subject="genesis-prod", sources=["GENESIS"])
    night = token("application", subject="genesis-night", sources=["GENESIS"])
    pid = _post(client, prod, ref="E-1", source="GENESIS").json()["person_id"]
    updated = _post(client, night, ref="E-1", source="GENESIS", nom_usage="DURAND")
    assert updated.json()["status"] == "updated"
    assert updated.json()["person_id"] == pid
    again = _post(client, night, ref="E-1", source="GENESIS", nom_usage="DURAND")
    assert again.json()["status"] == "unchanged"
    person = client.get(f"/v1/persons/{pid}", headers=token("reviewer")).json()
    events = [(e["kind"], e["actor"], e["source"]) for e in person["events"]]
    assert ("record_linked", "genesis-prod", "GENESIS") in events
    # One event for the update, by its writer; none for the identical re-post.
    assert [e for e in events if e[0] == "record_updated"] == [
        ("record_updated", "genesis-night", "GENESIS")
    ]


def test_identity_provider_tokens_carry_sources_in_the_configured_claim(
    settings: Settings,
) -> None:
    from srj.auth import verify_token

    configured = settings.model_copy(update={"auth_sources_claim": "srj_sources"})
    now = int(time.time())
    claims = {
        "sub": "cassiopee",
        "roles": ["application"],
        "srj_sources": "CASSIOPEE APPI",  # space-separated, as OAuth scopes are
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "exp": now + 600,
    }
    value = jwt.encode(claims, settings.secret("auth_secret"), algorithm="HS256")
    principal = verify_token(configured, value)
    assert principal.sources == frozenset({"CASSIOPEE", "APPI"})
    assert verify_token(settings, value).sources == frozenset()


def test_srj_auth_token_sets_the_sources(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entrypoint.cli import app
    from srj.auth import verify_token

    monkeypatch.setenv("SRJ_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(
            app,
            [
                *("auth", "token", "--role", "application", "--subject", "cassiopee"),
                *("--source", "CASSIOPEE", "--source", "appi"),
            ],
        )
        assert ok.exit_code == 0, ok.output
        principal = verify_token(get_settings(), ok.stdout.strip())
        assert principal.sources == frozenset({"CASSIOPEE", "APPI"})
        bad = runner.invoke(
            app,
            ["auth", "token", "--role", "application", "--subject", "x", "--source", "CASS OPEE"],
        )
        assert bad.exit_code == 2
        assert "source" in bad.output
    finally:
        get_settings.cache_clear()
