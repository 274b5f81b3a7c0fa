"""The foundation every domain relies on: probes, errors, request ids, schema guard, tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from srj.auth import Principal, Role, issue_token, require_roles, verify_token
from srj.db import make_engine
from srj.schema import SchemaOutdatedError, check_up_to_date
from srj.settings import Settings


class _EchoBody(BaseModel):
    year: int


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["instance"] == "/v1/does-not-exist"


def test_request_id_is_returned_and_propagated(client: TestClient) -> None:
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32
    assert (
        client.get("/health", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    # A request id that could smuggle content into logs is replaced, not echoed.
    unsafe = client.get("/health", headers={"X-Request-Id": "a b\tc"}).headers["x-request-id"]
    assert unsafe != "a b\tc"


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"].startswith("SRJ")
    assert "/health" in spec["paths"]


def test_service_refuses_outdated_schema(tmp_path: Path) -> None:
    from entrypoint.app import create_app
    from srj.schema import script_heads

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    if not script_heads(url):
        pytest.fail("the project must have at least one migration")
    with pytest.raises(SchemaOutdatedError, match="srj db upgrade"):
        create_app(Settings(env="test", data_dir=tmp_path, database_url=url))
    with pytest.raises(SchemaOutdatedError):
        check_up_to_date(make_engine(url))


def test_validation_errors_do_not_echo_input(app: FastAPI, client: TestClient) -> None:
    router = APIRouter()

    @router.post("/_test/echo")
    def echo(body: _EchoBody) -> dict[str, int]:
        return {"year": body.year}

    app.include_router(router)
    response = client.post("/_test/echo", json={"year": "DUPONT-SECRET"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "DUPONT-SECRET" not in response.text
    assert response.json()["errors"][0]["location"] == ["body", "year"]


def test_roles_are_enforced(app: FastAPI, client: TestClient, settings: Settings) -> None:
    router = APIRouter()

    @router.get("/_test/reviewers-only")
    def reviewers_only(
        principal: Principal = Depends(require_roles(Role.REVIEWER)),
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    app.include_router(router)
    assert client.get("/_test/reviewers-only").status_code == 401
    bad = client.get("/_test/reviewers-only", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    app_token = issue_token(settings, subject="app", roles=[Role.APPLICATION])
    assert (
        client.get(
            "/_test/reviewers-only", headers={"Authorization": f"Bearer {app_token}"}
        ).status_code
        == 403
    )
    rev = issue_token(settings, subject="alice", roles=[Role.REVIEWER])
    ok = client.get("/_test/reviewers-only", headers={"Authorization": f"Bearer {rev}"})
    assert ok.status_code == 200
    assert ok.json() == {"subject": "alice"}


def test_token_round_trip_and_expiry(settings: Settings) -> None:
    from srj.auth import InvalidTokenError

    token = issue_token(settings, subject="bob", roles=[Role.ADMIN, Role.STATISTICIAN])
    principal = verify_token(settings, token)
    assert principal.subject == "bob"
    assert principal.roles == {Role.ADMIN, Role.STATISTICIAN}
    expired = issue_token(settings, subject="bob", roles=[Role.ADMIN], ttl_seconds=-10)
    with pytest.raises(InvalidTokenError):
        verify_token(settings, expired)
    other = Settings(env="test", data_dir=settings.data_dir, auth_secret="another-secret-" * 3)
    with pytest.raises(InvalidTokenError):
        verify_token(other, token)
    short = Settings(env="test", data_dir=settings.data_dir, auth_secret="short-secret")
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        issue_token(short, subject="bob", roles=[Role.ADMIN])


def test_production_refuses_generated_secrets(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="SRJ_AUTH_SECRET"):
        Settings(env="production", data_dir=tmp_path).secret("auth_secret")


def test_nul_character_in_url_is_a_422_problem(client: TestClient) -> None:
    # PostgreSQL refuses NUL in text: without the guard this was a 500 on one backend only.
    for url, where in (
        ("/health?q=%00", "query"),
        ("/v1/offences?q=a%00b", "query"),
        ("/v1/offences/1%00", "path"),
    ):
        response = client.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["location"] == [where]


def test_validation_errors_are_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    documented = [
        (path, method, op["responses"]["422"]["content"])
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if "422" in op.get("responses", {})
    ]
    assert documented, "some endpoint validates its input"
    for path, method, content in documented:
        assert "application/problem+json" in content, (path, method)
        assert "application/json" not in content, (path, method)


def test_tokens_name_a_subject_that_fits_the_history_columns(settings: Settings) -> None:
    from srj.auth import MAX_SUBJECT_LENGTH

    for bad in ("", "x" * (MAX_SUBJECT_LENGTH + 1), "app\x00x", "app\nx"):
        with pytest.raises(ValueError, match="subject"):
            issue_token(settings, subject=bad, roles=[Role.APPLICATION])
    fits = issue_token(settings, subject="x" * MAX_SUBJECT_LENGTH, roles=[Role.APPLICATION])
    assert verify_token(settings, fits).subject == "x" * MAX_SUBJECT_LENGTH
