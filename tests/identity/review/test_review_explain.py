"""The model's reasons in plain French (identity/web/explain.py): the ordinal strength scale,
the verdict, the sentences, and how a field whose codes differ was weighed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from identity.review.comparison import compare_fields
from identity.review.schemas import Contribution
from identity.web.explain import explain, strength, weighing_of


@given(st.floats(-80, 80), st.floats(-80, 80))
def test_strength_grows_with_the_weight_and_keeps_its_sign(a: float, b: float) -> None:
    if abs(a) <= abs(b):
        assert strength(a).level <= strength(b).level
    s = strength(a)
    assert 0 <= s.level <= 4
    if s.level:
        assert s.direction == ("pour" if a > 0 else "contre")
    else:
        assert s.direction == "neutre"


def test_strength_steps_are_factors_of_ten() -> None:
    # 2^3.3 ~ 10, 2^6.6 ~ 100, 2^10 ~ 1000.
    assert [strength(w).words for w in (0.5, 2.0, 5.0, 8.0, 21.46)] == [
        "négligeable",
        "faible",
        "moyen",
        "fort",
        "très fort",
    ]
    assert strength(-30).sentence == "indice très fort en faveur de deux personnes différentes"


def test_namesakes_born_in_different_places_are_said_in_words() -> None:
    left = {
        "nom_naissance": "MARTIN",
        "prenoms": "JEAN",
        "date_naissance": "1980-01-02",
        "commune_naissance": "LYON",
        "code_commune_naissance": "69123",
    }
    right = {**left, "commune_naissance": "ORAN", "code_commune_naissance": None}
    rows = compare_fields(left, right, {}, {})
    told = explain(0.5, rows, [Contribution(comparison="lieu_naissance", level=None, weight=-9)])
    assert told.verdict == "Le modèle ne sait pas trancher : les indices se contredisent."
    assert told.together[:3] == [
        "même nom de naissance",
        "mêmes prénoms",
        "même date de naissance",
    ]
    assert told.apart == ["communes de naissance différentes"]
    assert told.clues[0].strength.words == "fort"


def test_a_code_difference_says_how_the_model_weighed_it() -> None:
    left = {"pays_naissance": "RUSSIE", "code_pays_naissance": "99123"}
    right = {"pays_naissance": "RUSSIE", "code_pays_naissance": "99122"}
    row = next(r for r in compare_fields(left, right, {}, {}) if r.field == "pays_naissance")
    weights = [Contribution(comparison="lieu_naissance", level="lieux différents", weight=-4.2)]
    assert weighing_of(row, weights) == (
        "Le modèle l'a pesé dans son critère « lieu de naissance », niveau « lieux différents » : "
        "indice moyen en faveur de deux personnes différentes."
    )
    told = explain(0.7, [row], weights)
    assert told.apart == ["pays de naissance : même libellé mais codes différents"]
