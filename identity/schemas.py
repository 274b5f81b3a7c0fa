"""Bodies the registry's API accepts and returns (the canonical record of DESIGN.md section 4)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from identity.record_rules import canonical_sexe, check_life_date, check_record_date, check_text
from matching import CANONICAL_COLUMNS

# Fields that are identity traits: sealed at rest, never logged.
TRAIT_FIELDS: tuple[str, ...] = tuple(
    c for c in CANONICAL_COLUMNS if c not in {"record_id", "source", "source_ref", "record_date"}
)

# ISO date, possibly partial (YYYY-MM or YYYY). The shape and plausibility (not in the future,
# not before 1900: identity.record_rules) are checked; a well-shaped impossible date (a
# day/month swap) is an entry error that standardisation flags, not a reason to refuse a
# person's record.
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
SOURCE_PATTERN = r"^[A-Z][A-Z0-9_]{0,31}$"


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# Optional strings: blank means missing; the constraints apply to the string only. Spelled
# out (not built by a function) so that type checkers read them as types.
_Blank = BeforeValidator(_blank_to_none)
Text16: TypeAlias = Annotated[Annotated[str, StringConstraints(max_length=16)] | None, _Blank]
Text64: TypeAlias = Annotated[Annotated[str, StringConstraints(max_length=64)] | None, _Blank]
Text100: TypeAlias = Annotated[Annotated[str, StringConstraints(max_length=100)] | None, _Blank]
Text200: TypeAlias = Annotated[Annotated[str, StringConstraints(max_length=200)] | None, _Blank]
Text300: TypeAlias = Annotated[Annotated[str, StringConstraints(max_length=300)] | None, _Blank]
LifeDate: TypeAlias = Annotated[
    Annotated[
        str,
        StringConstraints(max_length=10, pattern=PARTIAL_DATE_PATTERN),
        AfterValidator(check_life_date),
    ]
    | None,
    _Blank,
]
# Stored as M or F whatever synonym the source wrote (identity.record_rules.canonical_sexe).
Sexe: TypeAlias = Annotated[
    Annotated[str, StringConstraints(max_length=16), AfterValidator(canonical_sexe)] | None,
    _Blank,
]
CommuneCode: TypeAlias = Annotated[
    Annotated[str, StringConstraints(max_length=5, pattern=r"^[0-9][0-9AB][0-9]{3}$")] | None,
    _Blank,
]
CountryCode: TypeAlias = Annotated[
    Annotated[str, StringConstraints(max_length=5, pattern=r"^99[0-9]{3}$")] | None, _Blank
]


def _trait(description: str) -> Any:
    return Field(default=None, description=description)


class RecordIn(BaseModel):
    """A canonical identity record as a source application holds it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "CASSIOPEE",
                    "source_ref": "2024/000123",
                    "record_date": "2024-03-18",
                    "civilite": "M",
                    "nom_naissance": "MARTIN",
                    "prenoms": "Jean Pierre",
                    "sexe": "M",
                    "date_naissance": "1985-07-14",
                    "commune_naissance": "Lyon 3e Arrondissement",
                    "code_commune_naissance": "69383",
                    "code_pays_naissance": "99100",
                    "nationalite": "FRANCAISE",
                }
            ]
        },
    )

    record_id: Annotated[
        Text64, Field(default=None, description="The sender's own row id (optional)")
    ]
    source: str = Field(
        pattern=SOURCE_PATTERN,
        description="Source application (CASSIOPEE, GENESIS, APPI, PARCOURS, WINEUR, PORTALIS...)",
    )
    source_ref: str = Field(
        min_length=1,
        max_length=128,
        description="The application's own reference of the record (a case number, an écrou)",
    )
    record_date: Annotated[date, AfterValidator(check_record_date)] | None = Field(
        default=None, description="Date of the record (ISO), at most two days ahead of today"
    )
    civilite: Annotated[Text16, _trait("M, MME...")]
    nom_naissance: Annotated[Text200, _trait("Nom de naissance")]
    nom_usage: Annotated[Text200, _trait("Nom d'usage")]
    prenoms: Annotated[Text300, _trait("Prénoms, space-separated, in civil order")]
    alias: Annotated[Text300, _trait("Alias")]
    sexe: Annotated[
        Sexe, _trait("M or F (H, HOMME, MASCULIN, 1 / FEMME, FEMININ, 2 are stored as M / F)")
    ]
    date_naissance: Annotated[
        LifeDate, _trait("YYYY-MM-DD, or partial YYYY-MM / YYYY; from 1900, not in the future")
    ]
    date_deces: Annotated[
        LifeDate, _trait("YYYY-MM-DD, or partial YYYY-MM / YYYY; from 1900, not in the future")
    ]
    commune_naissance: Annotated[Text200, _trait("Commune de naissance (name)")]
    code_commune_naissance: Annotated[CommuneCode, _trait("INSEE commune code")]
    pays_naissance: Annotated[Text200, _trait("Pays de naissance (name)")]
    code_pays_naissance: Annotated[
        CountryCode, _trait("INSEE 99xxx country code (empty or 99100: France)")
    ]
    nationalite: Annotated[Text100, _trait("Nationalité")]

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # Before blanks are stripped: a trailing line break is refused, not trimmed away.
        return check_text(value) if isinstance(value, str) else value

    def traits(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in TRAIT_FIELDS}

    def canonical(self) -> dict[str, str | None]:
        """The record as a canonical row (strings), as the standardiser reads it."""
        row: dict[str, str | None] = {
            "record_id": self.record_id,
            "source": self.source,
            "source_ref": self.source_ref,
            "record_date": self.record_date.isoformat() if self.record_date else None,
        }
        row.update(self.traits())
        return row


