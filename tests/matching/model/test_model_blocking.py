"""Blocking keys and Splink blocking rules select exactly the same pairs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from splink import Linker

from matching.blocking import BLOCKING_RULES, blocking_keys
from matching.engines.duckdb import default_db_api
from matching.engines.frames import register
from matching.model.artefact import splink_settings_dict
from matching.model.comparisons import COMPARISONS
from matching.records import CANONICAL_COLUMNS
from matching.standardise import standardise_table


def splink_blocked_pairs(table: pa.Table) -> set[tuple[str, str]]:
    db_api = default_db_api()
    linker = Linker(
        register(db_api, table),
        splink_settings_dict(COMPARISONS, None, dialect="duckdb", prior=1e-4),
        log_level=None,
    )
    frame = linker.inference.compute_blocked_pairs_for_predict().as_duckdbpyrelation()
    rows = frame.select("join_key_l, join_key_r").fetchall()
    return {(min(a, b), max(a, b)) for a, b in rows}


def key_pairs(records: Iterable[dict[str, object]]) -> set[tuple[str, str]]:
    by_key: dict[str, list[str]] = defaultdict(list)
    for record in records:
        for key in blocking_keys(record):
            by_key[key].append(str(record["record_id"]))
    pairs = set()
    for ids in by_key.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if a != b:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


def test_keys_and_rules_agree_on_the_synthetic_population(linkage: Any) -> None:
    table = linkage.standardised
    expected = splink_blocked_pairs(table)
    assert len(expected) > 1_000
    assert key_pairs(table.to_pylist()) == expected


# Records drawn from a few values per field so that they collide on every rule.
_CHOICE = {
    "nom_naissance": ["Dupont", "DUPOND", "Martin", "Ben Ali", ""],
    "nom_usage": ["", "", "Durand", "Dupont"],
    "alias": ["", "", "Benali", "Martin"],
    "prenoms": ["Jean", "Jean-Pierre Marie", "Marie", "Dupont", ""],
    "date_naissance": ["1985-03-12", "1985-12-03", "1986-03-12", "1985-03", "1985", ""],
    "commune_naissance": ["Paris 11e", "Lyon", "", "Alger"],
    "code_commune_naissance": ["", "75111", "69123"],
    "code_pays_naissance": ["", "99352"],
    "sexe": ["M", "F", ""],
}


@st.composite
def colliding_tables(draw: st.DrawFn) -> pa.Table:
    count = draw(st.integers(min_value=2, max_value=30))
    rows = []
    for index in range(count):
        row = {column: "" for column in CANONICAL_COLUMNS}
        row.update({k: draw(st.sampled_from(v)) for k, v in _CHOICE.items()})
        row["record_id"] = f"R{index:03d}"
        rows.append(row)
    schema = pa.schema([(c, pa.string()) for c in CANONICAL_COLUMNS])
    return standardise_table(pa.Table.from_pylist(rows, schema=schema))


@given(colliding_tables())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_keys_and_rules_agree_on_colliding_records(table: pa.Table) -> None:
    assert key_pairs(table.to_pylist()) == splink_blocked_pairs(table)


def test_keys_name_their_rule_and_skip_missing_values() -> None:
    record = {
        "pre3": "JEA",
        "dn_md": "03-12",
        "lieu_code": "75056",
        "dn": "1985-03-12",
        "nom3": "DUP",
        "noms_std": ["DUPONT", "DURAND"],
        "noms4": ["DUPO", "DURA"],
        "dn_annee": 1985,
    }
    keys = blocking_keys(record)
    assert "pre3_md_lieu:JEA|03-12|75056" in keys
    assert "dn_nom3:1985-03-12|DUP" in keys
    assert {"noms_lieu:DUPONT|75056", "noms_lieu:DURAND|75056"} <= set(keys)
    assert "noms4_pre3_annee:DURA|JEA|1985" in keys
    assert not any(k.startswith(("dn_lieu:", "prenoms_md:", "sig_noms_prenoms:")) for k in keys)
    assert len(keys) == len(set(keys))
    assert {rule.name for rule in BLOCKING_RULES} >= {k.split(":")[0] for k in keys}
