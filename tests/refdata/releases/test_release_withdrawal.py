"""Imports that cannot wedge a dataset: a bounded ``published_on``, and an audited withdrawal.

A release dated far ahead used to become the dataset's latest for good (every later import was
refused with 409 and only database surgery undid it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from refdata.dates import today
from refdata.errors import PublicationDateError
from refdata.natinf.models import OffenceVersion, PenaltyVersion
from refdata.releases.models import ReleaseWithdrawal
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, by_code, natinf_bytes

Token = Callable[..., dict[str, str]]

PENALTIES_HEADER = (
    "natinf;categorie;peine;libelle;duree_max_mois;perpetuite;amende_max_eur;article;citation;"
    "en_vigueur_depuis;en_vigueur_jusqu_au;source\r\n"
)


def _penalties(months: int) -> bytes:
    return (
        PENALTIES_HEADER
        + f"11;principale;emprisonnement;Emprisonnement;{months};non;;Code pénal, art. 227-3;"
        "est puni de deux ans d'emprisonnement et de 15 000 euros d'amende.;2002-01-01;;"
        "doctrine.fr\r\n"
    ).encode()


def _post_natinf(
    client: TestClient, headers: dict[str, str], data: bytes, day: str
) -> httpx.Response:
    return client.post(
        "/v1/imports/natinf",
        headers=headers,
        files={"file": ("natinf.csv", data, "text/csv")},
        data={"published_on": day},
    )


def _withdraw(
    client: TestClient, headers: dict[str, str], release: str, reason: str
) -> httpx.Response:
    return client.post(
        f"/v1/releases/{release}/withdrawal", headers=headers, json={"reason": reason}
    )


def _right_rows() -> list[tuple[str, str, str, str, str]]:
    """What should have been published: code 7 changed, code 8 kept."""
    code7 = by_code("7")
    altered = (*code7[:2], code7[2] + " (MODIFIEE)", *code7[3:])  # test alteration
    return [altered if r[0] == "7" else r for r in ALL_ROWS]


def _changed_rows() -> list[tuple[str, str, str, str, str]]:
    code7 = by_code("7")
    altered = (*code7[:2], code7[2] + " (MODIFIEE)", *code7[3:])  # test alteration
    return [altered if r[0] == "7" else r for r in ALL_ROWS if r[0] != "8"]


@pytest.mark.parametrize("day", ["9999-12-31", "2062-10-01"])
def test_a_release_dated_far_ahead_is_refused_and_says_why(
    client: TestClient, token: Token, day: str
) -> None:
    response = _post_natinf(client, token("admin"), natinf_bytes(ALL_ROWS), day)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["parameter"] == "published_on"
    limit = today() + timedelta(days=90)
    assert f"is after {limit.isoformat()}" in body["detail"]
    assert "SRJ_REFDATA_PUBLICATION_HORIZON_DAYS" in body["detail"]
    assert "block every later import" in body["detail"]
    assert client.get("/v1/releases", params={"dataset": "natinf"}).json()["items"] == []


def test_the_horizon_is_inclusive_and_configurable(
    import_rows: ImportRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srj.settings import get_settings

    limit = today() + timedelta(days=90)
    assert import_rows(ALL_ROWS, limit.isoformat()).created
    monkeypatch.setenv("SRJ_REFDATA_PUBLICATION_HORIZON_DAYS", "0")
    get_settings.cache_clear()
    try:
        with pytest.raises(PublicationDateError, match=r"\+ 0 days"):
            import_rows(_changed_rows(), (today() + timedelta(days=1)).isoformat())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_an_admin_withdraws_a_wrong_release_and_imports_proceed(
    client: TestClient, token: Token, db_session: Session
) -> None:
    admin = token("admin", subject="ops-alice")
    assert _post_natinf(client, admin, natinf_bytes(ALL_ROWS), "2026-07-01").status_code == 200
    # The wrong release: a date typed months ahead (within the horizon), with changes.
    wrong_day = (today() + timedelta(days=60)).isoformat()
    wrong = _post_natinf(client, admin, natinf_bytes(_changed_rows()), wrong_day)
    assert wrong.status_code == 200, wrong.text
    wrong_id = wrong.json()["release"]
    # Retired by the wrong release from its date on.
    assert client.get("/v1/offences/8", params={"as_of": wrong_day}).status_code == 404
    assert "MODIFIEE" in client.get("/v1/offences/7", params={"as_of": wrong_day}).text

    # The dataset is wedged: the right release, dated today, is refused.
    right_day = today().isoformat()
    wedged = _post_natinf(client, admin, natinf_bytes(_right_rows()), right_day)
    assert wedged.status_code == 409

    assert _withdraw(client, token("reviewer"), wrong_id, "typed the wrong year").status_code == 403
    assert _withdraw(client, {}, wrong_id, "typed the wrong year").status_code == 401
    assert _withdraw(client, admin, wrong_id, "oops").status_code == 422  # reason too short
    done = _withdraw(client, admin, wrong_id, f"published_on typed {wrong_day} for {right_day}")
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["id"] == wrong_id
    assert body["withdrawal"]["reason"] == f"published_on typed {wrong_day} for {right_day}"
    assert body["withdrawal"]["restored_id"] == "natinf-2026-07-01"
    assert "ops-alice" not in done.text  # who withdrew it is audit data, not published

    # The release stays (immutable, listed) but its content is no longer served.
    listed = client.get("/v1/releases", params={"dataset": "natinf"}).json()["items"]
    assert {r["id"]: r["withdrawal"] is not None for r in listed} == {
        wrong_id: True,
        "natinf-2026-07-01": False,
    }
    gone = client.get(f"/v1/downloads/{wrong_id}/offences.csv")
    assert gone.status_code == 410
    assert "withdrawn" in gone.json()["detail"]
    diff = client.get(f"/v1/releases/{wrong_id}/diff", params={"from": "natinf-2026-07-01"})
    assert diff.status_code == 410
    latest = client.get("/v1/downloads/latest/offences.csv")
    assert latest.headers["content-location"].startswith("/v1/downloads/natinf-2026-07-01/")

    # What it changed is undone: code 8 is back, code 7 as before.
    assert client.get("/v1/offences/8", params={"as_of": wrong_day}).status_code == 200
    seven = client.get("/v1/offences/7", params={"history": "true"}).json()
    assert [v["version"] for v in seven["history"]] == [1]
    assert seven["valid_to"] is None

    # The audit record: who, why, and every row undone.
    record = db_session.get(ReleaseWithdrawal, wrong_id)
    assert record is not None
    assert record.withdrawn_by == "ops-alice"
    undone = record.undone["natinf_offence_version"]
    assert [r["natinf"] for r in undone["removed"]] == [7]
    assert len(undone["reopened"]) == 2  # codes 7 and 8
    assert {r["valid_to"] for r in undone["reopened"]} == {wrong_day}

    # And the right release goes through, numbered after the withdrawn one.
    right = _post_natinf(client, admin, natinf_bytes(_right_rows()), right_day)
    assert right.status_code == 200, right.text
    release = client.get(f"/v1/releases/{right.json()['release']}").json()
    assert release["previous_id"] == "natinf-2026-07-01"
    assert release["sequence"] == 3
    assert (release["added"], release["changed"], release["retired"]) == (0, 1, 0)
    diff = client.get(
        f"/v1/releases/{release['id']}/diff", params={"from": "natinf-2026-07-01"}
    ).json()
    assert [c["natinf"] for c in diff["changed"]] == [7]


def test_only_the_latest_release_can_be_withdrawn_and_only_once(
    client: TestClient, token: Token
) -> None:
    admin = token("admin")
    _post_natinf(client, admin, natinf_bytes(ALL_ROWS), "2026-07-01")
    _post_natinf(client, admin, natinf_bytes(_changed_rows()), "2026-10-01")
    older = _withdraw(client, admin, "natinf-2026-07-01", "the wrong file was imported")
    assert older.status_code == 409
    assert "withdraw them first" in older.json()["detail"]
    assert _withdraw(client, admin, "natinf-2026-10-01", "the wrong file").status_code == 201
    again = _withdraw(client, admin, "natinf-2026-10-01", "the wrong file")
    assert again.status_code == 409
    assert "already withdrawn" in again.json()["detail"]
    # Newest first: the first one can go now, and the dataset has no release left.
    first = _withdraw(client, admin, "natinf-2026-07-01", "the wrong file as well")
    assert first.status_code == 201
    assert first.json()["withdrawal"]["restored_id"] is None
    assert client.get("/v1/offences/7").status_code == 404
    unknown = _withdraw(client, admin, "natinf-2020-01-01", "does not exist at all")
    assert unknown.status_code == 404


def test_a_penalties_release_is_withdrawn_with_its_changed_rows(
    client: TestClient, token: Token, db_session: Session, import_rows: ImportRows
) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    admin = token("admin")

    def post(data: bytes, day: str) -> httpx.Response:
        return client.post(
            "/v1/imports/penalties",
            headers=admin,
            files={"file": ("penalties.csv", data, "text/csv")},
            data={"published_on": day},
        )

    assert post(_penalties(24), "2026-07-01").status_code == 200
    wrong = post(_penalties(36), "2026-08-01")  # same key, other maximum: closes and reopens
    assert wrong.status_code == 200, wrong.text
    done = _withdraw(client, admin, wrong.json()["release"], "36 months is not the law")
    assert done.status_code == 201, done.text
    current = db_session.scalars(
        select(PenaltyVersion.max_months).where(PenaltyVersion.retired_in.is_(None))
    ).all()
    assert current == [24]


def test_curated_datasets_cannot_be_withdrawn(
    client: TestClient, token: Token, courts_loaded: None
) -> None:
    courts = client.get("/v1/releases", params={"dataset": "courts"}).json()["items"][0]["id"]
    response = _withdraw(client, token("admin"), courts, "the courts file was wrong")
    assert response.status_code == 422
    assert "load the corrected files" in response.json()["detail"]


def test_a_withdrawal_reaches_another_process_cache(
    client: TestClient, token: Token, db_session: Session, import_rows: ImportRows
) -> None:
    """A withdrawal made elsewhere (the CLI) drops this worker's cached offence bodies."""
    from refdata.datasets import RELEASED_DATASETS
    from refdata.releases import read_cache
    from refdata.releases.withdrawal import withdraw_release

    import_rows(ALL_ROWS, "2026-07-01")
    import_rows(_changed_rows(), "2026-10-01")
    assert client.get("/v1/offences/8").status_code == 404
    generation = read_cache._current_generation
    withdraw_release(
        db_session, RELEASED_DATASETS, "natinf-2026-10-01", by="ops", reason="the wrong file"
    )
    db_session.commit()
    # As if another process had withdrawn it: this process's generation did not move.
    read_cache._current_generation = generation
    cache = client.app.state.refdata_read_cache  # type: ignore[attr-defined]
    cache._checked_at = float("-inf")  # the check interval elapsed
    assert client.get("/v1/offences/8").status_code == 200
    versions = db_session.scalars(
        select(OffenceVersion.version).where(OffenceVersion.natinf == 7)
    ).all()
    assert versions == [1]


