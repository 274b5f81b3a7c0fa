"""Reading persons: records by source, civil status, history, redirects, export, access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from registry_helpers import make_record
from sqlalchemy import select
from sqlalchemy.orm import Session

from identity.models import AccessLogEntry

Post = Callable[..., dict[str, Any]]


def test_person_view_groups_records_and_logs_the_access(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]], db_session: Session
) -> None:
    pid = post("2024/1", record_date="2024-01-10", nom_usage="DURAND")["person_id"]
    post("E-77", source="GENESIS", record_date="2024-03-01", sexe="M")
    post("2024/2", record_date="2024-06-01")
    response = client.get(
        f"/v1/persons/{pid}",
        headers={**token("reviewer", subject="magistrat-42"), "X-Purpose": "audience du 12"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["person_id"] == pid
    assert body["status"] == "active"
    assert sorted(body["records_by_source"]) == ["CASSIOPEE", "GENESIS"]
    refs = [r["source_ref"] for r in body["records_by_source"]["CASSIOPEE"]]
    assert refs == ["2024/1", "2024/2"]
    assert body["records_by_source"]["GENESIS"][0]["record_date"] == "2024-03-01"
    civil = body["civil_status"]
    assert civil["nom_naissance"] == "MARTIN"
    assert civil["nom_usage"] == "DURAND"
    assert civil["sexe"] == "M"
    kinds = [e["kind"] for e in body["events"]]
    assert kinds[0] == "created"
    assert kinds.count("record_linked") == 3

    entries = db_session.scalars(select(AccessLogEntry)).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.person_id == pid
    assert entry.subject == "magistrat-42"
    assert entry.roles == "reviewer"
    assert entry.endpoint == "GET /v1/persons/{person_id}"
    assert entry.purpose == "audience du 12"
    assert entry.request_id == response.headers["x-request-id"]


def test_every_read_of_a_person_is_logged(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]], db_session: Session
) -> None:
    pid = post("R1")["person_id"]
    reads = {
        f"/v1/persons/{pid}": ("application", "GET /v1/persons/{person_id}"),
        f"/v1/persons/{pid}/sources?purpose=enquete": (
            "application",
            "GET /v1/persons/{person_id}/sources",
        ),
        f"/v1/persons/{pid}/export": ("admin", "GET /v1/persons/{person_id}/export"),
        "/v1/records/CASSIOPEE/R1": ("reviewer", "GET /v1/records/{source}/{source_ref}"),
    }
    for path, (role, _) in reads.items():
        assert client.get(path, headers=token(role)).status_code == 200
    logged = [e.endpoint for e in db_session.scalars(select(AccessLogEntry))]
    assert logged == [endpoint for _, endpoint in reads.values()]
    assert all(e.person_id == pid for e in db_session.scalars(select(AccessLogEntry)))


def test_sources_tell_which_applications_hold_the_person(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    pid = post("2024/1")["person_id"]
    post("E-1", source="GENESIS", record_date="2023-05-01")
    post("E-2", source="GENESIS", record_date="2024-02-01")
    post("M-9", source="APPI")
    post("X-1", nom="DURAND", prenoms="LUC", dn="1970-01-01", source="PORTALIS")
    response = client.get(
        f"/v1/persons/{pid}/sources?exclude=CASSIOPEE", headers=token("application")
    )
    assert response.status_code == 200
    sources = {s["source"]: s for s in response.json()["sources"]}
    assert set(sources) == {"GENESIS", "APPI"}
    assert sources["GENESIS"]["records"] == 2
    assert sources["GENESIS"]["source_refs"] == ["E-1", "E-2"]
    assert sources["GENESIS"]["latest_record_date"] == "2024-02-01"


def test_merged_identifier_redirects_with_308(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    keep = post("R1")["person_id"]
    gone = post("R2", nom="DURAND")["person_id"]
    assert post("R2")["person_id"] == keep  # corrected: R2's person merges into R1's
    for suffix in ("", "/sources"):
        response = client.get(
            f"/v1/persons/{gone}{suffix}", headers=token("application"), follow_redirects=False
        )
        assert response.status_code == 308
        assert response.headers["location"] == f"/v1/persons/{keep}{suffix}"
        assert response.json() == {
            "person_id": gone,
            "merged_into": keep,
            "location": f"/v1/persons/{keep}{suffix}",
        }
    followed = client.get(f"/v1/persons/{gone}", headers=token("application"))
    assert followed.status_code == 200
    assert followed.json()["person_id"] == keep
    kinds = {e["kind"] for e in followed.json()["events"]}
    assert {"merged_from", "merged_into"} <= kinds


def test_unknown_and_malformed_identifiers(
    client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    from identity.ids import new_person_id

    unknown = client.get(f"/v1/persons/{new_person_id()}", headers=token("reviewer"))
    assert unknown.status_code == 404
    pid = new_person_id()
    typo = pid[:3] + ("X" if pid[3] != "X" else "Y") + pid[4:]
    malformed = client.get(f"/v1/persons/{typo}", headers=token("reviewer"))
    assert malformed.status_code == 422
    assert "mistyped" in malformed.json()["detail"]


def test_export_holds_everything_about_the_person(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]]
) -> None:
    keep = post("R1", record_id="row-1", alias="LE GRAND", record_date="2020-05-01")["person_id"]
    post("E-5", source="GENESIS")
    gone = post("R2", nom="DURAND")["person_id"]
    post("R2")  # merges R2's person into keep
    client.get(f"/v1/persons/{keep}", headers={**token("reviewer"), "X-Purpose": "controle"})
    response = client.get(f"/v1/persons/{keep}/export", headers=token("admin", subject="dpo"))
    assert response.status_code == 200
    body = response.json()
    assert body["person_id"] == keep
    assert body["merged_person_ids"] == [gone]
    records = {(r["source"], r["source_ref"]): r for r in body["records"]}
    assert set(records) == {("CASSIOPEE", "R1"), ("GENESIS", "E-5"), ("CASSIOPEE", "R2")}
    r1 = records[("CASSIOPEE", "R1")]
    assert r1["record_id"] == "row-1"
    assert r1["traits"]["alias"] == "LE GRAND"
    assert r1["traits"]["nom_naissance"] == "MARTIN"
    assert r1["standardised"]["nom_naissance"] == "MARTIN"
    assert r1["retain_until"] == "2040-05-01"
    assert r1["link"]["origin"] == "auto"
    kinds = [e["kind"] for e in body["events"]]
    assert "merged_into" in kinds  # the merged-away person's history comes along
    access = [(a["subject"], a["endpoint"], a["purpose"]) for a in body["access_log"]]
    assert ("test-user", "GET /v1/persons/{person_id}", "controle") in access
    assert ("dpo", "GET /v1/persons/{person_id}/export", None) in access


def test_purpose_can_be_required(
    post: Post,
    client: TestClient,
    token: Callable[..., dict[str, str]],
    registry_config: Any,
) -> None:
    pid = post("R1")["person_id"]
    registry_config.require_purpose = True
    refused = client.get(f"/v1/persons/{pid}", headers=token("reviewer"))
    assert refused.status_code == 400
    assert "X-Purpose" in refused.json()["detail"]
    allowed = client.get(f"/v1/persons/{pid}", headers={**token("reviewer"), "X-Purpose": "x"})
    assert allowed.status_code == 200


def test_no_traits_in_logs_or_errors(
    client: TestClient,
    token: Callable[..., dict[str, str]],
    caplog: Any,
    capsys: Any,
) -> None:
    import logging

    from srj.logging_setup import JsonFormatter

    distinctive = {
        "nom": "ZWYRTHOLOMEW",
        "prenoms": "QUILLIANDRE",
        "nom_usage": "VOXPLANIDOU",
        "alias": "KRAZNOBEL",
        "commune_naissance": "XANTRIGNY",
    }
    caplog.set_level(logging.DEBUG)
    headers = token("application", sources=["CASSIOPEE"])
    body = make_record(
        "2024/SECRETREF",
        nom=distinctive["nom"],
        prenoms=distinctive["prenoms"],
        nom_usage=distinctive["nom_usage"],
        alias=distinctive["alias"],
        commune_naissance=distinctive["commune_naissance"],
    )
    texts = []
    ok = client.post("/v1/records", json=body, headers=headers)
    assert ok.status_code == 200
    pid = ok.json()["person_id"]
    texts.append(
        client.post("/v1/records", json={**body, "sexe": "TOO-LONG-VALUE"}, headers=headers).text
    )
    texts.append(
        client.post(
            "/v1/records", json={**body, "date_naissance": "ZWYRTHOLOMEW"}, headers=headers
        ).text
    )
    texts.append(client.post("/v1/records", json=body, headers=token("reviewer")).text)
    texts.append(client.get("/v1/records/CASSIOPEE/2024/NOPE", headers=headers).text)
    client.get(f"/v1/persons/{pid}", headers=headers)
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    captured = capsys.readouterr()
    everything = "\n".join([logged, captured.out, captured.err, *texts])
    assert caplog.records, "the access log lines must have been captured"
    for value in distinctive.values():
        assert value not in everything
    assert "SECRETREF" not in logged


def test_timestamps_read_back_carry_their_time_zone(
    post: Post, client: TestClient, token: Callable[..., dict[str, str]], db_session: Session
) -> None:
    """SQLite keeps no zone: its timestamps came back naive (``2026-12-08T03:00:00``) where
    PostgreSQL's carry one, and the OpenAPI says ``date-time``."""
    from datetime import datetime, timedelta

    pid = post("TZ-1")["person_id"]
    db_session.expire_all()  # read from the database, not from the request's objects
    response = client.get(
        f"/v1/persons/{pid}", headers={**token("reviewer"), "X-Purpose": "test des fuseaux"}
    )
    assert response.status_code == 200
    stamps = [event["at"] for event in response.json()["events"]]
    assert stamps
    for stamp in stamps:
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0), stamp