class ResolveStatus(StrEnum):
    """A held record's state, as ``GET /v1/records/{source}/{source_ref}`` reports it."""

    LINKED = "linked"
    NEW = "new"
    PENDING_REVIEW = "pending_review"


class ResolveOutcome(StrEnum):
    """What a post did: the first three for a record the registry did not hold; a re-post of a
    held record answers ``updated`` (its traits changed and it was resolved again) or
    ``unchanged`` (identical: nothing was written)."""

    LINKED = "linked"
    NEW = "new"
    PENDING_REVIEW = "pending_review"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class RecordRef(BaseModel):
    source: str
    source_ref: str


class ResolveOut(BaseModel):
    person_id: str = Field(description="Stable opaque identifier of the person")
    status: ResolveOutcome = Field(
        description="A record the registry did not hold: linked (attached to a known "
        "person), new (a new person), pending_review (a new person, with suggestions sent to "
        "reviewers). A re-post of a held record: updated (its traits changed, it was resolved "
        "again: see link_status and previous_person_id) or unchanged (nothing written)"
    )
    link_status: ResolveStatus = Field(
        description="The record's state after this post, as GET /v1/records/{source}/"
        "{source_ref} reports it"
    )
    match_probability: float | None = Field(
        description="Probability of the link (linked), or of the best candidate (otherwise)"
    )
    previous_person_id: str | None = Field(
        default=None,
        description="Set when an update moved the record to another person: the identifier "
        "it had (replace it in your cache; it may now redirect to person_id)",
    )
    record: RecordRef

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person_id": "3ZGPYX7KRA0928",
                    "status": "linked",
                    "link_status": "linked",
                    "match_probability": 0.99993,
                    "previous_person_id": None,
                    "record": {"source": "CASSIOPEE", "source_ref": "2024/000123"},
                },
                {
                    "person_id": "3ZGPYX7KRA0928",
                    "status": "unchanged",
                    "link_status": "linked",
                    "match_probability": 0.99993,
                    "previous_person_id": None,
                    "record": {"source": "CASSIOPEE", "source_ref": "2024/000123"},
                },
            ]
        }
    )


class LinkOut(BaseModel):
    origin: str = Field(description="auto (the model) or manual (a reviewer's decision)")
    match_probability: float | None
    match_weight: float | None
    model_version: str | None
    decision_id: int | None
    linked_at: datetime


class RecordLookupOut(BaseModel):
    person_id: str
    status: ResolveStatus
    record: RecordRef
    record_date: date | None
    link: LinkOut
    pending_suggestions: int


class PersonRecordOut(BaseModel):
    source_ref: str
    record_date: date | None
    link: LinkOut


class EventOut(BaseModel):
    id: int
    kind: str
    at: datetime
    actor: str
    other_person_id: str | None
    source: str | None
    decision_id: int | None
    detail: dict[str, Any] | None


