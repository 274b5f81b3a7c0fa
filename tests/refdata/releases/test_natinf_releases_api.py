"""``/v1/releases`` and ``/v1/downloads``: listing, diffs, bulk files and their HTTP semantics."""

from __future__ import annotations

import gzip
import hashlib
import io
from datetime import date
from email.utils import format_datetime, parsedate_to_datetime

import orjson
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from refdata.datasets import RELEASED_DATASETS
from refdata.natinf.models import OffenceSuccessor, OffenceVersion
from refdata.natinf.official_file import parse
from refdata.natinf.service import import_natinf, release_state
from refdata.releases import repository as repo
from refdata.releases.diffs import release_diff
from refdata.releases.models import Release, ReleaseFile
from refdata.releases.storage import BulkStore
from refdata.releases.versioning import FieldChange, StateDiff, apply_diff
from tests.refdata.conftest import ImportRows
from tests.refdata.natinf_samples import ALL_ROWS, OFFICIAL, Row, by_code, natinf_bytes


@pytest.fixture
def two_releases(import_rows: ImportRows) -> None:
    import_rows(ALL_ROWS, "2026-07-01")
    code7 = by_code("7")
    altered = (*code7[:2], code7[2] + " (MODIFIEE)", *code7[3:])  # test alteration
    import_rows([altered if r[0] == "7" else r for r in ALL_ROWS if r[0] != "8"], "2026-10-01")


def test_list_and_get_releases(client: TestClient, two_releases: None) -> None:
    items = client.get("/v1/releases").json()["items"]
    # Courts, tariffs and communes releases of the test database are listed too.
    natinf = [r["id"] for r in items if r["dataset"] == "natinf"]
    assert natinf == ["natinf-2026-10-01", "natinf-2026-07-01"]
    items = client.get("/v1/releases", params={"dataset": "natinf"}).json()["items"]
    assert [r["id"] for r in items] == natinf
    assert client.get("/v1/releases", params={"dataset": "penalties"}).json()["items"] == []
    release = client.get("/v1/releases/natinf-2026-10-01").json()
    assert release["previous_id"] == "natinf-2026-07-01"
    assert (release["added"], release["changed"], release["retired"]) == (0, 1, 1)
    assert release["changelog"].startswith("0 added, 1 changed, 1 retired")
    urls = {f["name"]: f["url"] for f in release["files"]}
    assert urls["offences.latin-1.csv"] == (
        "/v1/downloads/natinf-2026-10-01/offences.csv?encoding=latin-1"
    )
    missing = client.get("/v1/releases/natinf-2020-01-01")
    assert missing.status_code == 404
    assert client.get("/v1/releases/NOT A RELEASE").status_code == 422


def test_diff_lists_added_changed_field_by_field_and_retired(
    client: TestClient, two_releases: None
) -> None:
    body = client.get(
        "/v1/releases/natinf-2026-10-01/diff", params={"from": "natinf-2026-07-01"}
    ).json()
    assert body["from"] == "natinf-2026-07-01"
    assert body["counts"] == {
        "added": 0,
        "changed": 1,
        "retired": 1,
        "unchanged": len(ALL_ROWS) - 2,
    }
    assert body["changed"] == [
        {
            "natinf": 7,
            "changes": {
                "qualification": {
                    "from": by_code("7")[2],
                    "to": by_code("7")[2] + " (MODIFIEE)",
                }
            },
        }
    ]
    assert body["retired"][0]["natinf"] == 8
    assert body["retired"][0]["qualification"] == by_code("8")[2]
    assert body["retired"][0]["successors"] == []
    backwards = client.get(
        "/v1/releases/natinf-2026-07-01/diff", params={"from": "natinf-2026-10-01"}
    ).json()
    assert [a["natinf"] for a in backwards["added"]] == [8]


