"""Tokens an outside probe sent (issue 11): malformed roles claims, tokens signed with another
local key, ``srj auth token`` run from another directory, time zones of SQLite timestamps."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, select
from sqlalchemy.engine import Engine

from srj.auth import Principal, Role, issue_token, local_key_id, require_roles, verify_token
from srj.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _signed(settings: Settings, roles: Any, **extra: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "probe",
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "exp": now + 600,
        **extra,
    }
    if roles is not ...:
        claims["roles"] = roles
    return jwt.encode(claims, settings.secret("auth_secret"), algorithm="HS256")


@pytest.fixture
def guarded(app: FastAPI) -> FastAPI:
    router = APIRouter()

    @router.get("/_test/reviewers-only")
    def reviewers_only(
        principal: Principal = Depends(require_roles(Role.REVIEWER)),
    ) -> dict[str, str]:
        return {"subject": principal.subject}

    app.include_router(router)
    return app


@pytest.mark.parametrize(
    "roles",
    [
        5,
        None,
        "reviewer",
        [None, ["admin"]],
        {"reviewer": True},
        ["reviewer", "root"],
        [["reviewer"]],
    ],
    ids=["number", "null", "string", "nested", "object", "unknown-name", "list-in-list"],
)
def test_a_malformed_roles_claim_is_a_401_saying_why(
    guarded: FastAPI, client: TestClient, settings: Settings, roles: Any
) -> None:
    token = _signed(settings, roles)
    response = client.get("/_test/reviewers-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "roles claim must be a list of role names" in response.json()["detail"]


def test_a_well_formed_roles_claim_still_works(
    guarded: FastAPI, client: TestClient, settings: Settings
) -> None:
    for roles, status in ((["reviewer"], 200), ([], 403), (..., 403)):
        token = _signed(settings, roles)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/_test/reviewers-only", headers=headers).status_code == status


def test_a_token_signed_with_another_local_key_says_so(
    guarded: FastAPI, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    elsewhere = Settings(env="test", data_dir=tmp_path / "elsewhere" / "var")
    token = issue_token(elsewhere, subject="alice", roles=[Role.REVIEWER])
    assert jwt.get_unverified_header(token)["kid"] == local_key_id(elsewhere)
    response = client.get("/_test/reviewers-only", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    detail = response.json()["detail"]
    assert "signed with another local key" in detail
    assert local_key_id(elsewhere) in detail
    assert local_key_id(settings) in detail
    assert "SRJ_DATA_DIR" in detail
    # A token with no key id (forged, or from elsewhere): no guess, but no "expired" either.
    forged = jwt.encode(
        {"sub": "x", "roles": ["reviewer"], "exp": int(time.time()) + 60, "aud": "srj"},
        "not-our-key-" * 4,
        algorithm="HS256",
    )
    response = client.get("/_test/reviewers-only", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert "signature does not match" in response.json()["detail"]
    assert verify_token(settings, issue_token(settings, subject="a", roles=[])).subject == "a"


def test_the_default_data_dir_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    """``srj auth token`` run from another directory signs with the key the server uses (the
    checkout's var/), and creates no ./var/dev-secrets.json where it is run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRJ_")}
    script = (
        "from srj.settings import Settings; s = Settings(); "
        "print(s.data_dir); print(s.effective_database_url)"
    )
    here = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )
    there = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert here.returncode == 0, here.stderr
    assert here.stdout == there.stdout
    assert here.stdout.splitlines()[0] == str(REPO / "var")
    srj = Path(sys.executable).with_name("srj")
    data_dir = tmp_path / "data"
    token = subprocess.run(
        [str(srj), "auth", "token", "--role", "reviewer", "--subject", "alice"],
        cwd=tmp_path,
        env={**env, "SRJ_DATA_DIR": str(data_dir), "SRJ_LOG_JSON": "false"},
        capture_output=True,
        text=True,
    )
    assert token.returncode == 0, token.stderr
    assert "created a new local signing key" in token.stderr
    assert not (tmp_path / "var").exists()
    served = Settings(env="development", data_dir=data_dir)
    assert verify_token(served, token.stdout.strip()).subject == "alice"


def test_sqlite_timestamps_carry_their_time_zone(engine: Engine) -> None:
    """A ``DateTime(timezone=True)`` comes back aware and in UTC on SQLite as on PostgreSQL,
    whatever zone it was written in."""
    metadata = MetaData()
    table = Table(
        "_test_zones",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True)),
    )
    metadata.create_all(engine)
    try:
        paris = timezone(timedelta(hours=1))
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": 1, "at": datetime(2026, 1, 1, 12, tzinfo=paris)}])
            conn.execute(table.insert(), [{"id": 2, "at": datetime(2026, 1, 1, 11, tzinfo=UTC)}])
            rows = conn.execute(select(table.c.id, table.c.at).order_by(table.c.id)).all()
            same = conn.execute(
                select(table.c.id).where(table.c.at == datetime(2026, 1, 1, 12, tzinfo=paris))
            ).scalars()
            assert sorted(same) == [1, 2]
        for _, at in rows:
            assert at.utcoffset() == timedelta(0)
            assert at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    finally:
        metadata.drop_all(engine)