class CivilStatus(BaseModel):
    """Best current civil status: per field, the value most records agree on (latest on ties)."""

    civilite: str | None = None
    nom_naissance: str | None = None
    nom_usage: str | None = None
    prenoms: str | None = None
    alias: list[str] = Field(default_factory=list)
    sexe: str | None = None
    date_naissance: str | None = None
    date_deces: str | None = None
    commune_naissance: str | None = None
    code_commune_naissance: str | None = None
    pays_naissance: str | None = None
    code_pays_naissance: str | None = None
    nationalite: str | None = None


class PersonOut(BaseModel):
    person_id: str
    status: str
    created_at: datetime
    civil_status: CivilStatus
    records_by_source: dict[str, list[PersonRecordOut]]
    events: list[EventOut]


class SourceHoldingOut(BaseModel):
    source: str
    records: int
    latest_record_date: date | None
    source_refs: list[str]


class PersonSourcesOut(BaseModel):
    person_id: str
    sources: list[SourceHoldingOut]


class RedirectOut(BaseModel):
    person_id: str = Field(description="The identifier asked for (merged away)")
    merged_into: str = Field(description="The surviving identifier")
    location: str


class ExportRecordOut(BaseModel):
    source: str
    source_ref: str
    record_id: str | None
    record_date: date | None
    retain_until: date
    received_at: datetime
    updated_at: datetime
    traits: dict[str, Any]
    standardised: dict[str, Any]
    link: LinkOut


class ExportDecisionOut(BaseModel):
    id: int
    decision: str
    reviewer: str
    reason: str | None
    decided_at: datetime
    revoked: bool


class ExportSuggestionOut(BaseModel):
    id: int
    status: str
    match_probability: float
    created_at: datetime
    closed_reason: str | None


class ExportAccessOut(BaseModel):
    at: datetime
    subject: str
    endpoint: str
    purpose: str | None


class PersonExportOut(BaseModel):
    """Everything the registry holds about a person (RGPD right of access, art. 15)."""

    person_id: str
    status: str
    created_at: datetime
    merged_person_ids: list[str]
    records: list[ExportRecordOut]
    events: list[EventOut]
    decisions: list[ExportDecisionOut]
    suggestions: list[ExportSuggestionOut]
    access_log: list[ExportAccessOut]
    generated_at: datetime


# -- batch resolve and dry run ---------------------------------------------------------------

MAX_BATCH_RECORDS = 1000

_EXAMPLE_RECORD: dict[str, Any] = {
    "source": "CASSIOPEE",
    "source_ref": "2024/000123",
    "record_date": "2024-03-18",
    "nom_naissance": "MARTIN",
    "prenoms": "Jean Pierre",
    "sexe": "M",
    "date_naissance": "1985-07-14",
    "code_commune_naissance": "69383",
}


