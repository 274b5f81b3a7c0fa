"""``/v1/offences``: one code as of a date, history, search, and the errors partners get."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, ROAD, by_code


@pytest.fixture
def two_releases(import_rows: ImportRows) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    code7 = by_code("7")
    altered = (*code7[:4], "ART.L.163-2 AL.1 C.M.F.")  # test alteration of code 7
    import_rows([altered if r[0] == "7" else r for r in ALL_ROWS if r[0] != "8"], "2026-10-01")


def test_lookup_returns_the_contract_fields(client: TestClient, two_releases: None) -> None:
    response = client.get("/v1/offences/11", params={"as_of": "2026-11-01"})
    assert response.status_code == 200
    body = response.json()
    for field in (
        "natinf",
        "nature",
        "qualification",
        "defined_by",
        "repressed_by",
        "valid_from",
        "valid_to",
        "penalties",
    ):
        assert field in body
    assert body["natinf"] == 11
    assert body["nature"] == "Délit"
    assert body["nature_code"] == "delit"
    assert body["qualification"].startswith("ABANDON DE FAMILLE")
    assert body["valid_from"] == "2026-07-01"
    assert body["valid_to"] is None
    assert body["in_force"] is True
    assert body["history"] is None
    assert [r["article"] for r in body["repressed_by_refs"]] == ["227-3", "227-29"]


def test_as_of_selects_the_version_in_force(client: TestClient, two_releases: None) -> None:
    before = client.get("/v1/offences/7", params={"as_of": "2026-09-30"}).json()
    after = client.get("/v1/offences/7", params={"as_of": "2026-10-01"}).json()
    assert before["version"] == 1
    assert before["valid_to"] == "2026-10-01"
    assert before["repressed_by"] == by_code("7")[4]
    assert after["version"] == 2
    assert after["repressed_by"] == "ART.L.163-2 AL.1 C.M.F."


def test_history_lists_every_version(client: TestClient, two_releases: None) -> None:
    body = client.get("/v1/offences/7", params={"history": "true", "as_of": "2026-08-01"}).json()
    assert body["version"] == 1
    assert [(v["version"], v["valid_from"], v["valid_to"]) for v in body["history"]] == [
        (1, "2026-07-01", "2026-10-01"),
        (2, "2026-10-01", None),
    ]


def test_retired_code_is_404_unless_history(client: TestClient, two_releases: None) -> None:
    gone = client.get("/v1/offences/8", params={"as_of": "2026-11-01"})
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert "was not in force on 2026-11-01" in gone.json()["detail"]
    assert "2026-07-01 to 2026-10-01" in gone.json()["detail"]
    with_history = client.get("/v1/offences/8", params={"as_of": "2026-11-01", "history": True})
    assert with_history.status_code == 200, with_history.text
    assert with_history.json()["in_force"] is False
    assert with_history.json()["retired_in"] == "natinf-2026-10-01"


def test_unknown_code_is_a_problem(client: TestClient, two_releases: None) -> None:
    response = client.get("/v1/offences/99999")
    assert response.status_code == 404
    assert response.json()["detail"] == "NATINF 99999 is in no release"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/offences/abc", {}),
        ("/v1/offences/0", {}),
        ("/v1/offences/1234567", {}),
        ("/v1/offences/7", {"as_of": "2026-02-30"}),
        ("/v1/offences/7", {"as_of": "yesterday"}),
        ("/v1/offences/7", {"as_of": "0.0"}),
        ("/v1/offences/7", {"as_of": "20260601"}),
        ("/v1/offences", {"as_of": "1700000000"}),
        ("/v1/offences/7", {"history": "maybe"}),
        ("/v1/offences", {"limit": "0"}),
        ("/v1/offences", {"limit": "101"}),
        ("/v1/offences", {"nature": "felony"}),
        ("/v1/offences", {"code": "12a"}),
        ("/v1/offences", {"as_of": "2026-13-01"}),
        ("/v1/offences", {"cursor": "not-a-cursor"}),
        ("/v1/offences", {"q": "x" * 201}),
    ],
)
def test_bad_parameters_are_422_problems(
    client: TestClient, two_releases: None, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_cursor_of_another_query_is_refused(client: TestClient, two_releases: None) -> None:
    page = client.get("/v1/offences", params={"q": "priorite", "limit": 1}).json()
    assert page["next_cursor"]
    other = client.get(
        "/v1/offences", params={"q": "animal", "limit": 1, "cursor": page["next_cursor"]}
    )
    assert other.status_code == 422
    assert "another query" in other.json()["detail"]
    assert other.json()["parameter"] == "cursor"


def test_search_is_accent_and_case_insensitive_and_ranked(
    client: TestClient, two_releases: None
) -> None:
    body = client.get("/v1/offences", params={"q": "Priorité PIÉTON", "as_of": "2026-11-01"}).json()
    assert body["match"] == "all"
    assert [i["natinf"] for i in body["items"]] == [202]
    assert body["items"][0]["matched_words"] == 2
    # Word prefixes match; a whole-word match ranks before a prefix match.
    prefix = client.get("/v1/offences", params={"q": "anim", "as_of": "2026-11-01"}).json()
    assert {i["natinf"] for i in prefix["items"]} == {200, 215, 225}


def test_search_partial_match_when_no_code_has_every_word(
    client: TestClient, two_releases: None
) -> None:
    body = client.get(
        "/v1/offences", params={"q": "divagation chameau", "as_of": "2026-11-01"}
    ).json()
    assert body["match"] == "partial"
    assert [i["natinf"] for i in body["items"]] == [225]
    nothing = client.get("/v1/offences", params={"q": "zzzz", "as_of": "2026-11-01"}).json()
    assert (nothing["match"], nothing["total"], nothing["items"]) == ("none", 0, [])


def test_search_filters_by_nature_code_prefix_and_date(
    client: TestClient, two_releases: None
) -> None:
    def codes(**params: str) -> list[int]:
        return [
            i["natinf"]
            for i in client.get(
                "/v1/offences", params={"as_of": "2026-11-01", "limit": 100, **params}
            ).json()["items"]
        ]

    assert codes(nature="contravention-4") == [201, 202, 207]
    assert codes(nature="contravention") == [19, 200, 201, 202, 207, 215, 225]
    assert codes(nature="delit") == [7, 11, 13, 16, 180]
    assert codes(nature="crime") == []
    assert codes(code="20") == [200, 201, 202, 207]
    # Code 8 was retired on 2026-10-01: found before, not after.
    assert 8 in codes(code="8", as_of="2026-08-01")
    assert codes(code="8") == []


def test_search_paginates_with_an_opaque_cursor(client: TestClient, two_releases: None) -> None:
    seen: list[int] = []
    params: dict[str, str | int] = {"limit": 3, "as_of": "2026-11-01"}
    while True:
        body = client.get("/v1/offences", params=params).json()
        assert body["total"] == len(ALL_ROWS) - 1
        seen += [i["natinf"] for i in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert seen == sorted(int(r[0]) for r in ALL_ROWS if r[0] != "8")


def test_reads_see_a_new_release_at_once(client: TestClient, import_rows: ImportRows) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    assert client.get("/v1/offences/201").status_code == 404
    assert client.get("/v1/offences", params={"q": "stationnement"}).json()["total"] == 0
    import_rows([*OFFICIAL, *ROAD], "2026-07-02")
    assert client.get("/v1/offences/201").status_code == 200
    assert client.get("/v1/offences", params={"q": "stationnement"}).json()["total"] == 2


def test_reads_are_public_and_cors_open(client: TestClient, two_releases: None) -> None:
    response = client.get("/v1/offences/11", headers={"Origin": "https://partner.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
