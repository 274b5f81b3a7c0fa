"""The decision rule: link only through an auto-link pair with the evidence, to a person the record
is consistent with, never to a person a reviewer excluded; the rest in the review band is
suggested."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from identity.matcher import CandidateScore, Thresholds
from identity.resolve import PersonScore, add_years, decide

THRESHOLDS = Thresholds(auto_link=0.999, review=0.9)


def _score(p: float) -> CandidateScore:
    return CandidateScore(uuid.uuid4(), match_weight=p * 40 - 20, match_probability=p)


@st.composite
def person_score(draw: st.DrawFn) -> PersonScore:
    best = draw(st.floats(0, 1))
    # Its best record with the evidence scores at most as high as its best record, if any.
    link = draw(st.none() | st.floats(0, best))
    return PersonScore(
        f"P{draw(st.integers(0, 30))}", _score(best), None if link is None else _score(link)
    )


person_scores = st.lists(person_score(), max_size=12, unique_by=lambda s: s.person_id)
person_ids = st.sets(st.sampled_from([f"P{i}" for i in range(31)]))


@given(person_scores, person_ids, st.booleans(), person_ids)
def test_decision_rule(
    scores: list[PersonScore], excluded: set[str], evidence: bool, inconsistent: set[str]
) -> None:
    asked: list[str] = []

    def consistent(person: PersonScore) -> bool:
        asked.append(person.person_id)
        return person.person_id not in inconsistent

    outcome = decide(scores, THRESHOLDS, excluded, evidence=evidence, consistent=consistent)
    eligible = [s for s in scores if s.person_id not in excluded]
    # Persons the record may join: an auto-link pair with a record having the evidence, and
    # consistent with all the person's records; never when the record lacks the evidence.
    joinable = [
        s
        for s in eligible
        if evidence
        and s.link is not None
        and s.link.match_probability >= THRESHOLDS.auto_link
        and s.person_id not in inconsistent
    ]
    if joinable:
        assert outcome.link_to is not None
        assert outcome.link_score is outcome.link_to.link
        assert outcome.link_to in joinable
        assert outcome.link_score is not None
        assert outcome.link_score.match_weight == max(
            s.link.match_weight for s in joinable if s.link is not None
        )
    else:
        assert outcome.link_to is None
    for person in asked:  # consistency is only asked of persons with an auto-link pair
        link = next(s.link for s in eligible if s.person_id == person)
        assert link is not None
        assert link.match_probability >= THRESHOLDS.auto_link
    assert all(r.person_id not in excluded for r in outcome.review)
    expected_review = {
        s.person_id
        for s in eligible
        if s.best.match_probability >= THRESHOLDS.review and s is not outcome.link_to
    }
    assert {r.person_id for r in outcome.review} == expected_review
    if eligible:  # the best person's (by weight) probability
        top = max(s.best.match_weight for s in eligible)
        assert outcome.best_probability in {
            s.best.match_probability for s in eligible if s.best.match_weight == top
        }


def test_retention_dates_handle_leap_days() -> None:
    from datetime import date

    assert add_years(date(2024, 2, 29), 10) == date(2034, 2, 28)
    assert add_years(date(2024, 3, 1), 1) == date(2025, 3, 1)
