"""The authorisation matrix: every registry endpoint against every role, and no token at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from registry_helpers import make_record

ROLES = ("application", "reviewer", "statistician", "admin")

# endpoint -> roles allowed (no role implies another)
MATRIX: dict[tuple[str, str], set[str]] = {
    ("POST", "/v1/records"): {"application"},
    ("POST", "/v1/records:batch"): {"application"},
    ("POST", "/v1/records:match"): {"application", "reviewer"},
    ("GET", "/v1/changes"): {"application"},
    ("GET", "/v1/records/CASSIOPEE/R1"): {"application", "reviewer"},
    ("GET", "/v1/persons/{pid}"): {"application", "reviewer"},
    ("GET", "/v1/persons/{pid}/sources"): {"application", "reviewer"},
    ("GET", "/v1/persons/{pid}/export"): {"admin"},
}


@pytest.fixture
def person_id(post: Callable[..., dict[str, Any]]) -> str:
    return post("R1")["person_id"]


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    if path.endswith(":batch"):
        return client.post(path, json={"records": [make_record("R9")]}, headers=headers)
    if method == "POST":
        return client.post(path, json=make_record("R9"), headers=headers)
    return client.get(path, headers=headers, follow_redirects=False)


def test_every_endpoint_against_every_role(
    client: TestClient, token: Callable[..., dict[str, str]], person_id: str
) -> None:
    from fastapi.routing import APIRoute

    from identity.api import router
    from identity.changes_api import router as changes_router
    from identity.records_api import router as records_router

    served = {
        (method, route.path.replace("{source_ref:path}", "{source_ref}"))
        for route in [*router.routes, *records_router.routes, *changes_router.routes]
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    templated = {
        (
            method,
            path.replace("CASSIOPEE/R1", "{source}/{source_ref}").replace("{pid}", "{person_id}"),
        )
        for method, path in MATRIX
    }
    # The matrix covers every route of the registry's router (the review routes test theirs).
    assert served == templated

    for (method, template), allowed in MATRIX.items():
        path = template.format(pid=person_id)
        anonymous = _call(client, method, path, {})
        assert anonymous.status_code == 401, (method, template)
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        bad = _call(client, method, path, {"Authorization": "Bearer not-a-token"})
        assert bad.status_code == 401, (method, template)
        for role in ROLES:
            # Every token may write CASSIOPEE records: only the role decides here.
            response = _call(client, method, path, token(role, sources=["CASSIOPEE"]))
            if role in allowed:
                assert response.status_code == 200, (method, template, role, response.text)
            else:
                assert response.status_code == 403, (method, template, role)
                assert response.headers["content-type"].startswith("application/problem+json")


def test_statistician_never_reads_traits(
    client: TestClient, token: Callable[..., dict[str, str]], person_id: str
) -> None:
    for path in (f"/v1/persons/{person_id}", f"/v1/persons/{person_id}/export"):
        response = client.get(path, headers=token("statistician"))
        assert response.status_code == 403
        assert "MARTIN" not in response.text
