"""The official NATINF file reader: what it accepts as published, and every way it refuses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refdata.natinf.natures import CONTRAVENTIONS, DELIT
from refdata.natinf.official_file import MAX_QUALIFICATION, parse, render_csv
from tests.refdata.natinf_samples import (
    ALL_ROWS,
    CURATED,
    HEADER,
    OFFICIAL,
    REFERENCE_SAMPLES,
    natinf_bytes,
)


def _published_files() -> list[Path]:
    """The curated seed always; the real public extract too when it is on this machine."""
    samples = Path(os.environ.get("SRJ_REFERENCE_SAMPLES", REFERENCE_SAMPLES)) / "natinf_real.csv"
    return [CURATED] + ([samples] if samples.is_file() else [])


@pytest.mark.parametrize("path", _published_files(), ids=lambda p: p.name)
def test_accepts_real_files_as_published(path: Path) -> None:
    data = path.read_bytes()
    result = parse(data)
    assert result.problems == []
    assert result.encoding in ("latin-1", "utf-8")
    body_lines = [line for line in data.split(b"\n")[1:] if line.strip(b"\r;")]
    assert len(result.rows) == len(body_lines)


@pytest.mark.parametrize(
    ("encoding", "newline", "bom", "expected"),
    [
        ("cp1252", "\r\n", False, "latin-1"),
        ("utf-8", "\r\n", False, "utf-8"),
        ("utf-8", "\n", True, "utf-8"),
        ("cp850", "\r\n", False, "cp850"),
    ],
)
def test_detects_the_encoding(encoding: str, newline: str, bom: bool, expected: str) -> None:
    result = parse(natinf_bytes(ALL_ROWS, encoding=encoding, newline=newline, bom=bom))
    assert result.problems == []
    assert result.encoding == expected
    first = result.rows[0]
    assert (first.natinf, first.nature) == (7, DELIT)
    assert result.rows[5].nature == CONTRAVENTIONS[5]
    assert result.rows[6].defined_by.endswith("arrêté minist. du 22-02-1990.")


def test_reads_fields_verbatim_and_trims_spaces() -> None:
    row = ("  7 ", " Délit ", ' SIGNAL "STOP"; A ', "ART.1 C.PENAL.", "")
    result = parse(natinf_bytes([row]))
    assert result.problems == []
    parsed = result.rows[0]
    assert parsed.natinf == 7
    assert parsed.qualification == 'SIGNAL "STOP"; A'
    assert parsed.repressed_by == ""


def test_skips_title_lines_blank_lines_and_trailing_empty_columns() -> None:
    body = natinf_bytes(OFFICIAL[:2]).decode("cp1252")
    text = (
        "Ministère de la Justice, Direction des affaires criminelles et des grâces;;;;\r\n"
        + body.replace("\r\n8;", "\r\n;;;;\r\n8;").replace("C.M.F.\r\n", "C.M.F.;;\r\n", 1)
        + "\r\n"
    )
    result = parse(text.encode("cp1252"))
    assert result.problems == []
    assert [r.natinf for r in result.rows] == [7, 8]
    assert result.preamble_lines == 1
    assert result.skipped_blank_lines == 2


def test_empty_nature_is_kept_as_not_stated() -> None:
    row = ("1508", "", "EXECUTION D'UN TRAVAIL DISSIMULE", "", "")
    result = parse(natinf_bytes([row]))
    assert result.problems == []
    assert result.rows[0].nature is None


def test_nature_variants_map_to_the_official_label() -> None:
    rows = [
        ("7", "DELIT", "A", "", ""),
        ("8", "contravention de 4eme classe", "B", "", ""),
        ("11", "Contravention de 1re classe", "C", "", ""),
    ]
    result = parse(natinf_bytes(rows))
    assert result.problems == []
    assert [r.nature.label for r in result.rows if r.nature] == [
        "Délit",
        "Contravention de 4ème classe",
        "Contravention de 1ère classe",
    ]


def _messages(data: bytes) -> list[str]:
    result = parse(data)
    assert result.rows == []
    return [p.render() for p in result.problems]


def test_wrong_separator() -> None:
    data = natinf_bytes(ALL_ROWS).replace(b";", b",")
    assert _messages(data) == [
        "line 1: the file is separated by ',', not by ';' as the official layout is"
    ]
    tabs = natinf_bytes(ALL_ROWS).replace(b";", b"\t")
    assert "separated by a tab" in _messages(tabs)[0]


def test_missing_column() -> None:
    header = HEADER.rsplit(";", 1)[0]
    rows = [r[:4] for r in OFFICIAL]
    data = natinf_bytes(rows, header=header)  # type: ignore[arg-type]  # 4-column rows on purpose
    assert _messages(data) == ["line 1: header has 4 columns, expected 5; missing: 'Réprimée par'"]


def test_wrong_header_names_the_column() -> None:
    data = natinf_bytes(OFFICIAL, header=HEADER.replace("Définie par", "Prévue par"))
    assert _messages(data)[0].startswith(
        "line 1: header column 4 is 'Prévue par', expected 'Définie par'"
    )


def test_row_with_missing_or_extra_fields() -> None:
    text = natinf_bytes(OFFICIAL[:3]).decode("cp1252").splitlines()
    text[2] = text[2].rsplit(";", 1)[0]
    text[3] = text[3] + ";EXTRA"
    messages = _messages("\r\n".join(text).encode("cp1252"))
    assert messages[0].startswith("line 3: 4 fields, expected 5")
    assert messages[1].startswith("line 4: 6 fields, expected 5")
    assert "must be enclosed in double quotes" in messages[1]


def test_duplicate_code_names_both_lines() -> None:
    data = natinf_bytes([*OFFICIAL, OFFICIAL[2]])
    assert _messages(data) == [
        "line 8, column 'Numéro NATINF': duplicate code: NATINF 11 is already on line 4"
    ]


def test_unknown_nature() -> None:
    row = ("7", "Délit grave", "X", "", "")
    message = _messages(natinf_bytes([row]))[0]
    assert message.startswith(
        "line 2, column 'Nature de l'infraction': unknown nature 'Délit grave'"
    )
    assert "Contravention de 5ème classe" in message


def test_overlong_qualification() -> None:
    row = ("7", "Délit", "A" * (MAX_QUALIFICATION + 1), "", "")
    assert _messages(natinf_bytes([row])) == [
        f"line 2, column 'Qualification de l'infraction': qualification of "
        f"{MAX_QUALIFICATION + 1} characters, at most {MAX_QUALIFICATION} allowed"
    ]


def test_bad_codes_and_empty_qualification_are_all_reported() -> None:
    rows = [("7a", "Délit", "A", "", ""), ("0", "Délit", "B", "", ""), ("9", "Délit", "", "", "")]
    assert _messages(natinf_bytes(rows)) == [
        "line 2, column 'Numéro NATINF': '7a' is not a NATINF number (1 to 6 digits, not zero)",
        "line 3, column 'Numéro NATINF': '0' is not a NATINF number (1 to 6 digits, not zero)",
        "line 4, column 'Qualification de l'infraction': the qualification is empty",
    ]


def test_utf16_is_refused() -> None:
    data = natinf_bytes(OFFICIAL, encoding="utf-16")
    assert _messages(data) == [
        "line 1: the file is encoded in UTF-16; save it as UTF-8 or Latin-1 (the official encoding)"
    ]


def test_mixed_encodings_are_refused() -> None:
    utf8 = natinf_bytes(OFFICIAL[:2], encoding="utf-8")
    latin = natinf_bytes(OFFICIAL[2:3], encoding="cp1252").split(b"\r\n", 1)[1]
    messages = _messages(utf8 + latin)
    assert messages == [
        "line 4: mixed encodings: the header (line 1) is UTF-8 but line 4 is not; save the "
        "whole file in one encoding"
    ]


def test_control_characters_are_refused() -> None:
    row = ("7", "Délit", "A\x00B", "", "")
    assert "control character U+0000" in _messages(natinf_bytes([row], encoding="utf-8"))[0]


def test_characters_outside_the_official_encoding_are_refused() -> None:
    row = ("7", "Délit", "VOL ✓", "", "")
    assert _messages(natinf_bytes([row], encoding="utf-8")) == [
        "line 2, column 'Qualification de l'infraction': character U+2713 ('✓') cannot be "
        "written in the official Latin-1 file"
    ]


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n"])
def test_empty_file(data: bytes) -> None:
    assert _messages(data) == ["line 1: the file is empty"]


def test_header_without_rows_is_refused() -> None:
    assert _messages(natinf_bytes([])) == [
        "line 1: the file has a header but no offence: refusing to retire every code"
    ]


_text = st.text(
    alphabet=st.characters(
        codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85"
    ),
    max_size=40,
).map(str.strip)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=999_999),
        st.tuples(
            st.sampled_from(["", "Crime", "Délit", "Contravention de 3ème classe"]),
            _text.filter(bool),
            _text,
            _text,
        ),
        min_size=1,
        max_size=30,
    )
)
def test_render_then_parse_round_trips(rows: dict[int, tuple[str, str, str, str]]) -> None:
    ordered = sorted(rows.items())
    csv_text = render_csv([(code, n or None, q, d, r) for code, (n, q, d, r) in ordered])
    for encoding in ("utf-8", "cp1252"):
        result = parse(csv_text.encode(encoding))
        assert result.problems == []
        assert [
            (
                r.natinf,
                r.nature.label if r.nature else "",
                r.qualification,
                r.defined_by,
                r.repressed_by,
            )
            for r in result.rows
        ] == [(code, *fields) for code, fields in ordered]
