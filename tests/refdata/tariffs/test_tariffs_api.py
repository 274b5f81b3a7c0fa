"""``GET /v1/tariffs/...``: amounts by date, history, the child-support estimate, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.usefixtures("tariffs_loaded")


def test_child_support_estimate_matches_the_ministry_worked_example(client: TestClient) -> None:
    # justice.gouv.fr: debtor earning 1 600 €, two children, classic visiting rights:
    # (1 600 − 475) × 11,5 % ≈ 129 € per child, 475 € being the 2012 RSA (474,93 €).
    response = client.get(
        "/v1/tariffs/child-support/estimate",
        params={"income": "1600", "children": 2, "custody": "classique", "as_of": "2012-06-01"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["minimum_vital"]["amount_eur"] == 474.93
    assert body["rate"]["rate_percent"] == 11.5
    assert body["rate"]["status"] == "confirmed"
    assert body["per_child_eur"] == 129.38  # 1125.07 × 0.115 = 129.383
    assert body["total_eur"] == 258.76
    assert round(body["per_child_eur"]) == 129


def test_estimate_follows_the_minimum_vital_of_the_date(client: TestClient) -> None:
    params = {"income": "2000", "children": 1, "custody": "reduite"}
    in_2025 = client.get(
        "/v1/tariffs/child-support/estimate", params={**params, "as_of": "2025-06-01"}
    ).json()
    in_2024 = client.get(
        "/v1/tariffs/child-support/estimate", params={**params, "as_of": "2025-03-31"}
    ).json()
    assert in_2025["minimum_vital"]["amount_eur"] == 646.52
    assert in_2024["minimum_vital"]["amount_eur"] == 635.71
    assert in_2025["per_child_eur"] == 243.63  # (2000 − 646.52) × 18 % = 243.6264
    assert in_2024["per_child_eur"] == 245.57  # (2000 − 635.71) × 18 % = 245.5722


def test_estimate_flags_unconfirmed_cells_of_the_table(client: TestClient) -> None:
    body = client.get(
        "/v1/tariffs/child-support/estimate",
        params={"income": "3000", "children": 4, "custody": "alternee", "as_of": "2026-06-01"},
    ).json()
    assert body["rate"]["status"] == "unconfirmed"
    assert any("confirmé par aucune source" in w for w in body["warnings"])


def test_income_below_the_minimum_vital_gives_no_contribution(client: TestClient) -> None:
    body = client.get(
        "/v1/tariffs/child-support/estimate",
        params={"income": "500", "children": 1, "custody": "classique", "as_of": "2026-06-01"},
    ).json()
    assert body["per_child_eur"] == 0
    assert any("minimum vital" in w for w in body["warnings"])


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"income": "1600", "children": 7, "custody": "classique"}, 422, "1 to 6 children"),
        ({"income": "1600", "children": 0, "custody": "classique"}, 422, "children"),
        ({"income": "1600", "children": 2, "custody": "partagee"}, 422, "custody"),
        ({"income": "-5", "children": 2, "custody": "classique"}, 422, "income"),
        ({"income": "abc", "children": 2, "custody": "classique"}, 422, "income"),
        ({"children": 2, "custody": "classique"}, 422, "income"),
        (
            {"income": "1600", "children": 2, "custody": "classique", "as_of": "2008-01-01"},
            404,
            "2008-01-01",
        ),
        (
            {"income": "1600", "children": 2, "custody": "classique", "scale": "nope"},
            404,
            "nope",
        ),
    ],
)
def test_bad_estimate_parameters(
    client: TestClient, params: dict[str, object], status: int, fragment: str
) -> None:
    response = client.get("/v1/tariffs/child-support/estimate", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert fragment in response.text


def test_fixed_fines_before_and_after_the_5th_class_decree(client: TestClient) -> None:
    before = client.get("/v1/tariffs/fixed-fines/5", params={"as_of": "2020-03-28"})
    after = client.get("/v1/tariffs/fixed-fines/5", params={"as_of": "2020-03-29"})
    assert before.status_code == 404
    assert after.status_code == 200
    body = after.json()
    assert body["forfaitaire"]["amount_eur"] == 200
    assert body["majoree"]["amount_eur"] == 450
    assert body["minoree"] is None


def test_fixed_fines_list_and_history(client: TestClient) -> None:
    today = client.get("/v1/tariffs/fixed-fines", params={"classe": 1, "as_of": "2026-06-01"})
    history = client.get("/v1/tariffs/fixed-fines", params={"classe": 1, "history": "true"})
    assert sorted((i["category"], i["kind"], i["amount_eur"]) for i in today.json()["items"]) == [
        ("general", "forfaitaire", 11),
        ("general", "majoree", 33),
        ("pietons", "forfaitaire", 4),
        ("pietons", "majoree", 7),
    ]
    parking = [i for i in history.json()["items"] if i["category"] == "stationnement"]
    assert [(p["amount_eur"], p["valid_from"], p["valid_to"]) for p in parking] == [
        (17, "2011-08-01", "2018-01-01")
    ]


def test_max_fines(client: TestClient) -> None:
    body = client.get("/v1/tariffs/max-fines/5", params={"as_of": "2026-01-01"}).json()
    assert body["amount_eur"] == 1500
    assert body["recidivism_amount_eur"] == 3000
    assert "131-13" in body["legal_source"]
    history = client.get("/v1/tariffs/max-fines", params={"history": "true"}).json()
    assert history["count"] == 10
    assert client.get("/v1/tariffs/max-fines/6").status_code == 422
    assert client.get("/v1/tariffs/max-fines/1", params={"as_of": "1990-01-01"}).status_code == 404


def test_index_lists_the_tariffs(client: TestClient) -> None:
    paths = [t["path"] for t in client.get("/v1/tariffs").json()["tariffs"]]
    assert "/v1/tariffs/child-support/estimate" in paths


def _sort_key(item: dict[str, object]) -> str:
    return repr(sorted(item.items()))


ENDPOINTS = [
    "/v1/tariffs/fixed-fines",
    "/v1/tariffs/max-fines",
    "/v1/tariffs/child-support/rates",
    "/v1/tariffs/child-support/minimum-vital",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    on=st.dates(min_value=date(2000, 1, 1), max_value=date(2032, 12, 31)),
)
def test_as_of_returns_exactly_the_versions_valid_on_that_date(
    client: TestClient, endpoint: str, on: date
) -> None:
    history = client.get(endpoint, params={"history": "true"}).json()["items"]
    expected = [
        item
        for item in history
        if date.fromisoformat(item["valid_from"]) <= on
        and (item["valid_to"] is None or date.fromisoformat(item["valid_to"]) > on)
    ]
    got = client.get(endpoint, params={"as_of": on.isoformat()}).json()["items"]
    assert sorted(got, key=_sort_key) == sorted(expected, key=_sort_key)
