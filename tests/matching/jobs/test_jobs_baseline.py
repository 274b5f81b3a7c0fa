"""The baseline is the tutorials' model, and its local clustering equals Splink's."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from matching.baseline import (
    BaselineModel,
    baseline_settings,
    cluster_baseline,
    components_table,
    pairs_table,
    predict_baseline,
    train_baseline,
)
from matching.io import normalise_records
from matching.jobs import quiet_splink
from matching.synthetic import generate


@pytest.fixture(scope="module")
def trained() -> tuple[BaselineModel, pa.Table]:
    records = normalise_records(generate(250, 5).records)
    with quiet_splink():
        model = train_baseline(records, auto_link=0.999, review=0.9)
    return model, records


def test_baseline_is_declared_as_the_issue_says() -> None:
    settings = baseline_settings().get_settings("duckdb").as_dict()
    names = [c["output_column_name"] for c in settings["comparisons"]]
    assert names == [
        "nom_naissance",
        "nom_usage",
        "prenoms",
        "alias",
        "date_naissance",
        "code_commune_naissance",
    ]
    rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
    assert rules == [
        'l."date_naissance" = r."date_naissance"',
        '(l."nom_naissance" = r."nom_naissance") AND '
        "(SUBSTRING(l.prenoms, 1, 1) = SUBSTRING(r.prenoms, 1, 1))",
    ]


def test_trained_parameters_are_estimated(trained: tuple[BaselineModel, pa.Table]) -> None:
    model, _ = trained
    assert 0 < model.settings["probability_two_random_records_match"] < 0.1
    exact = model.settings["comparisons"][0]["comparison_levels"][1]
    assert exact["label_for_charts"] == "Exact match on nom_naissance"
    assert exact["m_probability"] > exact["u_probability"]


def test_local_components_equal_splink_clustering(
    trained: tuple[BaselineModel, pa.Table],
) -> None:
    model, records = trained
    with quiet_splink():
        linker, frame = predict_baseline(model, records)
        splink_clusters = cluster_baseline(linker, frame, model.auto_link)
    pairs = pairs_table(frame)
    above = pairs.filter(pc.greater_equal(pairs.column("match_probability"), model.auto_link))
    local = components_table(records.column("record_id").combine_chunks(), above)
    assert local.sort_by("record_id").equals(splink_clusters.sort_by("record_id"))


def test_save_and_load_give_the_same_scores(
    trained: tuple[BaselineModel, pa.Table], tmp_path: Path
) -> None:
    model, records = trained
    path = tmp_path / "baseline.json"
    model.save(path)
    again = BaselineModel.load(path)
    with quiet_splink():
        first = pairs_table(predict_baseline(model, records)[1])
        second = pairs_table(predict_baseline(again, records)[1])
    order = [("record_id_l", "ascending"), ("record_id_r", "ascending")]
    assert first.num_rows > 0
    assert first.sort_by(order).equals(second.sort_by(order))
