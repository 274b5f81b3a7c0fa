"""Tables of the person registry.

What it holds, on purpose, is little: opaque person identifiers; source records as pseudonymised
references, sealed traits and the standardised matching keys the matcher reads; which person
each record belongs to and why; the suggestions reviewers settle and their decisions; the
history of every person; and who read what. Never case content.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    FetchedValue,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from srj.db import Base

# SQLite only autoincrements an ``INTEGER PRIMARY KEY``; PostgreSQL gets a 64-bit identity.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class PersonStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # redirects to ``merged_into_id``
    EMPTIED = "emptied"  # its last record was deleted (retention); kept for its history


class LinkOrigin(StrEnum):
    AUTO = "auto"  # the model decided (score and model version kept)
    MANUAL = "manual"  # a reviewer decided (decision kept); no automatic process moves it


class SuggestionStatus(StrEnum):
    PENDING = "pending"
    CLOSED = "closed"


class DecisionKind(StrEnum):
    SAME = "same"  # must-link
    DIFFERENT = "different"  # cannot-link
    UNSURE = "unsure"  # escalated; no constraint


class EventKind(StrEnum):
    CREATED = "created"
    RECORD_LINKED = "record_linked"
    RECORD_UNLINKED = "record_unlinked"
    RECORD_UPDATED = "record_updated"  # its source sent new traits; it stayed on this person
    MERGED_INTO = "merged_into"  # this identifier now redirects to ``other_person_id``
    MERGED_FROM = "merged_from"  # this person absorbed ``other_person_id``
    SPLIT_FROM = "split_from"  # this person was created from records of ``other_person_id``
    REDIRECTED = "redirected"  # a redirect was re-pointed (its target itself merged)
    RELINKED = "relinked"  # a re-linkage run changed this person's records
    RECORD_DELETED = "record_deleted"  # retention
    EMPTIED = "emptied"


class Person(Base):
    __tablename__ = "identity_persons"

    id: Mapped[str] = mapped_column(String(14), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=PersonStatus.ACTIVE.value)
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("identity_persons.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('active', 'merged', 'emptied')", name="status"),
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
    )


class SourceRecord(Base):
    """One record of a source application, as the registry holds it."""

    __tablename__ = "identity_source_records"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    ref_hmac: Mapped[bytes] = mapped_column(LargeBinary(32))
    ref_key_id: Mapped[str] = mapped_column(String(16))
    # Traits as received (and the clear source reference), AES-GCM sealed.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    seal_key_id: Mapped[str] = mapped_column(String(16))
    # Keyed digest of the traits: an unchanged re-post is recognised without opening them.
    traits_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The standardised matching keys (JSON) the online scorer and the batch model read.
    std: Mapped[str] = mapped_column(Text)
    # Which standardisation produced ``std``: re-linkage re-standardises older rows.
    std_version: Mapped[str] = mapped_column(String(32))
    record_date: Mapped[date | None] = mapped_column(Date)
    retain_until: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    link: Mapped[Link | None] = relationship(back_populates="record", lazy="raise")

    __table_args__ = (UniqueConstraint("source", "ref_hmac"),)


class BlockingKey(Base):
    """Candidate search: a 64-bit hash of each blocking key of each record."""

    __tablename__ = "identity_blocking_keys"

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class Link(Base):
    """The person a record belongs to now, and why."""

    __tablename__ = "identity_links"

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(ForeignKey("identity_persons.id"), index=True)
    origin: Mapped[str] = mapped_column(String(8))
    match_probability: Mapped[float | None] = mapped_column(Float)
    match_weight: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(64))
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_decisions.id", ondelete="SET NULL")
    )
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    record: Mapped[SourceRecord] = relationship(back_populates="link", lazy="raise")

    __table_args__ = (
        CheckConstraint("origin IN ('auto', 'manual')", name="origin"),
        CheckConstraint("origin = 'auto' OR decision_id IS NOT NULL", name="manual_has_decision"),
    )


class MatchSuggestion(Base):
    """A pair a reviewer should look at: a record and the closest record of another person."""

    __tablename__ = "identity_match_suggestions"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="CASCADE"), index=True
    )
    candidate_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="CASCADE"), index=True
    )
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    # Per-comparison match weights (JSON), the reviewers' "why".
    contributions: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default=SuggestionStatus.PENDING.value)
    # Bumped on every change; a decision quoting an older version is stale (HTTP 409).
    version: Mapped[int] = mapped_column(Integer, default=1)
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_decisions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # SQLAlchemy's declarative base types this attribute itself (a ClassVar would clash).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'closed')", name="status"),
        CheckConstraint("record_id <> candidate_record_id", name="distinct_records"),
        # At most one pending suggestion per ordered pair: concurrent resolves cannot double it.
        Index(
            "uq_identity_match_suggestions_pending_pair",
            "record_id",
            "candidate_record_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_identity_match_suggestions_status_created", "status", "created_at"),
    )


class Decision(Base):
    """A reviewer's final word on a pair of records; "same"/"different" are hard constraints."""

    __tablename__ = "identity_decisions"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    # No foreign key: suggestions already point at their decision, and SQLite cannot add the
    # second side of a cycle afterwards.
    suggestion_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Nulled when retention deletes a record: the decision stays in the history.
    record_a_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="SET NULL"), index=True
    )
    record_b_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_source_records.id", ondelete="SET NULL"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when a later decision (an undo) lifts this one's constraint.
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_decisions.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint("decision IN ('same', 'different', 'unsure')", name="decision"),
    )


class ChangeCause(StrEnum):
    """Why a person changed (what a change feed tells the applications)."""

    AUTO = "auto"  # an application posted or ingested a record and the model decided
    RELINK = "relink"  # a re-linkage run (the batch model over the whole registry)
    REVIEWER = "reviewer"  # a reviewer's decision or undo (``decision_id``)
    RETENTION = "retention"  # records deleted at the end of their retention period


class PersonEvent(Base):
    """The history of a person: never updated, never deleted with the person's records.

    Written only by ``identity.persons.PersonChanges``. One change (a record moving, two
    persons merging, a merge undone...) writes one event per person and record it concerns,
    all with the same ``change_id``: what changed (``kind``), the identifiers before and after
    (``person_id``, ``other_person_id``), the record and its application (``record_id``,
    ``source``), why (``cause``, ``decision_id``, ``detail``: scores, model version, run id;
    never traits), who and when. ``id`` orders them: what a change feed pages through.
    """

    __tablename__ = "identity_person_events"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("identity_persons.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # Events written before identity_0002 have no change id (their change is their ``at``).
    change_id: Mapped[str | None] = mapped_column(String(32), index=True)
    cause: Mapped[str] = mapped_column(String(16))
    other_person_id: Mapped[str | None] = mapped_column(String(14))
    # Plain column, no foreign key: the record may have been deleted since (retention).
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str | None] = mapped_column(String(32))
    decision_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(128))
    # Scores, model version, run id... never identity traits.
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The transaction that wrote the event (PostgreSQL: pg_current_xact_id(), set by the
    # database; SQLite, whose writers are serialised: 0). The change feed pages by
    # (xact_id, id): see identity_0003 and identity/changes.py.
    xact_id: Mapped[int] = mapped_column(BigInteger, server_default=FetchedValue())


class AccessLogEntry(Base):
    """Who read which person's data, when, why and through which endpoint (never the data)."""

    __tablename__ = "identity_access_log"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    subject: Mapped[str] = mapped_column(String(128))
    roles: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[str | None] = mapped_column(String(14), index=True)
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    endpoint: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