def test_cli_bounds_the_date_and_withdraws(
    tmp_path: pytest.TempPathFactory,
    database_url: str,
    database_factory: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from entrypoint.cli import app
    from srj.settings import get_settings

    root = Path(str(tmp_path))
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    monkeypatch.setenv("SRJ_DATABASE_URL", database_factory(backend))
    monkeypatch.setenv("SRJ_DATA_DIR", str(root / "var"))
    monkeypatch.setenv("SRJ_LOG_JSON", "false")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        path = root / "natinf.csv"
        path.write_bytes(natinf_bytes(ALL_ROWS))
        far = runner.invoke(
            app, ["refdata", "import-natinf", str(path), "--published-on", "9999-12-31"]
        )
        assert far.exit_code == 2
        assert "SRJ_REFDATA_PUBLICATION_HORIZON_DAYS" in far.stderr
        assert "Traceback" not in far.stderr
        day = (today() + timedelta(days=30)).isoformat()
        ok = runner.invoke(app, ["refdata", "import-natinf", str(path), "--published-on", day])
        assert ok.exit_code == 0, ok.stderr
        release = json.loads(ok.stdout)["release"]
        short = runner.invoke(app, ["refdata", "withdraw", release, "--by", "ops", "--reason", "x"])
        assert short.exit_code == 2
        done = runner.invoke(
            app, ["refdata", "withdraw", release, "--by", "ops", "--reason", "typed a wrong date"]
        )
        assert done.exit_code == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["release"] == release
        assert summary["latest"] is None
        assert summary["undone"]["natinf_offence_version"]["removed"] == len(ALL_ROWS)
        again = runner.invoke(
            app, ["refdata", "import-natinf", str(path), "--published-on", today().isoformat()]
        )
        assert again.exit_code == 0, again.stderr
        assert json.loads(again.stdout)["created"] is True
    finally:
        get_settings.cache_clear()
