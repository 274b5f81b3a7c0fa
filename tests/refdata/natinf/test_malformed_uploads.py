"""Files the csv module cannot read (a bare CR inside a field, a binary upload) are refused like
every other bad file: 422 / exit 2 with the line, never a 500 or a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from entrypoint.cli import app
from refdata.natinf.official_file import parse
from refdata.natinf.penalties import parse_penalties
from refdata.natinf.service import parse_successors
from srj.settings import get_settings
from tests.refdata.natinf_samples import ALL_ROWS, HEADER, natinf_bytes

Token = Callable[..., dict[str, str]]

BARE_CR = (
    HEADER + "\r\n"
    "7;Délit;RETRAIT DE LA PROVISION D'UN CHEQUE;ART.L.163-2 AL.1 C.M.F.;ART.L.163-6 C.M.F.\r\n"
    "11;Délit;ABANDON DE FAMILLE :\rNON PAIEMENT D'UNE PENSION;ART.227-3 C.PENAL.;"
    "ART.227-3 C.PENAL.\r\n"
).encode("cp1252")
# What a spreadsheet saved as .xlsx looks like to the importer: a ZIP archive.
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 8
MAC_LINE_ENDINGS = natinf_bytes(ALL_ROWS).replace(b"\r\n", b"\r")


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (BARE_CR, 3, "carriage return (CR) inside the line"),
        (XLSX, 1, "the file is binary"),
        (bytes(range(1, 256)) * 8, 1, "not CSV text"),
        (MAC_LINE_ENDINGS, 1, "carriage return (CR) alone"),
    ],
    ids=["bare-cr", "xlsx", "binary-without-nul", "cr-line-endings"],
)
def test_the_parser_reports_the_line_and_why(data: bytes, line: int, words: str) -> None:
    result = parse(data)
    assert result.rows == []
    assert result.problems[0].line == line
    assert words in result.problems[0].message


def test_a_bare_cr_row_is_one_problem_among_the_others() -> None:
    data = BARE_CR + b"12;Delit grave;X;;\r\n"
    problems = parse(data).problems
    assert [p.line for p in problems] == [3, 4]


def test_penalties_and_successors_files_with_a_bare_cr_are_refused() -> None:
    penalties = (
        "natinf;categorie;peine;libelle;duree_max_mois;perpetuite;amende_max_eur;article;"
        "citation;en_vigueur_depuis;en_vigueur_jusqu_au;source\r\n"
        "11;principale;amende;Amende;;non;15000;Code pénal,\r art. 227-3;est puni;2002-01-01;;x\r\n"
    ).encode()
    _, problems = parse_penalties(penalties, {11})
    assert [(p.line, "carriage return" in p.message) for p in problems] == [(2, True)]
    _, problems = parse_successors(b"NATINF;Successeur;Source\r\n7;1\r1;circulaire\r\n", {7, 11})
    assert [(p.line, "carriage return" in p.message) for p in problems] == [(2, True)]
    _, problems = parse_successors(b"NATINF;Succ\x00esseur;Source\r\n", {7})
    assert problems[0].line == 1


@pytest.mark.parametrize("data", [BARE_CR, XLSX], ids=["bare-cr", "xlsx"])
def test_http_import_answers_422_with_the_line(
    client: TestClient, token: Token, data: bytes
) -> None:
    response = client.post(
        "/v1/imports/natinf",
        headers=token("admin"),
        files={"file": ("liste.csv", data, "text/csv")},
        data={"published_on": "2026-07-01"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["problems"][0]["line"] in (1, 3)


@pytest.fixture
def cli_env(
    database_url: str,
    database_factory: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    monkeypatch.setenv("SRJ_DATABASE_URL", database_factory(backend))
    monkeypatch.setenv("SRJ_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SRJ_LOG_JSON", "false")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("data", "expected"),
    [(BARE_CR, "line 3: carriage return"), (XLSX, "line 1: the file is binary")],
    ids=["bare-cr", "xlsx"],
)
def test_cli_exits_2_with_the_line(cli_env: Path, data: bytes, expected: str) -> None:
    path = cli_env / "liste.csv"
    path.write_bytes(data)
    result = CliRunner().invoke(
        app, ["refdata", "import-natinf", str(path), "--published-on", "2026-07-01"]
    )
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    releases = CliRunner().invoke(app, ["refdata", "releases"])
    assert [json.loads(line) for line in releases.stdout.splitlines()] == []
