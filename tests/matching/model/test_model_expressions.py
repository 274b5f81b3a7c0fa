"""Conditions mean the same in Splink's SQL and in Python, and survive the artefact."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from splink.internals.dialects import SplinkDialect

from matching.model.comparisons import COMPARISONS
from matching.model.expressions import (
    And,
    Else,
    Eq,
    Expr,
    IsTrue,
    Lev,
    MinLength,
    Missing,
    Not,
    Or,
    Overlap,
    Prefix,
    from_json,
)

DUCKDB = SplinkDialect.from_string("duckdb")
SPARK = SplinkDialect.from_string("spark")

_WORDS = st.sampled_from(["", "A", "AB", "JEAN", "JEANNE", "JEANPIERRE", "DUPONT", "DUPOND"])
_TEXT = st.one_of(st.none(), _WORDS, st.text(alphabet="ABCDE", max_size=6))
_LIST = st.lists(st.sampled_from(["JEAN", "PIERRE", "MARIE", "DUPONT"]), max_size=3)
_FLAG = st.one_of(st.none(), st.booleans())

LEAVES: list[Expr] = [
    Eq("a"),
    Eq("a", "b"),
    Lev("a", 1),
    Lev("a", 2, "b"),
    Prefix("a", 4),
    Prefix("a", 2, "b"),
    MinLength("a", 4),
    Overlap("x"),
    Overlap("x", "y"),
    Missing("a"),
    Missing("a", "l"),
    Missing("b", "both"),
    IsTrue("f", "l"),
    IsTrue("f", "either"),
    IsTrue("f", "both"),
]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> Expr:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(LEAVES))
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return Not(draw(expressions(depth - 1)))
    items = tuple(draw(st.lists(expressions(depth - 1), min_size=1, max_size=3)))
    return And(items) if kind == "and" else Or(items)


def rows() -> st.SearchStrategy[list[dict[str, object]]]:
    row = st.fixed_dictionaries(
        {
            "a_l": _TEXT,
            "a_r": _TEXT,
            "b_l": _TEXT,
            "b_r": _TEXT,
            "x_l": st.one_of(st.none(), _LIST),
            "x_r": st.one_of(st.none(), _LIST),
            "y_l": _LIST,
            "y_r": _LIST,
            "f_l": _FLAG,
            "f_r": _FLAG,
        }
    )
    return st.lists(row, min_size=1, max_size=20)


SCHEMA = pa.schema(
    [(f"{c}_{s}", pa.string()) for c in "ab" for s in "lr"]
    + [(f"{c}_{s}", pa.list_(pa.string())) for c in "xy" for s in "lr"]
    + [(f"f_{s}", pa.bool_()) for s in "lr"]
)


def _side(row: dict[str, object], side: str) -> dict[str, object]:
    return {key[:-2]: value for key, value in row.items() if key.endswith(f"_{side}")}


@given(expressions(), rows())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sql_and_python_agree(expr: Expr, data: list[dict[str, object]]) -> None:
    table = pa.Table.from_pylist(data, schema=SCHEMA)
    connection = duckdb.connect()
    connection.register("pairs", table)
    sql = f"select case when {expr.sql(DUCKDB)} then 1 else 0 end from pairs"
    from_sql = [bool(v) for (v,) in connection.sql(sql).fetchall()]
    predicate = expr.compile()
    from_python = [predicate(_side(row, "l"), _side(row, "r")) for row in data]
    assert from_sql == from_python


@given(expressions())
def test_json_round_trip(expr: Expr) -> None:
    assert from_json(expr.to_json()) == expr


def test_every_model_condition_round_trips_and_renders_for_spark() -> None:
    for spec in COMPARISONS:
        for level in spec.levels:
            assert from_json(level.condition.to_json()) == level.condition
            spark_sql = level.condition.sql(SPARK)
            assert "list_intersect" not in spark_sql
            assert "levenshtein(" in spark_sql or "Lev" not in repr(level.condition)
    overlap = Overlap("noms_std").sql(SPARK)
    assert overlap == "coalesce(size(array_intersect(noms_std_l, noms_std_r)) >= 1, false)"
    assert Else().sql(DUCKDB) == "ELSE"


def test_unknown_condition_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="jaro"):
        from_json({"kind": "jaro"})
