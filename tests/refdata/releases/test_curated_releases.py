"""Courts, tariffs and communes publish releases: one per load that changes something, diffs
field by field, bulk files with the download semantics of the offences, all or nothing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import get_args

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from refdata.communes.loader import load_cog
from refdata.courts.loader import DEFAULT_DIRECTORY as COURTS_DIRECTORY
from refdata.courts.loader import load_courts
from refdata.courts.models import CourtRessort, CourtVersion
from refdata.datasets import RELEASED_DATASETS
from refdata.dates import today
from refdata.releases import curated as curated_releases
from refdata.releases import repository as repo
from refdata.releases.api import FileName
from refdata.releases.curated import release_state
from refdata.releases.downloads import file_datasets
from refdata.releases.models import Release, ReleaseItem
from refdata.releases.storage import BulkStore, sha256_hex
from refdata.releases.versioning import FieldChange, StateDiff, apply_diff
from refdata.tariffs.loader import DEFAULT_DIRECTORY as TARIFFS_DIRECTORY
from refdata.tariffs.loader import FILES as TARIFF_FILES
from refdata.tariffs.loader import load_tariffs
from srj.db import make_session_factory, session_scope

pytestmark = pytest.mark.usefixtures("courts_loaded")

AGEN_TJ = "tj-agen,tribunal_judiciaire,Tribunal judiciaire d'Agen,47001,Agen,ca-agen,2020-01-01"

CURATED = ("courts", "tariffs", "communes")


def _copy(source: Path, names: list[str], target: Path) -> Path:
    for name in names:
        shutil.copy(source / name, target / name)
    return target


def _courts_copy(tmp_path: Path) -> Path:
    return _copy(COURTS_DIRECTORY, ["courts.csv", "ressorts.csv"], tmp_path)


def _renamed_agen(directory: Path) -> None:
    """A test edit: the TJ d'Agen's name changes and its département-level ressort is dropped."""
    courts = directory / "courts.csv"
    text = courts.read_text(encoding="utf-8")
    assert AGEN_TJ in text
    courts.write_text(
        text.replace(AGEN_TJ, AGEN_TJ.replace("Tribunal judiciaire d'Agen", "TJ Agen (test)")),
        encoding="utf-8",
    )
    ressorts = directory / "ressorts.csv"
    lines = ressorts.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("tj-agen,departement,47,territory,")]
    assert len(kept) == len(lines) - 1
    ressorts.write_text("".join(kept), encoding="utf-8")


def _releases(session: Session, dataset: str) -> list[Release]:
    return list(
        session.scalars(
            select(Release).where(Release.dataset == dataset).order_by(Release.sequence)
        )
    )


def _rows(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_each_curated_dataset_has_one_release_listed_by_dataset(
    client: TestClient, db_session: Session
) -> None:
    courts_items = _rows(db_session, CourtVersion) + _rows(db_session, CourtRessort)
    for dataset, items in (("courts", courts_items), ("tariffs", None), ("communes", None)):
        listed = client.get("/v1/releases", params={"dataset": dataset}).json()["items"]
        assert [r["dataset"] for r in listed] == [dataset]
        release = client.get(f"/v1/releases/{listed[0]['id']}").json()
        assert release["id"].startswith(f"{dataset}-")
        assert release["sequence"] == 1
        assert release["previous_id"] is None
        assert release["added"] == release["item_count"] > 0
        assert release["changelog"].startswith(f"{release['added']} added, 0 changed")
        assert {f["name"] for f in release["files"]} == set(RELEASED_DATASETS[dataset].files)
        assert all(
            f["url"] == f"/v1/downloads/{release['id']}/{f['name']}" for f in release["files"]
        )
        if items is not None:
            assert release["item_count"] == items
    courts = client.get("/v1/releases", params={"dataset": "courts"}).json()["items"][0]
    assert courts["source_name"] == "courts.csv, ressorts.csv"
    files = courts["source_details"]["files"]
    assert files["courts.csv"] == sha256_hex((COURTS_DIRECTORY / "courts.csv").read_bytes())
    communes = client.get("/v1/releases", params={"dataset": "communes"}).json()["items"][0]
    assert communes["source_name"] == "communes.csv"
    assert communes["source_details"]["millesime"] == "2026-01-01"


def test_reimporting_the_same_files_creates_no_release(db_session: Session) -> None:
    before = {d: len(_releases(db_session, d)) for d in CURATED}
    courts = load_courts(db_session).as_dict()
    tariffs = load_tariffs(db_session)
    communes = load_cog(db_session).as_dict()
    for dataset, summary in (("courts", courts), ("tariffs", tariffs), ("communes", communes)):
        latest = _releases(db_session, dataset)[-1]
        assert {k: summary[k] for k in ("release", "created", "added", "changed", "retired")} == {
            "release": latest.id,
            "created": False,
            "added": 0,
            "changed": 0,
            "retired": 0,
        }
        assert summary["unchanged"] == latest.item_count
    assert {d: len(_releases(db_session, d)) for d in CURATED} == before


def test_a_changed_file_publishes_a_release_whose_diff_lists_the_changed_field(
    client: TestClient, db_session: Session, tmp_path: Path, store: BulkStore
) -> None:
    first = _releases(db_session, "courts")[-1]
    directory = _courts_copy(tmp_path)
    _renamed_agen(directory)
    result = load_courts(db_session, directory, store=store).as_dict()
    db_session.commit()
    assert result["created"] is True
    assert (result["added"], result["changed"], result["retired"]) == (0, 1, 1)
    second = repo.get_release(db_session, result["release"])
    assert second is not None
    assert second.previous_id == first.id
    assert second.sequence == first.sequence + 1
    assert second.id == f"courts-{today().isoformat()}-2"
    assert "changed fields: name: 1" in second.changelog
    assert "ressorts: 0 added, 0 changed, 1 retired" in second.changelog

    body = client.get(f"/v1/releases/{second.id}/diff", params={"from": first.id}).json()
    assert body["counts"] == {
        "added": 0,
        "changed": 1,
        "retired": 1,
        "unchanged": first.item_count - 2,
    }
    assert body["changed"] == [
        {
            "kind": "court",
            "key": "tj-agen|2020-01-01",
            "changes": {"name": {"from": "Tribunal judiciaire d'Agen", "to": "TJ Agen (test)"}},
        }
    ]
    [retired] = body["retired"]
    assert (retired["kind"], retired["court_id"], retired["code"]) == ("ressort", "tj-agen", "47")
    backwards = client.get(f"/v1/releases/{first.id}/diff", params={"from": second.id}).json()
    assert [(a["kind"], a["key"]) for a in backwards["added"]] == [
        ("ressort", "tj-agen|departement|47|territory|2011-01-01")
    ]
    # The older release still reads as it was published.
    old_state = release_state(db_session, first)
    assert old_state[("court", "tj-agen|2020-01-01")]["name"] == "Tribunal judiciaire d'Agen"
    # Applying the diff to the first release's items gives the second's.
    diff: StateDiff[tuple[str, str]] = StateDiff(
        added={(a["kind"], a["key"]): a for a in body["added"]},
        changed={
            (c["kind"], c["key"]): {
                name: FieldChange(change["from"], change["to"])
                for name, change in c["changes"].items()
            }
            for c in body["changed"]
        },
        retired={(r["kind"], r["key"]): r for r in body["retired"]},
    )
    assert apply_diff(old_state, diff) == release_state(db_session, second)
    mixed = client.get(f"/v1/releases/{second.id}/diff", params={"from": "natinf-2026-01-26"})
    assert mixed.status_code in (404, 422)


def test_downloads_have_the_offences_semantics_and_reimport_to_the_same_release(
    client: TestClient, db_session: Session, tmp_path: Path
) -> None:
    release = _releases(db_session, "courts")[-1]
    recorded = {f.name: f.sha256 for f in repo.release_files(db_session, release.id)}
    # The session fixture loaded without a store: the file is built on first request.
    response = client.get("/v1/downloads/latest/courts.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-content-sha256"] == recorded["courts.csv"]
    assert response.headers["content-location"] == f"/v1/downloads/{release.id}/courts.csv"
    assert sha256_hex(response.content) == recorded["courts.csv"]
    etag = response.headers["etag"]
    assert etag.strip('"').startswith(recorded["courts.csv"])
    again = client.get(
        "/v1/downloads/latest/courts.csv",
        headers={"If-None-Match": etag, "Accept-Encoding": "gzip"},
    )
    assert again.status_code == 304
    since = client.get(
        f"/v1/downloads/{release.id}/courts.csv",
        headers={"If-Modified-Since": response.headers["last-modified"]},
    )
    assert since.status_code == 304
    plain = client.get(
        f"/v1/downloads/{release.id}/courts.csv", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert plain.headers["etag"] == f'"{recorded["courts.csv"]}"'
    assert "immutable" in plain.headers["cache-control"]
    assert client.get(f"/v1/downloads/{release.id}/offences.csv").status_code == 404

    body = orjson.loads(client.get(f"/v1/downloads/{release.id}/courts.json").content)
    assert body["release"] == release.id
    assert body["count"] == release.item_count
    agen = next(
        c for c in body["courts"] if c["court_id"] == "tj-agen" and c["valid_from"] == "2020-01-01"
    )
    assert agen["parent_id"] == "ca-agen"

    # The CSV files are the curated layout: loading them back changes nothing.
    for name in ("courts.csv", "ressorts.csv"):
        data = client.get(f"/v1/downloads/{release.id}/{name}").content
        (tmp_path / name).write_bytes(data)
    assert load_courts(db_session, tmp_path).as_dict()["created"] is False

    tariffs = _releases(db_session, "tariffs")[-1]
    tariff_dir = tmp_path / "tariffs"
    tariff_dir.mkdir()
    for name in TARIFF_FILES.values():
        got = client.get(f"/v1/downloads/latest/{name}")
        assert got.headers["content-location"] == f"/v1/downloads/{tariffs.id}/{name}"
        (tariff_dir / name).write_bytes(got.content)
    assert load_tariffs(db_session, tariff_dir)["created"] is False
    tariffs_json = orjson.loads(client.get("/v1/downloads/latest/tariffs.json").content)
    fifth = [m for m in tariffs_json["max_fines"] if m["classe"] == 5 and m["valid_to"] is None]
    assert [(m["amount_eur"], m["recidivism_amount_eur"]) for m in fifth] == [(1500, 3000)]


def test_a_downloaded_cog_reimports_to_the_same_release(
    client: TestClient, db_session: Session, tmp_path: Path
) -> None:
    release = _releases(db_session, "communes")[-1]
    path = tmp_path / "communes.csv"
    path.write_bytes(client.get(f"/v1/downloads/{release.id}/communes.csv").content)
    result = load_cog(db_session, path, date(2026, 1, 1)).as_dict()
    assert (result["release"], result["created"]) == (release.id, False)
    assert result["communes"]["changed"] == 0
    assert result["unchanged"] == release.item_count


def test_a_failure_mid_import_leaves_no_release_and_no_item(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _courts_copy(tmp_path)
    _renamed_agen(directory)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full while writing the bulk files (test)")

    factory = make_session_factory(engine, write=True)
    with session_scope(factory) as session:
        before = (
            [r.id for r in _releases(session, "courts")],
            _rows(session, ReleaseItem),
            session.scalar(select(func.count()).select_from(CourtRessort)),
        )
    monkeypatch.setattr(curated_releases, "write_files", fail)
    with pytest.raises(RuntimeError), session_scope(factory) as session:
        load_courts(session, directory)
    with session_scope(factory) as session:
        after = (
            [r.id for r in _releases(session, "courts")],
            _rows(session, ReleaseItem),
            session.scalar(select(func.count()).select_from(CourtRessort)),
        )
        name = session.scalar(
            select(CourtVersion.name).where(
                CourtVersion.court_id == "tj-agen", CourtVersion.valid_from == date(2020, 1, 1)
            )
        )
    assert after == before
    assert name == "Tribunal judiciaire d'Agen"


_amounts = st.integers(min_value=1, max_value=99_999).map(lambda cents: f"{cents / 100:.2f}")


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(st.integers(min_value=0, max_value=9), _amounts, max_size=4))
def test_reloading_any_edited_tariffs_is_a_no_op(
    db_session: Session, tmp_path_factory: pytest.TempPathFactory, edits: dict[int, str]
) -> None:
    """Whatever amounts a curator edits, the first load publishes at most one release and
    loading the same files again publishes nothing and reports every item unchanged."""
    directory = _copy(TARIFFS_DIRECTORY, list(TARIFF_FILES.values()), tmp_path_factory.mktemp("t"))
    path = directory / TARIFF_FILES["max_fines"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, amount in edits.items():
        fields = lines[1 + index].split(",", 2)
        lines[1 + index] = ",".join([fields[0], amount, fields[2]])
    path.write_text("".join(lines), encoding="utf-8")
    savepoint = db_session.begin_nested()
    try:
        first = load_tariffs(db_session, directory)
        again = load_tariffs(db_session, directory)
        assert again["created"] is False
        assert again["release"] == first["release"]
        assert (again["added"], again["changed"], again["retired"]) == (0, 0, 0)
        assert again["unchanged"] == first["added"] + first["changed"] + first["unchanged"]
        assert len(_releases(db_session, "tariffs")) == (2 if first["created"] else 1)
    finally:
        savepoint.rollback()


def test_every_bulk_file_is_a_documented_download(client: TestClient) -> None:
    assert set(get_args(FileName)) == set(file_datasets(RELEASED_DATASETS)) - {
        "offences.latin-1.csv"
    }
    schema = client.get("/openapi.json").json()
    parameters = schema["paths"]["/v1/downloads/{release_ref}/{file_name}"]["get"]["parameters"]
    file_name = next(p for p in parameters if p["name"] == "file_name")
    assert {"courts.csv", "tariffs.json", "communes.csv"} <= set(file_name["schema"]["enum"])
