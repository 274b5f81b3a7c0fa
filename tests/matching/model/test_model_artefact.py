"""Training, the JSON artefact and prediction."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from splink import Linker

from matching.engines.duckdb import default_db_api
from matching.engines.frames import register, to_arrow
from matching.model import (
    ModelArtefactError,
    Thresholds,
    TrainedModel,
    TrainingError,
    link,
    predict,
    train,
)
from matching.standardise import STANDARDISATION_VERSION


def _weights(pairs: pa.Table) -> dict[tuple[str, str], float]:
    return {
        (r["record_id_l"], r["record_id_r"]): r["match_weight"]
        for r in pairs.select(["record_id_l", "record_id_r", "match_weight"]).to_pylist()
    }


def test_trained_parameters_make_sense(linkage: Any) -> None:
    model = linkage.model
    for spec, params in zip(model.comparisons, model.parameters, strict=True):
        weights = [p.weight for p in params]
        assert weights[1] > 0, spec.name  # the best level after the null one: agreement
        assert weights[-1] < 0, spec.name  # the catch-all: disagreement
        for level, p in zip(spec.levels, params, strict=True):
            if level.fixed_weight is not None:
                assert p.weight == level.fixed_weight
            if level.m_max is not None:
                assert p.m is not None
                assert p.m <= level.m_max
    # The prior: close to the truth (records of the same person per record).
    truth = linkage.truth.to_pandas().groupby("person_id").size()
    true_mu = float((truth * (truth - 1)).sum()) / len(linkage.truth)
    assert model.training.matches_per_record == pytest.approx(true_mu, rel=0.35)


def test_save_and_load_give_identical_scores(linkage: Any, tmp_path: Path) -> None:
    model = linkage.model
    path = model.save(tmp_path / "model.json")
    loaded = TrainedModel.load(path)
    assert loaded.model_version == model.model_version
    assert loaded == model
    before = predict(model, linkage.standardised, threshold_match_probability=0.0)
    after = predict(loaded, linkage.standardised, threshold_match_probability=0.0)
    assert _weights(before) == _weights(after)

    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["standardisation_version"] == STANDARDISATION_VERSION
    assert data["training"]["records"] == linkage.standardised.num_rows
    assert len(data["training"]["data_sha256"]) == 64
    assert data["thresholds"] == model.thresholds.to_json()
    assert data["term_frequencies_sha256"] == model.term_frequencies_sha256
    assert data["splink_settings"]["comparisons"][0]["comparison_levels"][0]["is_null_level"]


def test_splink_loads_the_settings_section_as_is(linkage: Any, tmp_path: Path) -> None:
    model = linkage.model
    data = json.loads(model.save(tmp_path / "model.json").read_text(encoding="utf-8"))
    db_api = default_db_api()
    table = linkage.standardised
    linker = Linker(register(db_api, table), data["splink_settings"], log_level=None)
    for column, tf in model.term_frequencies.items():
        linker.table_management.register_term_frequency_lookup(
            register(db_api, tf.as_arrow(column)), column
        )
    native = to_arrow(linker.inference.predict(warning_mode="never"))
    ours = predict(
        model, table, threshold_match_probability=0.0, population_size=model.training.records
    )
    theirs = _weights(native)
    mine = _weights(ours)
    assert theirs.keys() == mine.keys()
    assert max(abs(theirs[k] - mine[k]) for k in mine) <= 1e-9


def test_tampered_or_foreign_artefacts_are_refused(linkage: Any, tmp_path: Path) -> None:
    path = linkage.model.save(tmp_path / "model.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["comparisons"][0]["levels"][1]["m_probability"] = 0.5
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelArtefactError, match="model_version"):
        TrainedModel.load(tampered)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["standardisation_version"] = "0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelArtefactError, match="retrain"):
        TrainedModel.load(old)
    other = tmp_path / "other.json"
    other.write_text('{"link_type": "dedupe_only"}', encoding="utf-8")
    with pytest.raises(ModelArtefactError, match="not a srj-linkage-model"):
        TrainedModel.load(other)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ModelArtefactError, match="not a JSON"):
        TrainedModel.load(broken)
    with pytest.raises(ModelArtefactError, match="no model file"):
        TrainedModel.load(tmp_path / "missing.json")


def test_predict_threshold_and_columns(linkage: Any) -> None:
    model = linkage.model.with_thresholds(Thresholds(auto_link=0.99, review=0.4))
    pairs = predict(model, linkage.standardised, detail=True)
    assert pairs.column_names[:4] == [
        "record_id_l",
        "record_id_r",
        "match_weight",
        "match_probability",
    ]
    assert {f"gamma_{spec.name}" for spec in model.comparisons} <= set(pairs.column_names)
    assert pc.min(pairs["match_probability"]).as_py() >= 0.4
    lean = predict(model, linkage.standardised)
    assert lean.column_names == ["record_id_l", "record_id_r", "match_weight", "match_probability"]
    assert lean.num_rows == pairs.num_rows
    everything = predict(model, linkage.standardised, threshold_match_probability=0.0)
    assert everything.num_rows > pairs.num_rows


def test_prior_scales_with_the_population(linkage: Any) -> None:
    model = linkage.model
    small = _weights(predict(model, linkage.standardised, threshold_match_probability=0.0))
    large = _weights(
        predict(
            model,
            linkage.standardised,
            threshold_match_probability=0.0,
            population_size=10 * linkage.standardised.num_rows,
        )
    )
    shift = {round(small[k] - large[k], 6) for k in small}
    assert len(shift) == 1
    assert shift.pop() == pytest.approx(math.log2(10), abs=0.05)


def test_link_puts_the_left_table_on_the_left(linkage: Any) -> None:
    table = linkage.standardised
    half = table.num_rows // 2
    left, right = table.slice(0, half), table.slice(half)
    pairs = link(linkage.model, left, right, threshold_match_probability=0.0)
    assert pairs.num_rows > 0
    left_ids = set(left.column("record_id").to_pylist())
    right_ids = set(right.column("record_id").to_pylist())
    assert set(pairs.column("record_id_l").to_pylist()) <= left_ids
    assert set(pairs.column("record_id_r").to_pylist()) <= right_ids
    # The same pairs as a dedupe restricted to cross pairs, with the same weights.
    dedupe = _weights(predict(linkage.model, table, threshold_match_probability=0.0))
    for (a, b), weight in _weights(pairs).items():
        key = (a, b) if (a, b) in dedupe else (b, a)
        assert dedupe[key] == pytest.approx(weight, abs=1e-9)


def test_training_refuses_bad_input(linkage: Any) -> None:
    table = linkage.standardised
    with pytest.raises(TrainingError, match="at least 2 records"):
        train(table.slice(0, 1))
    duplicated = pa.concat_tables([table.slice(0, 50), table.slice(0, 50)])
    with pytest.raises(TrainingError, match="unique"):
        train(duplicated)
    labels = pa.table(
        {"record_id_l": ["nope"], "record_id_r": ["R0"], "clerical_match_score": [1.0]}
    )
    with pytest.raises(TrainingError, match="absent from the training data"):
        train(table, labels=labels)
    with pytest.raises(TrainingError, match="lack column"):
        train(table, labels=pa.table({"record_id_l": ["x"]}))
