"""Tables of the review workflow, next to the registry's own (:mod:`identity.models`).

The registry already holds suggestions and decisions; the review workflow adds two things:

- second opinions: a sample of final decisions is shown blind to another reviewer, which is
  how the agreement rate between reviewers is measured (the first decision stays in force; a
  disagreement is flagged for the team to look at, never applied by itself);
- the court each source record belongs to, so that a court's parquet can filter its queue:
  the canonical record does not carry it, the source applications know it
  (``srj registry import-courts``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from identity.models import AutoId
from srj.db import Base


class OpinionStatus(StrEnum):
    PENDING = "pending"  # waiting for a second reviewer
    AGREED = "agreed"
    DISAGREED = "disagreed"  # flagged: the team looks at it (undo, or confirm)


class SecondOpinion(Base):
    """A blind second review of a decided suggestion."""

    __tablename__ = "identity_review_second_opinions"

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[int] = mapped_column(
        ForeignKey("identity_match_suggestions.id", ondelete="CASCADE"), unique=True
    )
    # The decision under review (in force; a second opinion never changes the registry).
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("identity_decisions.id", ondelete="CASCADE"), index=True
    )
    first_reviewer: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=OpinionStatus.PENDING.value)
    reviewer: Mapped[str | None] = mapped_column(String(128))
    opinion: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'agreed', 'disagreed')", name="status"),
        CheckConstraint(
            "opinion IS NULL OR opinion IN ('same', 'different', 'unsure')", name="opinion"
        ),
        CheckConstraint("(status = 'pending') = (opinion IS NULL)", name="answered"),
        Index(
            "ix_identity_review_second_opinions_pending",
            "requested_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class RecordCourt(Base):
    """The court (juridiction) a source record belongs to, as its application reports it."""

    __tablename__ = "identity_review_record_courts"

    record_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("identity_source_records.id", ondelete="CASCADE"), primary_key=True
    )
    court: Mapped[str] = mapped_column(String(32), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