class BatchIn(BaseModel):
    """Up to 1,000 records resolved in one transaction, in order (each sees those before it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "records": [
                        _EXAMPLE_RECORD,
                        {
                            **_EXAMPLE_RECORD,
                            "source_ref": "2024/000124",
                            "nom_naissance": "DURAND",
                            "prenoms": "Alice",
                            "sexe": "F",
                            "date_naissance": "1990-02-03",
                        },
                    ]
                }
            ]
        },
    )

    records: list[RecordIn] = Field(min_length=1, max_length=MAX_BATCH_RECORDS)


class BatchOut(BaseModel):
    results: list[ResolveOut] = Field(
        description="One answer per record, in the order sent (a reference sent twice: the "
        "last one is resolved, and both positions carry its answer)"
    )
    counts: dict[str, int] = Field(description="Records per status")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "person_id": "3ZGPYX7KRA0928",
                            "status": "linked",
                            "link_status": "linked",
                            "match_probability": 0.99993,
                            "previous_person_id": None,
                            "record": {"source": "CASSIOPEE", "source_ref": "2024/000123"},
                        },
                        {
                            "person_id": "XYTEAS4RMFAZ25",
                            "status": "new",
                            "link_status": "new",
                            "match_probability": None,
                            "previous_person_id": None,
                            "record": {"source": "CASSIOPEE", "source_ref": "2024/000124"},
                        },
                    ],
                    "counts": {"linked": 1, "new": 1},
                }
            ]
        }
    )


class CandidateVerdict(StrEnum):
    LINK = "link"  # the record would be linked to this person
    REVIEW = "review"  # a suggestion would be opened for reviewers
    EXCLUDED = "excluded"  # a reviewer declared one of its records different from this one
    NONE = "none"  # below the review band, or already decided


class MatchCandidateOut(BaseModel):
    person_id: str
    match_probability: float = Field(description="With the person's closest record")
    match_weight: float
    link_probability: float | None = Field(
        description="With its closest record having the minimum evidence for an automatic "
        "link (what an automatic link goes through); null: none has it"
    )
    verdict: CandidateVerdict


class WouldOut(BaseModel):
    status: ResolveOutcome = Field(description="The status POST /v1/records would answer")
    link_status: ResolveStatus
    person_id: str | None = Field(
        description="The person the record would belong to; null: a new person would be "
        "created (its identifier does not exist yet)"
    )
    match_probability: float | None
    previous_person_id: str | None = None


class MatchOut(BaseModel):
    """What the registry would do with a record, and the persons it compared it with."""

    would: WouldOut
    record_held: bool = Field(description="The registry holds this source + reference")
    evidence: bool | None = Field(
        description="The record has the minimum evidence for an automatic link (a surname, a "
        "given name, a year of birth, and the day or the place of birth); null when it would "
        "not be resolved again (held unchanged, or on a reviewer's link)"
    )
    candidates: list[MatchCandidateOut] = Field(description="Closest persons first")
    auto_link_threshold: float
    review_threshold: float
    model_version: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "would": {
                        "status": "linked",
                        "link_status": "linked",
                        "person_id": "3ZGPYX7KRA0928",
                        "match_probability": 0.99993,
                        "previous_person_id": None,
                    },
                    "record_held": False,
                    "evidence": True,
                    "candidates": [
                        {
                            "person_id": "3ZGPYX7KRA0928",
                            "match_probability": 0.99993,
                            "match_weight": 13.8,
                            "link_probability": 0.99993,
                            "verdict": "link",
                        },
                        {
                            "person_id": "B0GBB9PYGGM7EH",
                            "match_probability": 0.71,
                            "match_weight": 1.3,
                            "link_probability": 0.71,
                            "verdict": "review",
                        },
                    ],
                    "auto_link_threshold": 0.995,
                    "review_threshold": 0.5,
                    "model_version": "splink-5.0-8f3c2a1",
                }
            ]
        }
    )


# -- change feed ------------------------------------------------------------------------------


class ChangedRecordOut(BaseModel):
    source: str
    source_ref: str | None = Field(
        description="The application's reference; null once the record was deleted "
        "(retention): the registry no longer holds it"
    )
    change: str = Field(
        description="added (joined a person), moved (changed person), updated (new traits, "
        "same person), deleted (retention)"
    )
    person_before: str | None
    person_after: str | None


class RedirectChangeOut(BaseModel):
    from_person_id: str = Field(description="This identifier now redirects...")
    to_person_id: str = Field(description="...to this one (replace it in your cache)")


class ChangeOut(BaseModel):
    change_id: str
    at: datetime
    cause: str = Field(
        description="auto (a record posted or ingested, the model decided), relink (a "
        "re-linkage run), reviewer (a reviewer's decision or undo: decision_id), retention"
    )
    decision_id: int | None
    kinds: list[str] = Field(description="The kinds of the change's events, in order")
    records: list[ChangedRecordOut] = Field(description="Your application's records concerned")
    redirects: list[RedirectChangeOut]
    created_person_ids: list[str]


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str | None = Field(
        description="Pass it as `after` for the next page (unchanged when nothing new)"
    )
    has_more: bool = Field(description="More changes are ready after next_cursor")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "changes": [
                        {
                            "change_id": "4f1d6c2e9a7b4c0e8d3f2a1b5c6d7e8f",
                            "at": "2026-12-08T09:12:31Z",
                            "cause": "reviewer",
                            "decision_id": 412,
                            "kinds": [
                                "record_unlinked",
                                "record_linked",
                                "merged_into",
                                "merged_from",
                            ],
                            "records": [
                                {
                                    "source": "CASSIOPEE",
                                    "source_ref": "2024/000123",
                                    "change": "moved",
                                    "person_before": "XYTEAS4RMFAZ25",
                                    "person_after": "3ZGPYX7KRA0928",
                                }
                            ],
                            "redirects": [
                                {
                                    "from_person_id": "XYTEAS4RMFAZ25",
                                    "to_person_id": "3ZGPYX7KRA0928",
                                }
                            ],
                            "created_person_ids": [],
                        }
                    ],
                    "next_cursor": "812734.1048576",
                    "has_more": False,
                }
            ]
        }
    )
