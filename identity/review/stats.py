"""Figures of the statistics page: the queue, the reviewers' pace and agreement, and what the
labels say about the model's precision. No identity trait is read."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import orjson

from identity.matcher import Matcher
from identity.review.labels import Label, current_labels
from identity.review.repository import QueueFilter, ReviewRepository
from identity.review.schemas import BandOut, DayCount, QueueCounts, StatisticsOut
from identity.review.service import utc
from matching import wilson_interval

DAYS = 30
# Probability bands of the precision table; the auto-link threshold adds its own edge.
PROBABILITY_EDGES: tuple[float, ...] = (0.5, 0.8, 0.95, 0.99)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Agreement of two raters beyond chance; None when undefined (no pairs, or one category)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def _band(name: str, lower: float | None, upper: float | None, labels: list[Label]) -> BandOut:
    n = len(labels)
    same = sum(1 for lb in labels if lb.score == 1.0)
    low, high = wilson_interval(same, n) if n else (None, None)
    return BandOut(
        band=name,
        lower=lower,
        upper=upper,
        labelled_pairs=n,
        same=same,
        precision=same / n if n else None,
        wilson_low=low,
        wilson_high=high,
    )


def precision_bands(
    labels: Sequence[Label], auto_link: float | None
) -> tuple[list[BandOut], BandOut | None]:
    """Precision of the labelled pairs per band of the probability they were suggested with;
    the last band starts at the auto-link threshold (the model's auto-links)."""
    scored = [lb for lb in labels if lb.match_probability is not None]
    edges = sorted({e for e in PROBABILITY_EDGES if auto_link is None or e < auto_link})
    bounds: list[float] = [0.0, *edges]
    if auto_link is not None:
        bounds.append(auto_link)
    bands = []
    for i, lower in enumerate(bounds):
        upper = bounds[i + 1] if i + 1 < len(bounds) else None
        inside = [
            lb
            for lb in scored
            if lb.match_probability is not None
            and lb.match_probability >= lower
            and (upper is None or lb.match_probability < upper)
        ]
        name = f"[{lower:g} ; {upper:g}[" if upper is not None else f"[{lower:g} ; 1]"
        bands.append(_band(name, lower, upper, inside))
    auto = bands[-1] if auto_link is not None else None
    return bands, auto


def rescore(
    repo: ReviewRepository, matcher: Matcher, labels: Sequence[Label]
) -> tuple[list[Label], int]:
    """The labelled pairs with the probability the model in service gives them today (what
    its auto-links would be), and how many could not be scored: records standardised by
    another standardisation (``srj registry relink`` re-standardises them) or deleted."""
    records = repo.records([r for lb in labels for r in (lb.record_a, lb.record_b)])
    scored, skipped = [], 0
    for label in labels:
        a, b = records.get(label.record_a), records.get(label.record_b)
        if (
            a is None
            or b is None
            or {a.std_version, b.std_version} != {matcher.standardisation_version}
        ):
            skipped += 1
            continue
        (result,) = matcher.score(orjson.loads(a.std), [(b.id, orjson.loads(b.std))])
        scored.append(
            replace(
                label,
                match_probability=result.match_probability,
                match_weight=result.match_weight,
                model_version=matcher.model_version,
            )
        )
    return scored, skipped


def statistics_of(
    repo: ReviewRepository, *, matcher: Matcher | None, now: datetime | None = None
) -> StatisticsOut:
    """Everything the statistics page shows. With ``matcher``, the labelled pairs are scored by
    the model in service, so the band at or above its auto-link threshold estimates the
    precision of the auto-links it makes now; without, the scores they were suggested with."""
    now = now or datetime.now(UTC)
    counts = repo.queue_counts(QueueFilter(), reviewer="")
    ages = sorted((now - utc(a)).total_seconds() / 86400 for a in repo.pending_ages(QueueFilter()))
    since = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    per_day: dict[date, Counter[str]] = {}
    reviewers: set[str] = set()
    for row in repo.decisions_since(since):
        per_day.setdefault(utc(row.decided_at).date(), Counter())[row.decision] += 1
        reviewers.add(row.reviewer)
    days = []
    for offset in range(DAYS):
        day = (since + timedelta(days=offset)).date()
        c = per_day.get(day, Counter())
        days.append(DayCount(day=day, same=c["same"], different=c["different"], unsure=c["unsure"]))
    answered = repo.answered_opinions()
    pairs = [(row.decision, row.opinion) for row in answered if row.opinion is not None]
    agreed = sum(1 for row in answered if row.status == "agreed")
    labels = current_labels(repo)
    skipped = 0
    auto_link = None
    if matcher is not None:
        auto_link = matcher.thresholds.auto_link
        labels, skipped = rescore(repo, matcher, labels)
    bands, auto = precision_bands(labels, auto_link)
    return StatisticsOut(
        generated_at=now,
        queue=QueueCounts(**counts),
        pending_by_source=repo.pending_by_source(),
        oldest_pending_days=round(ages[-1], 2) if ages else None,
        median_pending_days=round(statistics.median(ages), 2) if ages else None,
        decisions_per_day=days,
        reviewers_last_30_days=len(reviewers),
        second_opinions_answered=len(answered),
        agreement_rate=agreed / len(answered) if answered else None,
        cohen_kappa=cohen_kappa(pairs),
        disagreements=[row.suggestion_id for row in repo.disagreements()],
        auto_link_threshold=auto_link,
        auto_link_precision=auto,
        precision_by_band=bands,
        labels=len(labels) + skipped,
        labels_not_scored=skipped,
        scored_by_model=matcher.model_version if matcher is not None else None,
    )