@pytest.mark.parametrize(
    ("params", "status"),
    [({"from": "natinf-2020-01-01"}, 404), ({}, 422), ({"from": "bad id"}, 422)],
)
def test_diff_errors(
    client: TestClient, two_releases: None, params: dict[str, str], status: int
) -> None:
    response = client.get("/v1/releases/natinf-2026-10-01/diff", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


_states = st.dictionaries(
    st.integers(min_value=1, max_value=60),
    st.fixed_dictionaries(
        {
            "nature": st.sampled_from([None, "Délit", "Crime", "Contravention de 2ème classe"]),
            "qualification": st.sampled_from(["A", "B", "C"]),
            "defined_by": st.sampled_from(["", "ART.1 C.PENAL."]),
            "repressed_by": st.sampled_from(["", "ART.2 C.PENAL."]),
        }
    ),
    max_size=25,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=_states.filter(bool), b=_states.filter(bool))
def test_applying_diff_a_b_to_a_gives_b(
    db_session: Session, store: BulkStore, a: dict[int, dict], b: dict[int, dict]
) -> None:
    """Through real releases and the diff the API serves, rebuilt into a StateDiff."""

    def rows(state: dict[int, dict]) -> list[Row]:
        return [
            (str(k), v["nature"] or "", v["qualification"], v["defined_by"], v["repressed_by"])
            for k, v in sorted(state.items())
        ]

    savepoint = db_session.begin_nested()
    try:
        first = import_natinf(
            db_session, natinf_bytes(rows(a)), published_on=date(2026, 1, 1), store=store
        )
        second = import_natinf(
            db_session, natinf_bytes(rows(b)), published_on=date(2026, 2, 1), store=store
        )
        if not second.created:
            assert a == b
            return
        state_a = release_state(db_session, repo.get_release(db_session, first.release))
        served = release_diff(db_session, RELEASED_DATASETS, second.release, first.release)
        diff: StateDiff[int] = StateDiff(
            added={
                i["natinf"]: {k: v for k, v in i.items() if k != "natinf"} for i in served["added"]
            },
            changed={
                i["natinf"]: {
                    name: FieldChange(c["from"], c["to"]) for name, c in i["changes"].items()
                }
                for i in served["changed"]
            },
            retired={
                i["natinf"]: {k: v for k, v in i.items() if k not in ("natinf", "successors")}
                for i in served["retired"]
            },
        )
        assert apply_diff(state_a, diff) == b
    finally:
        savepoint.rollback()


def test_every_dataset_declares_its_releases() -> None:
    assert set(RELEASED_DATASETS) == {"natinf", "penalties", "courts", "tariffs", "communes", "law"}


# --- downloads ------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_csv_download_is_the_official_layout_with_checksums(
    client: TestClient, two_releases: None, db_session: Session
) -> None:
    response = client.get(
        "/v1/downloads/natinf-2026-10-01/offences.csv", headers={"Accept-Encoding": "identity"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "content-encoding" not in response.headers
    body = response.content
    assert body.startswith(
        "Numéro NATINF;Nature de l'infraction;Qualification de l'infraction;Définie par;"
        "Réprimée par\r\n".encode()
    )
    recorded = {f.name: f.sha256 for f in repo.release_files(db_session, "natinf-2026-10-01")}
    assert response.headers["x-content-sha256"] == _sha(body) == recorded["offences.csv"]
    assert response.headers["etag"] == f'"{_sha(body)}"'
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert 'filename="natinf-2026-10-01-offences.csv"' in response.headers["content-disposition"]
    release = repo.get_release(db_session, "natinf-2026-10-01")
    assert parsedate_to_datetime(response.headers["last-modified"]).date() == (
        release.created_at.date()
    )


def test_latin1_download_is_the_official_encoding(client: TestClient, two_releases: None) -> None:
    utf8 = client.get("/v1/downloads/latest/offences.csv").content
    latin = client.get("/v1/downloads/latest/offences.csv", params={"encoding": "latin-1"})
    assert latin.headers["content-type"] == "text/csv; charset=windows-1252"
    assert latin.content == utf8.decode("utf-8").encode("cp1252")
    assert b"D\xe9lit" in latin.content
    refused = client.get("/v1/downloads/latest/offences.json", params={"encoding": "latin-1"})
    assert refused.status_code == 422


def test_gzip_when_accepted(client: TestClient, two_releases: None) -> None:
    plain = client.get(
        "/v1/downloads/latest/offences.json", headers={"Accept-Encoding": "identity"}
    )
    zipped = client.get("/v1/downloads/latest/offences.json", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == f'"{plain.headers["x-content-sha256"]}-gzip"'
    assert "Accept-Encoding" in zipped.headers["vary"]
    # httpx decodes transparently; the bytes on the wire are the gzip file.
    assert zipped.content == plain.content
    assert int(zipped.headers["content-length"]) < len(plain.content)


def test_conditional_requests_answer_304(client: TestClient, two_releases: None) -> None:
    first = client.get("/v1/downloads/natinf-2026-10-01/offences.json")
    etag = first.headers["etag"]
    assert (
        client.get(
            "/v1/downloads/natinf-2026-10-01/offences.json", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/v1/downloads/natinf-2026-10-01/offences.json",
            headers={"If-None-Match": '"' + "0" * 64 + '"'},
        ).status_code
        == 200
    )
    later = format_datetime(
        parsedate_to_datetime(first.headers["last-modified"]).replace(year=2099), usegmt=True
    )
    assert (
        client.get(
            "/v1/downloads/natinf-2026-10-01/offences.json", headers={"If-Modified-Since": later}
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/v1/downloads/natinf-2026-10-01/offences.json",
            headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        ).status_code
        == 200
    )
    head = client.head("/v1/downloads/natinf-2026-10-01/offences.json")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == first.headers["etag"]


def test_latest_names_the_release_it_serves(client: TestClient, two_releases: None) -> None:
    response = client.get("/v1/downloads/latest/offences.json")
    assert response.headers["content-location"] == ("/v1/downloads/natinf-2026-10-01/offences.json")
    assert response.headers["cache-control"] == "public, max-age=300"
    body = orjson.loads(response.content)
    assert (body["release"], body["count"]) == ("natinf-2026-10-01", len(ALL_ROWS) - 1)
    assert body["offences"][0]["natinf"] == 7
    assert body["offences"][0]["version"] == 2


def test_parquet_download(client: TestClient, two_releases: None) -> None:
    response = client.get("/v1/downloads/natinf-2026-07-01/offences.parquet")
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == len(ALL_ROWS)
    assert table.column("natinf").to_pylist() == sorted(int(r[0]) for r in ALL_ROWS)
    assert table.schema.metadata[b"release"] == b"natinf-2026-07-01"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/downloads/natinf-2020-01-01/offences.csv", 404),
        ("/v1/downloads/latest/penalties.csv", 404),
        ("/v1/downloads/latest/offences.xml", 422),
        ("/v1/downloads/not a release/offences.csv", 422),
    ],
)
def test_download_errors(client: TestClient, two_releases: None, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_missing_files_are_rebuilt_byte_for_byte(
    client: TestClient, two_releases: None, store: BulkStore
) -> None:
    before = {
        name: client.get(f"/v1/downloads/natinf-2026-07-01/{name}").content
        for name in ("offences.csv", "offences.json", "offences.parquet")
    }
    for path in store.root.rglob("*"):
        if path.is_file():
            path.unlink()
    for name, data in before.items():
        again = client.get(f"/v1/downloads/natinf-2026-07-01/{name}")
        assert again.status_code == 200
        assert again.content == data
        assert again.headers["x-content-sha256"] == _sha(data)
    gz = next(store.root.rglob("*.json.gz"))
    assert gzip.decompress(gz.read_bytes()) in before.values()


def test_csv_download_reimports_into_an_empty_database_to_the_same_release(
    client: TestClient, two_releases: None, db_session: Session, store: BulkStore
) -> None:
    original = release_state(db_session, repo.get_release(db_session, "natinf-2026-10-01"))
    downloaded = client.get(
        "/v1/downloads/natinf-2026-10-01/offences.csv", params={"encoding": "latin-1"}
    ).content
    # Empty the reference data (inside the test's transaction, rolled back afterwards).
    for model in (OffenceSuccessor, ReleaseFile, OffenceVersion):
        db_session.execute(delete(model))
    db_session.execute(delete(Release).where(Release.dataset == "natinf"))
    summary = import_natinf(db_session, downloaded, published_on=date(2026, 10, 1), store=store)
    assert summary.release == "natinf-2026-10-01"
    assert release_state(db_session, repo.get_release(db_session, summary.release)) == original


_text = st.text(
    alphabet=st.characters(
        codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85"
    ),
    min_size=1,
    max_size=30,
).map(str.strip)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=999_999),
        st.tuples(
            st.sampled_from(["", "Crime", "Délit", "Contravention de 1ère classe"]),
            _text.filter(bool),
            _text,
            _text,
        ),
        min_size=1,
        max_size=15,
    ),
    st.sampled_from(["offences.csv", "offences.latin-1.csv"]),
)
def test_download_then_reimport_round_trips(
    db_session: Session, store: BulkStore, rows: dict[int, tuple[str, str, str, str]], name: str
) -> None:
    savepoint = db_session.begin_nested()
    try:
        data = natinf_bytes([(str(k), *v) for k, v in rows.items()], encoding="utf-8")
        summary = import_natinf(db_session, data, published_on=date(2026, 3, 1), store=store)
        release = repo.get_release(db_session, summary.release)
        state = release_state(db_session, release)
        record = next(f for f in repo.release_files(db_session, release.id) if f.name == name)
        stored = store.locate(record.sha256, ".csv")
        parsed = parse(stored.path.read_bytes())
        assert parsed.problems == []
        assert {
            r.natinf: {
                "nature": r.nature.label if r.nature else None,
                "qualification": r.qualification,
                "defined_by": r.defined_by,
                "repressed_by": r.repressed_by,
            }
            for r in parsed.rows
        } == state
    finally:
        savepoint.rollback()


def test_offences_json_download_matches_the_lookup(
    client: TestClient, import_rows: ImportRows
) -> None:
    import_rows(OFFICIAL, "2026-07-01")
    body = orjson.loads(client.get("/v1/downloads/latest/offences.json").content)
    looked_up = client.get("/v1/offences/13", params={"as_of": "2026-07-01"}).json()
    item = next(o for o in body["offences"] if o["natinf"] == 13)
    for key in ("qualification", "defined_by", "repressed_by_refs", "valid_from", "version"):
        assert item[key] == looked_up[key]
