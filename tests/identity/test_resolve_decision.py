"""The decision rule: link only at the auto-link threshold, never a person a reviewer excluded."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from identity.matcher import CandidateScore, Thresholds
from identity.resolve import PersonScore, add_years, decide

THRESHOLDS = Thresholds(auto_link=0.999, review=0.9)

person_scores = st.lists(
    st.builds(
        lambda pid, p: PersonScore(
            f"P{pid}", CandidateScore(uuid.uuid4(), match_weight=p * 40 - 20, match_probability=p)
        ),
        st.integers(0, 30),
        st.floats(0, 1),
    ),
    max_size=12,
    unique_by=lambda s: s.person_id,
)


@given(person_scores, st.sets(st.sampled_from([f"P{i}" for i in range(31)])))
def test_decision_rule(scores: list[PersonScore], excluded: set[str]) -> None:
    outcome = decide(scores, THRESHOLDS, excluded)
    eligible = [s for s in scores if s.person_id not in excluded]
    if outcome.link_to is not None:
        assert outcome.link_to.person_id not in excluded
        assert outcome.link_to.best.match_probability >= THRESHOLDS.auto_link
        assert outcome.link_to.best.match_weight == max(s.best.match_weight for s in eligible)
    else:
        assert all(
            s.best.match_probability < THRESHOLDS.auto_link
            or s.best.match_weight < max(e.best.match_weight for e in eligible)
            for s in eligible
        )
    for review in outcome.review:
        assert review.person_id not in excluded
        assert review is not outcome.link_to
        assert review.best.match_probability >= THRESHOLDS.review
    expected_review = {
        s.person_id
        for s in eligible
        if s.best.match_probability >= THRESHOLDS.review and s is not outcome.link_to
    }
    assert {r.person_id for r in outcome.review} == expected_review


def test_retention_dates_handle_leap_days() -> None:
    from datetime import date

    assert add_years(date(2024, 2, 29), 10) == date(2034, 2, 28)
    assert add_years(date(2024, 3, 1), 1) == date(2025, 3, 1)
