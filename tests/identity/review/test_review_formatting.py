"""How the review pages write numbers: a reviewer must never read a certainty the model does
not claim."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from identity.web.formatting import fr_percent


def test_probabilities_near_the_bounds_are_not_rounded_to_certainty() -> None:
    assert fr_percent(0.9999996532900598, 2) == "> 99,99 %"
    assert fr_percent(1.0, 2) == "100,00 %"
    assert fr_percent(0.0000001, 2) == "< 0,01 %"
    assert fr_percent(0.0, 2) == "0,00 %"
    assert fr_percent(0.7653, 2) == "76,53 %"
    assert fr_percent(None) == "—"


@given(st.floats(min_value=0.0, max_value=1.0, exclude_max=True), st.integers(0, 4))
def test_below_one_never_reads_as_a_hundred_percent(value: float, digits: int) -> None:
    assert not fr_percent(value, digits).startswith("100")
