"""Bodies of the review API (``/v1/reviews``, ``/v1/persons/{id}/split``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from identity.schemas import LinkOut

MAX_REASON = 2000
VERSION_PATTERN = r"^[0-9]{1,9}\.[0-9a-f]{10}$"


class QueueStatus(StrEnum):
    PENDING = "pending"  # undecided
    ESCALATED = "escalated"  # a reviewer marked it unsure: waits for a senior look
    SECOND_OPINION = "second_opinion"  # decided; sampled for a blind second review
    CLOSED = "closed"  # decided, or settled by another decision or a re-linkage


class DecisionValue(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    UNSURE = "unsure"


class ReviewListItem(BaseModel):
    id: int
    status: QueueStatus
    version: str = Field(description="Send it back with the decision (stale versions get 409)")
    match_probability: float
    match_weight: float
    uncertainty: float = Field(description="1 - |2p - 1|: 1 when the model hesitates most")
    created_at: datetime
    age_days: float
    person_ids: list[str] = Field(description="The two persons the suggestion would join")
    sources: list[str] = Field(description="Sources of the two suggested records")
    sources_in_persons: int = Field(description="Distinct sources across both persons' records")
    records_in_persons: int
    courts: list[str]


class QueueCounts(BaseModel):
    pending: int
    escalated: int
    second_opinion: int


class ReviewPage(BaseModel):
    items: list[ReviewListItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
    counts: QueueCounts
    oldest_pending_days: float | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 42,
                            "status": "pending",
                            "version": "1.3f9a0c1b2d",
                            "match_probability": 0.62,
                            "match_weight": 0.7,
                            "uncertainty": 0.76,
                            "created_at": "2026-11-20T09:14:00Z",
                            "age_days": 8.2,
                            "person_ids": ["7ZQK3M9XH2B4TK", "M4RX2Q8ZC1D0HA"],
                            "sources": ["CASSIOPEE", "GENESIS"],
                            "sources_in_persons": 3,
                            "records_in_persons": 5,
                            "courts": ["TJ-LYON"],
                        }
                    ],
                    "next_cursor": "WzMsIDMsIDQyXQ",
                    "counts": {"pending": 118, "escalated": 4, "second_opinion": 2},
                    "oldest_pending_days": 12.5,
                }
            ]
        }
    )


class RecordOut(BaseModel):
    source: str
    source_ref: str
    record_date: date | None
    court: str | None


class IdentityOut(BaseModel):
    """One side of the pair: a record as received and standardised, and its person."""

    record: RecordOut
    person_id: str
    link: LinkOut
    traits: dict[str, Any] = Field(description="Identity traits as the source sent them")
    standardised: dict[str, Any] = Field(description="The matching keys the model compared")


class FieldComparison(BaseModel):
    field: str
    label: str
    left: str | None
    right: str | None
    left_standardised: str | None
    right_standardised: str | None
    agreement: str = Field(
        description="agree, cross (agrees with another name field), differ, code_differs "
        "(same name, different code), missing"
    )
    note: str | None = Field(
        default=None,
        description="What differs when the names agree but the codes do not "
        "(`RUSSIE (99123)` / `RUSSIE (99122)`), in French",
    )


class Contribution(BaseModel):
    comparison: str
    level: str | None = Field(description="The comparison level the pair fell in")
    weight: float = Field(description="Match weight (log2 Bayes factor, term frequency included)")


class OtherRecord(BaseModel):
    source: str
    source_ref: str
    record_date: date | None
    origin: str
    suggested: bool = Field(description="One of the two records of this suggestion")


class PersonSummary(BaseModel):
    person_id: str
    records: list[OtherRecord]


class Namesake(BaseModel):
    person_id: str
    records: int
    sources: list[str]
    date_naissance: str | None
    lieu_naissance: str | None
    sexe: str | None
    declared_different: bool = Field(description="A reviewer declared them a different person")
    resembles: str = Field(description="left, right or both: which side shares the name")


class DecisionOut(BaseModel):
    id: int
    decision: str
    reviewer: str
    reason: str | None
    decided_at: datetime
    revoked: bool


class SettledBy(BaseModel):
    """The decision, taken on another suggestion, that settled this one."""

    decision_id: int
    decision: DecisionValue
    review_id: int = Field(description="The suggestion the decision was taken on")
    decided_at: datetime


class SettledReview(BaseModel):
    """A suggestion a decision settled and closed, and why."""

    id: int
    match_probability: float
    sources: list[str]
    why: str = Field(description="In French: why the decision settled it")


class ReviewDetail(BaseModel):
    id: int
    status: QueueStatus
    version: str
    created_at: datetime
    match_probability: float
    match_weight: float
    model_version: str
    closed_reason: str | None
    left: IdentityOut
    right: IdentityOut
    comparison: list[FieldComparison]
    contributions: list[Contribution]
    prior_weight: float = Field(description="Weight before any comparison (the prior)")
    persons: list[PersonSummary]
    same_person_now: bool = Field(description="Both records already belong to one person")
    namesakes: list[Namesake]
    decisions: list[DecisionOut] = Field(
        description="Earlier decisions on this suggestion (hidden on a blind second opinion)"
    )
    settled_by: SettledBy | None = Field(
        default=None, description="Closed by a decision taken on another suggestion"
    )


class DecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decision": "different",
                    "reason": "Lieux de naissance différents, confirmés par l'extrait d'acte",
                    "version": "1.3f9a0c1b2d",
                }
            ]
        },
    )

    decision: DecisionValue
    reason: str | None = Field(
        default=None, max_length=MAX_REASON, description='Required for "different"'
    )
    version: str = Field(pattern=VERSION_PATTERN, description="The version read with the review")


class DecisionResult(BaseModel):
    review_id: int
    decision_id: int
    decision: DecisionValue
    kind: str = Field(description="decision, or second_opinion (recorded, never applied)")
    status: QueueStatus
    person_ids: list[str] = Field(description="The persons of the two records after the decision")
    merged_person_id: str | None = Field(description='"same": the identifier merged away')
    survivor_person_id: str | None = Field(description='"same": the identifier that stays')
    separated_person_id: str | None = Field(
        description='"different" on two records of one person: the new person of the record'
    )
    settled_reviews: int = Field(description="Other suggestions this decision settled and closed")
    settled: list[SettledReview] = Field(
        default_factory=list, description="Those suggestions, each with why it was settled"
    )
    second_opinion_requested: bool
    agreement: bool | None = Field(description="Second opinion: does it agree with the first?")
    next_review_id: int | None


class SplitIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "merged_person_id": "M4RX2Q8ZC1D0HA",
                    "reason": "Fusion erronée : homonyme né à Oran, pas à Lyon",
                }
            ]
        },
    )

    merged_person_id: str = Field(
        max_length=32, description="The identifier merged into this person, to bring back"
    )
    reason: str = Field(min_length=1, max_length=MAX_REASON)


class SplitOut(BaseModel):
    person_id: str
    restored_person_id: str
    records_moved: int
    decision_id: int
    revoked_decision_id: int | None


class BandOut(BaseModel):
    band: str
    lower: float | None
    upper: float | None
    labelled_pairs: int
    same: int
    precision: float | None
    wilson_low: float | None
    wilson_high: float | None


class DayCount(BaseModel):
    day: date
    same: int
    different: int
    unsure: int


class StatisticsOut(BaseModel):
    generated_at: datetime
    queue: QueueCounts
    pending_by_source: dict[str, int]
    oldest_pending_days: float | None
    median_pending_days: float | None
    decisions_per_day: list[DayCount]
    reviewers_last_30_days: int
    second_opinions_answered: int
    agreement_rate: float | None = Field(description="Share of second opinions that agree")
    cohen_kappa: float | None = Field(description="Agreement corrected for chance")
    disagreements: list[int] = Field(description="Reviews whose second opinion disagrees")
    auto_link_threshold: float | None
    auto_link_precision: BandOut | None = Field(
        description="Labelled pairs scored at or above the auto-link threshold"
    )
    precision_by_band: list[BandOut]
    labels: int
    labels_not_scored: int = Field(
        description="Labels the model in service could not score (records standardised by "
        "an older standardisation, until `srj registry relink`)"
    )
    scored_by_model: str | None = Field(
        description="Version of the model that scored the labelled pairs; null: the scores "
        "they were suggested with (no model loaded)"
    )
