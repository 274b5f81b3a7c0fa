"""Decisions as labels for the model, and courts for the queue filter (service and CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from identity.crypto import RegistryCrypto
from identity.review.courts import CourtFileError, read_court_file, resolve_courts
from identity.review.labels import LabelIds, export_labels
from identity.review.repository import ReviewRepository
from matching.io import read_labels

SRJ = str(Path(sys.executable).with_name("srj"))


def _decide(client: TestClient, headers: dict[str, str], review_id: int, decision: str) -> Any:
    version = client.get(f"/v1/reviews/{review_id}", headers=headers).json()["version"]
    response = client.post(
        f"/v1/reviews/{review_id}/decision",
        json={"decision": decision, "version": version, "reason": "pièces consultées"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_labels_are_the_decisions_in_force_in_the_format_link_jobs_read(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    db_session: Session,
    crypto: RegistryCrypto,
    tmp_path: Path,
) -> None:
    same, different, unsure, undone = (
        make_pair(t, nom=n)
        for t, n in (("L1", "ALPHA"), ("L2", "BETA"), ("L3", "GAMMA"), ("L4", "DELTA"))
    )
    _decide(client, reviewer, same["id"], "same")
    _decide(client, reviewer, different["id"], "different")
    _decide(client, reviewer, unsure["id"], "unsure")
    merged = _decide(client, reviewer, undone["id"], "same")
    split = client.post(
        f"/v1/persons/{merged['survivor_person_id']}/split",
        json={"merged_person_id": merged["merged_person_id"], "reason": "erreur de fusion"},
        headers=reviewer,
    )
    assert split.status_code == 200

    out = tmp_path / "labels.csv"
    summary = export_labels(ReviewRepository(db_session), crypto, out, LabelIds.RECORD_ID)
    assert (summary.labels, summary.same, summary.different) == (3, 1, 2)
    labels = read_labels(out)  # the reader of `srj link train|evaluate --labels`
    got = {
        frozenset((a, b)): s
        for a, b, s in zip(
            labels["record_id_l"].to_pylist(),
            labels["record_id_r"].to_pylist(),
            labels["clerical_match_score"].to_pylist(),
            strict=True,
        )
    }
    assert got == {
        frozenset(("row-L1-1", "row-L1-2")): 1.0,
        frozenset(("row-L2-1", "row-L2-2")): 0.0,
        frozenset(("row-L4-1", "row-L4-2")): 0.0,  # the undone merge
    }
    text = out.read_text()
    assert "ALPHA" not in text  # no identity trait, only ids and scores

    # The file feeds `srj link evaluate --labels`: precision per score band of the job's pairs.
    ids = [f"row-{t}-{i}" for t in ("L1", "L2", "L3", "L4") for i in (1, 2)]
    (tmp_path / "clusters.csv").write_text(
        "record_id,cluster_id\n" + "".join(f"{r},{r}\n" for r in ids)
    )
    (tmp_path / "truth.csv").write_text(
        "record_id,person_id\n" + "".join(f"{r},{r[:-2]}\n" for r in ids)
    )
    pa_pairs = pa.table(
        {
            "record_id_l": [f"row-{t}-1" for t in ("L1", "L2", "L3", "L4")],
            "record_id_r": [f"row-{t}-2" for t in ("L1", "L2", "L3", "L4")],
            "match_weight": [7.0] * 4,
            "match_probability": [1 / (1 + 2**-7)] * 4,
        }
    )
    pq.write_table(pa_pairs, tmp_path / "pairs.parquet")
    evaluated = subprocess.run(
        [
            SRJ,
            "link",
            "evaluate",
            "--clusters",
            str(tmp_path / "clusters.csv"),
            "--truth",
            str(tmp_path / "truth.csv"),
            "--pairs",
            str(tmp_path / "pairs.parquet"),
            "--labels",
            str(out),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert evaluated.returncode == 0, evaluated.stderr
    bands = json.loads(evaluated.stdout)["precision_by_band"]
    band = next(b for b in bands if b["labelled_pairs"])
    assert (band["lower"], band["labelled_pairs"], band["same"]) == (5.0, 3, 1.0)

    parquet = tmp_path / "labels.parquet"
    export_labels(ReviewRepository(db_session), crypto, parquet, LabelIds.REGISTRY)
    table = pq.read_table(parquet)
    assert (
        str(same["record_a"]) in table["record_id_l"].to_pylist() + table["record_id_r"].to_pylist()
    )
    # Weight 7 with the test matcher: probability 1 / (1 + 2**-7).
    assert table["match_probability"].to_pylist() == pytest.approx([1 / (1 + 2**-7)] * 3)


def test_courts_file_is_checked_whole_then_filters_the_queue(
    client: TestClient,
    reviewer: dict[str, str],
    make_pair: Callable[..., Any],
    db_session: Session,
    crypto: RegistryCrypto,
    tmp_path: Path,
) -> None:
    lyon, paris = make_pair("J1", nom="ALPHA"), make_pair("J2", nom="BETA")
    bad = tmp_path / "bad.csv"
    bad.write_text("source,source_ref,court\ncassiopee,J1-1,TJ-LYON\nCASSIOPEE,,TJ LYON\n")
    with pytest.raises(CourtFileError) as caught:
        read_court_file(bad)
    assert caught.value.problems == [
        "line 2: field source is not a source application code",
        "line 3: field source_ref is empty or too long",
        "line 3: field court must be 1-32 letters, digits, '.', '_' or '-'",
    ]
    good = tmp_path / "courts.csv"
    good.write_text(
        "source,source_ref,court\nCASSIOPEE,J1-1,TJ-LYON\nCASSIOPEE,J2-1,TJ-PARIS\n"
        "GENESIS,J2-2,TJ-PARIS\n"
    )
    repo = ReviewRepository(db_session)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("source,source_ref,court\nCASSIOPEE,NOPE,TJ-LYON\n")
    with pytest.raises(CourtFileError, match="line 2: no record of CASSIOPEE"):
        resolve_courts(repo, crypto, read_court_file(unknown))
    from datetime import UTC, datetime

    repo.upsert_courts(resolve_courts(repo, crypto, read_court_file(good)), datetime.now(UTC))
    page = client.get("/v1/reviews?court=TJ-LYON", headers=reviewer).json()
    assert [i["id"] for i in page["items"]] == [lyon["id"]]
    assert page["items"][0]["courts"] == ["TJ-LYON"]
    assert [
        i["id"] for i in client.get("/v1/reviews?court=TJ-PARIS", headers=reviewer).json()["items"]
    ] == [paris["id"]]


@pytest.fixture
def cli_env(tmp_path: Path, database_factory: Any) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SRJ_DATABASE_URL=database_factory("sqlite"),
        SRJ_DATA_DIR=str(tmp_path / "var"),
        SRJ_LOG_JSON="false",
    )
    return env


def test_cli_exports_labels_and_refuses_a_bad_courts_file_naming_lines(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "labels.csv"
    done = subprocess.run(
        [SRJ, "registry", "export-labels", str(out)],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"labels": 0' in done.stdout
    assert out.read_text().startswith('"record_id_l","record_id_r","clerical_match_score"')
    wrong = subprocess.run(
        [SRJ, "registry", "export-labels", str(tmp_path / "labels.txt")],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2
    assert ".csv or .parquet" in wrong.stderr
    courts = tmp_path / "courts.csv"
    courts.write_text("source,source_ref,court\nCASSIOPEE,X,TJ-LYON\nGENESIS,,TJ\n")
    refused = subprocess.run(
        [SRJ, "registry", "import-courts", str(courts)],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "line 3: field source_ref is empty" in refused.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("source,source_ref,court\nCASSIOPEE,X,TJ-LYON\n")
    refused = subprocess.run(
        [SRJ, "registry", "import-courts", str(unknown)],
        env=cli_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "line 2: no record of CASSIOPEE" in refused.stderr
