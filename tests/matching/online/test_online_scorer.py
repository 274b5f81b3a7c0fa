"""The online scorer gives Splink's own weights, for any pair, to 1e-6."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from splink import Linker

from matching.engines.duckdb import default_db_api
from matching.engines.frames import register, to_arrow
from matching.model import TrainedModel, predict
from matching.online import OnlineScorer
from matching.records import CANONICAL_COLUMNS
from matching.standardise import standardise_record, standardise_table

TOLERANCE = 1e-6
CANONICAL_SCHEMA = pa.schema([(c, pa.string()) for c in CANONICAL_COLUMNS])


def splink_scores(
    model: TrainedModel, left: pa.Table, right: pa.Table, population: int
) -> pa.Table:
    """Splink's scores of every (left, right) pair, with the model's TF and prior."""
    db_api = default_db_api()
    settings_dict = model.splink_settings("duckdb", prior=model.prior(population))
    linker = Linker(register(db_api, left), settings_dict, log_level=None)
    for column, tf in model.term_frequencies.items():
        linker.table_management.register_term_frequency_lookup(
            register(db_api, tf.as_arrow(column)), column
        )
    scored = linker.inference.score_pairs(register(db_api, left), register(db_api, right))
    return to_arrow(scored)


def test_online_equals_batch_on_every_blocked_pair(linkage: Any) -> None:
    model, table = linkage.model, linkage.standardised
    pairs = predict(model, table, threshold_match_probability=0.0)
    assert pairs.num_rows > 1_000
    scorer = OnlineScorer(model, population_size=table.num_rows)
    records = {r["record_id"]: r for r in table.to_pylist()}
    worst = 0.0
    for row in pairs.select(["record_id_l", "record_id_r", "match_weight"]).to_pylist():
        online = scorer.match_weight(records[row["record_id_l"]], records[row["record_id_r"]])
        worst = max(worst, abs(online - row["match_weight"]))
    assert worst <= TOLERANCE


# -- hypothesis: pairs built from real records with the entry errors clerks make ----------


def _typo(text: str, position: int, kind: int) -> str:
    if not text:
        return text
    i = position % len(text)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + "E" + text[i:]
    if kind == 2:
        return text[:i] + ("A" if text[i] != "A" else "O") + text[i + 1 :]
    return text[:i] + text[i + 1 : i + 2] + text[i : i + 1] + text[i + 2 :]


MUTATIONS = (
    "typo_nom",
    "typo_prenom",
    "invert",
    "first_name_only",
    "glue",
    "usage_swap",
    "alias_nom",
    "swap_day_month",
    "year_digit",
    "partial_month",
    "partial_year",
    "presumed",
    "drop_date",
    "drop_place",
    "arrondissement",
    "abroad",
    "other_country",
    "other_commune",
    "sexe",
    "drop_prenoms",
    "drop_nom",
    "twin",
    "namesake",
    "other_date",
)


@st.composite
def record_pairs(draw: st.DrawFn, rows: list[dict[str, Any]]) -> tuple[dict, dict]:
    left = dict(draw(st.sampled_from(rows)))
    if draw(st.integers(0, 9)) == 0:
        return left, dict(draw(st.sampled_from(rows)))  # two unrelated records
    right = dict(left)
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=3)):
        position, kind = draw(st.integers(0, 30)), draw(st.integers(0, 3))
        nom, prenoms = right.get("nom_naissance") or "", right.get("prenoms") or ""
        date = right.get("date_naissance") or ""
        if mutation == "typo_nom":
            right["nom_naissance"] = _typo(nom, position, kind)
        elif mutation == "typo_prenom":
            right["prenoms"] = _typo(prenoms, position, kind)
        elif mutation == "invert":
            right["nom_naissance"], right["prenoms"] = prenoms, nom
        elif mutation == "first_name_only":
            right["prenoms"] = prenoms.split(" ")[0]
        elif mutation == "glue":
            right["prenoms"] = prenoms.replace(" ", "").replace("-", "")
        elif mutation == "usage_swap":
            right["nom_naissance"], right["nom_usage"] = right.get("nom_usage") or "", nom
        elif mutation == "alias_nom":
            right["nom_naissance"] = right.get("alias") or "ALIASNOM"
        elif mutation == "swap_day_month" and len(date) == 10:
            right["date_naissance"] = f"{date[:4]}-{date[8:10]}-{date[5:7]}"
        elif mutation == "year_digit" and len(date) >= 4:
            right["date_naissance"] = date[:3] + str((int(date[3]) + 1) % 10) + date[4:]
        elif mutation == "partial_month":
            right["date_naissance"] = date[:7]
        elif mutation == "partial_year":
            right["date_naissance"] = date[:4]
        elif mutation == "presumed" and len(date) >= 4:
            right["date_naissance"] = left["date_naissance"] = f"{date[:4]}-01-01"
        elif mutation == "drop_date":
            right["date_naissance"] = ""
        elif mutation == "drop_place":
            right["commune_naissance"] = right["code_commune_naissance"] = ""
        elif mutation == "arrondissement":
            right["commune_naissance"], right["code_commune_naissance"] = "PARIS 11E", ""
        elif mutation == "abroad":
            right["code_commune_naissance"], right["code_pays_naissance"] = "", "99352"
            right["commune_naissance"] = draw(st.sampled_from(["ALGER", "ORAN", ""]))
        elif mutation == "other_country":
            right["code_pays_naissance"] = "99350"
        elif mutation == "other_commune":
            right["code_commune_naissance"] = draw(st.sampled_from(["69123", "13055", "33063"]))
        elif mutation == "sexe":
            right["sexe"] = {"M": "F", "F": "M"}.get(right.get("sexe") or "", "M")
        elif mutation == "drop_prenoms":
            right["prenoms"] = ""
        elif mutation == "drop_nom":
            right["nom_naissance"] = right["nom_usage"] = ""
        elif mutation == "twin":
            right["prenoms"] = draw(st.sampled_from(["KEVIN", "SARAH", "ZOE ANNA"]))
        elif mutation == "namesake":
            right["code_commune_naissance"] = "97411"
        elif mutation == "other_date":
            right["date_naissance"] = "1931-07-19"
    return left, right


def test_hypothesis_pairs(linkage: Any) -> None:
    model = linkage.model
    population = linkage.standardised.num_rows
    scorer = OnlineScorer(model, population_size=population)
    rows = linkage.records.slice(0, 400).to_pylist()
    levels_seen: set[tuple[str, int]] = set()

    @given(st.lists(record_pairs(rows), min_size=1, max_size=12))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(pairs: list[tuple[dict, dict]]) -> None:
        lefts, rights = [], []
        for index, (left, right) in enumerate(pairs):
            lefts.append({**left, "record_id": f"L{index}"})
            rights.append({**right, "record_id": f"R{index}"})
        left_table = standardise_table(pa.Table.from_pylist(lefts, schema=CANONICAL_SCHEMA))
        right_table = standardise_table(pa.Table.from_pylist(rights, schema=CANONICAL_SCHEMA))
        scored = splink_scores(model, left_table, right_table, population)
        by_id = {r["record_id"]: r for r in left_table.to_pylist() + right_table.to_pylist()}
        for row in scored.to_pylist():
            left, right = by_id[row["record_id_l"]], by_id[row["record_id_r"]]
            online = scorer.score_pair(left, right)
            assert abs(online.match_weight - row["match_weight"]) <= TOLERANCE
            assert abs(online.match_probability - row["match_probability"]) <= TOLERANCE
            for contribution in online.contributions:
                name = contribution.comparison
                assert contribution.gamma == row[f"gamma_{name}"]
                splink_weight = row[f"mw_{name}"] + (row.get(f"mw_tf_adj_{name}") or 0.0)
                assert abs(contribution.weight - splink_weight) <= TOLERANCE
                levels_seen.add((name, contribution.gamma))

    check()
    # The generated pairs reach most levels of every comparison (the rest are rare
    # combinations such as a one-typo foreign city with no code on either side).
    for spec in model.comparisons:
        reached = {gamma for name, gamma in levels_seen if name == spec.name}
        assert len(reached) >= len(spec.levels) // 2, (spec.name, sorted(reached))


def test_probability_and_order(linkage: Any) -> None:
    model = linkage.model
    scorer = OnlineScorer.from_model(model)
    rows = linkage.standardised.slice(0, 30).to_pylist()
    scored = scorer.score(rows[0], rows[1:])
    weights = [s.match_weight for s in scored]
    assert weights == sorted(weights, reverse=True)
    for s in scored:
        assert math.isclose(s.match_probability, 1 / (1 + 2 ** (-s.match_weight)), rel_tol=1e-12)
        assert len(s.contributions) == len(model.comparisons)
    assert scorer.score(rows[0], []) == []


def test_prior_follows_the_registry_size(linkage: Any) -> None:
    scorer = OnlineScorer(linkage.model, population_size=1_000)
    bigger = scorer.with_population_size(10_000)
    a, b = linkage.standardised.slice(0, 2).to_pylist()
    difference = scorer.match_weight(a, b) - bigger.match_weight(a, b)
    expected = math.log2(scorer.prior / (1 - scorer.prior)) - math.log2(
        bigger.prior / (1 - bigger.prior)
    )
    assert difference == pytest.approx(expected, abs=1e-9)
    # About log2(10): a prior ten times smaller (not exactly: odds, not probabilities).
    assert difference == pytest.approx(math.log2(10_000 / 1_000), abs=0.05)


def test_scores_raw_registry_records_standardised_online(linkage: Any) -> None:
    scorer = OnlineScorer.from_model(linkage.model)
    raw = linkage.records.slice(0, 2).to_pylist()
    left, right = standardise_record(raw[0]), standardise_record(raw[1])
    table = linkage.standardised
    by_id = {
        r["record_id"]: r
        for r in table.filter(
            pc.is_in(table["record_id"], pa.array([raw[0]["record_id"], raw[1]["record_id"]]))
        ).to_pylist()
    }
    assert scorer.match_weight(left, right) == scorer.match_weight(
        by_id[raw[0]["record_id"]], by_id[raw[1]["record_id"]]
    )
