"""The committed law dataset is internally consistent and is exactly what the code derives.

The extraction from the corpus needs the corpus (a git snapshot), which CI does not have; what
CI checks is everything downstream of ``versions.jsonl``: the checksums recorded in the
manifest, that today's parser and resolution produce the committed derived files byte for
byte, and that every penalty row can be traced to the verbatim text of its article version.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from refdata.law.dataset import (
    COVERAGE_FILE,
    DATASET_DIR,
    MANIFEST_FILE,
    NOTES_FILE,
    PENALTIES_FILE,
    UNRESOLVED_FILE,
    VERSIONS_FILE,
    coverage_summary,
    derive_files,
    parse_versions,
)
from refdata.law.numbers import french_words
from refdata.law.text import normalise


@cache
def committed(name: str) -> bytes:
    return (DATASET_DIR / name).read_bytes()


@cache
def versions() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return parse_versions(committed(VERSIONS_FILE))


@cache
def penalty_rows() -> list[dict[str, str]]:
    text = committed(PENALTIES_FILE).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_manifest_checksums_match_the_files() -> None:
    manifest = json.loads(committed(MANIFEST_FILE))
    assert set(manifest["files"]) == {
        VERSIONS_FILE,
        PENALTIES_FILE,
        UNRESOLVED_FILE,
        NOTES_FILE,
        COVERAGE_FILE,
    }
    for name, recorded in manifest["files"].items():
        payload = committed(name)
        assert hashlib.sha256(payload).hexdigest() == recorded["sha256"], name
        assert len(payload) == recorded["bytes"], name


def test_the_derived_files_are_what_the_parser_produces_today() -> None:
    derived = derive_files(committed(VERSIONS_FILE))
    for name, payload in derived.items():
        assert payload == committed(name), (
            f"{name} is stale: run .venv/bin/python datasets/penalties_law/"
            "build_penalties_law.py derive"
        )
    manifest = json.loads(committed(MANIFEST_FILE))
    assert manifest["coverage"] == coverage_summary(derived[COVERAGE_FILE])


def test_every_version_carries_its_provenance_and_dates() -> None:
    meta, records = versions()
    assert meta["repository"] == "etalab/codes-juridiques-francais"
    assert re.fullmatch(r"[0-9a-f]{40}", meta["commit"])
    date.fromisoformat(meta["corpus_known_until"])
    by_article: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        assert record["repository"] == meta["repository"]
        assert re.fullmatch(r"[0-9a-f]{40}", record["commit"])
        assert record["path"].startswith("codes-en-vigueur/")
        assert record["amended_by"]
        assert record["alineas"]
        assert all(a.strip() for a in record["alineas"])
        if record["valid_to"]:
            assert record["valid_from"] < record["valid_to"]
        by_article[(record["code"], record["article"])].append(record)
    for key, article_versions in by_article.items():
        numbers = [v["version"] for v in article_versions]
        assert numbers == list(range(1, len(numbers) + 1)), key
        for earlier, later in itertools.pairwise(article_versions):
            # Successive versions never overlap (an abrogation may leave a gap).
            assert earlier["valid_to"] is not None
            assert earlier["valid_to"] <= later["valid_from"]


def test_every_penalty_is_read_from_the_verbatim_text_of_its_version() -> None:
    _, records = versions()
    by_version = {(r["code"], r["article"], r["version"]): r for r in records}
    for row in penalty_rows():
        version = by_version[(row["code"], row["article"], int(row["version"]))]
        source = by_version[(row["source_code"], row["source_article"], int(row["source_version"]))]
        assert row["commit"] == version["commit"]
        assert row["path"] == version["path"]
        assert row["source_commit"] == source["commit"]
        alinea = version["alineas"][int(row["alinea"]) - 1]
        source_alinea = source["alineas"][int(row["source_alinea"]) - 1]
        assert row["sentence"] in alinea
        assert row["source_sentence"] in source_alinea
        # The dates of a penalty lie within the dates of the version that states it.
        assert version["valid_from"] <= row["valid_from"]
        if version["valid_to"]:
            assert row["valid_to"]
            assert row["valid_to"] <= version["valid_to"]
        if row["kind"] == "amende":
            assert Decimal(row["amount"]) > 0
            assert row["currency"] in ("EUR", "FRF")
            # The amount is written in the source sentence (digits, whatever the separators).
            amount = Decimal(row["amount"])
            sentence = normalise(row["source_sentence"])
            in_digits = f"{amount:f}".removesuffix(".00") in re.sub(r"[^0-9]", "", sentence)
            in_words = french_words(int(amount)) in sentence.lower()
            assert in_digits or in_words
        elif row["kind"] in ("emprisonnement", "reclusion_criminelle", "detention_criminelle"):
            assert (row["life"] == "oui") != bool(row["max_months"])


def test_code_penal_versions_start_when_the_code_came_into_force() -> None:
    meta, records = versions()
    floor = meta["code_in_force_from"]["code-penal"]["date"]
    assert all(r["valid_from"] >= floor for r in records if r["code"] == "code-penal")


@pytest.mark.parametrize("group", ["code-penal livres II-IV", "code-de-la-route L."])
def test_coverage_target_of_the_issue(group: str) -> None:
    summary = json.loads(committed(MANIFEST_FILE))["coverage"][group]
    assert summary["parsed_share"] >= 0.95
