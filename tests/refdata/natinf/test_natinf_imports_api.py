"""``POST /v1/imports/natinf`` and ``/v1/imports/penalties``: admin only, same rules as the CLI."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from refdata.natinf.models import OffenceVersion, PenaltyVersion
from refdata.releases.models import Release
from refdata.releases.service import file_label
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, natinf_bytes

Token = Callable[..., dict[str, str]]

PENALTIES = (
    "natinf;categorie;peine;libelle;duree_max_mois;perpetuite;amende_max_eur;article;citation;"
    "en_vigueur_depuis;en_vigueur_jusqu_au;source\r\n"
    "11;principale;emprisonnement;Emprisonnement;24;non;;Code pénal, art. 227-3;"
    "est puni de deux ans d'emprisonnement et de 15 000 euros d'amende.;2002-01-01;;doctrine.fr\r\n"
    "11;principale;amende;Amende;;non;15000;Code pénal, art. 227-3;"
    "est puni de deux ans d'emprisonnement et de 15 000 euros d'amende.;2002-01-01;;doctrine.fr\r\n"
)


def _post(
    client: TestClient, headers: dict[str, str], data: bytes, day: str = "2026-07-01"
) -> httpx.Response:
    return client.post(
        "/v1/imports/natinf",
        headers=headers,
        files={"file": ("natinf.csv", data, "text/csv")},
        data={"published_on": day},
    )


def test_admin_imports_a_file(client: TestClient, token: Token, db_session: Session) -> None:
    response = _post(client, token("admin"), natinf_bytes(ALL_ROWS))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "release": "natinf-2026-07-01",
        "created": True,
        "added": len(ALL_ROWS),
        "changed": 0,
        "retired": 0,
        "unchanged": 0,
    }
    assert client.get("/v1/offences/11").status_code == 200
    again = _post(client, token("admin"), natinf_bytes(ALL_ROWS), "2026-08-01")
    assert again.json()["created"] is False
    natinf = select(func.count()).select_from(Release).where(Release.dataset == "natinf")
    assert db_session.scalar(natinf) == 1


@pytest.mark.parametrize(
    ("roles", "status"), [((), 401), (("reviewer",), 403), (("application",), 403)]
)
def test_imports_need_the_admin_role(
    client: TestClient, token: Token, roles: tuple[str, ...], status: int
) -> None:
    headers = token(*roles) if roles else {}
    response = _post(client, headers, natinf_bytes(OFFICIAL))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_rejected_file_lists_every_problem_and_writes_nothing(
    client: TestClient, token: Token, db_session: Session
) -> None:
    rows = [*OFFICIAL, ("7", "Délit", "X", "", ""), ("99", "Délit grave", "Y", "", "")]
    response = _post(client, token("admin"), natinf_bytes(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/file-rejected")
    assert body["encoding"] == "latin-1"
    assert [(p["line"], p["column"]) for p in body["problems"]] == [
        (8, "Numéro NATINF"),
        (9, "Nature de l'infraction"),
    ]
    assert "already on line 2" in body["problems"][0]["message"]
    assert db_session.scalar(select(func.count()).select_from(OffenceVersion)) == 0


def test_a_release_older_than_the_latest_is_a_conflict(client: TestClient, token: Token) -> None:
    assert _post(client, token("admin"), natinf_bytes(OFFICIAL)).status_code == 200
    older = _post(client, token("admin"), natinf_bytes(ALL_ROWS), "2026-01-01")
    assert older.status_code == 409
    assert "cannot be published before it" in older.json()["detail"]


def test_missing_parts_of_the_upload_are_422(client: TestClient, token: Token) -> None:
    no_date = client.post(
        "/v1/imports/natinf",
        headers=token("admin"),
        files={"file": ("natinf.csv", natinf_bytes(OFFICIAL), "text/csv")},
    )
    assert no_date.status_code == 422
    bad_date = _post(client, token("admin"), natinf_bytes(OFFICIAL), "2026-02-30")
    assert bad_date.status_code == 422
    timestamp = _post(client, token("admin"), natinf_bytes(OFFICIAL), "1700000000")
    assert timestamp.status_code == 422
    no_file = client.post(
        "/v1/imports/natinf", headers=token("admin"), data={"published_on": "2026-07-01"}
    )
    assert no_file.status_code == 422


def test_admin_imports_penalties(client: TestClient, token: Token, db_session: Session) -> None:
    _post(client, token("admin"), natinf_bytes(OFFICIAL))
    response = client.post(
        "/v1/imports/penalties",
        headers=token("admin"),
        files={"file": ("penalties.csv", PENALTIES.encode(), "text/csv")},
        data={"published_on": "2026-07-02"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 2
    assert db_session.scalar(select(func.count()).select_from(PenaltyVersion)) == 2
    offence = client.get("/v1/offences/11", params={"as_of": "2026-08-01"}).json()
    assert {(p["kind"], p["max_months"], p["max_amount_eur"]) for p in offence["penalties"]} == {
        ("emprisonnement", 24, None),
        ("amende", None, 15000.0),
    }


def test_file_names_are_stored_as_safe_base_names(
    client: TestClient, token: Token, db_session: Session
) -> None:
    response = client.post(
        "/v1/imports/natinf",
        headers=token("admin"),
        files={"file": ("C:\\exports\\natinf.csv", natinf_bytes(OFFICIAL), "text/csv")},
        data={"published_on": "2026-07-01"},
    )
    assert response.status_code == 200, response.text
    release = client.get(f"/v1/releases/{response.json()['release']}").json()
    assert release["source_name"] == "natinf.csv"
    # Raw clients can put control characters in a multipart file name (httpx escapes them);
    # PostgreSQL refuses NUL in text, so they are dropped before storage.
    assert file_label("dir/nat\x00inf\x07.csv") == "natinf.csv"
    assert file_label("\x00") is None


def test_control_characters_in_penalties_are_refused(client: TestClient, token: Token) -> None:
    _post(client, token("admin"), natinf_bytes(OFFICIAL))
    bad = PENALTIES.replace("doctrine.fr\r\n", "doctrine\x00.fr\r\n", 1)
    response = client.post(
        "/v1/imports/penalties",
        headers=token("admin"),
        files={"file": ("penalties.csv", bad.encode(), "text/csv")},
        data={"published_on": "2026-07-02"},
    )
    assert response.status_code == 422
    assert response.json()["problems"][0] == {
        "line": 2,
        "column": "source",
        "message": "control character in the field",
    }
