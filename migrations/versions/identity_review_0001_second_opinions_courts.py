"""identity_review: second opinions on decided suggestions, and the court of each source record.

Revision ID: identity_review_0001
Revises:
Create Date: 2026-11-28 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_review_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("identity_review",)
# Both tables reference the registry's suggestions, decisions and records.
depends_on: str | Sequence[str] | None = ("identity_0001",)

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "identity_review_second_opinions",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("suggestion_id", AUTO_ID, nullable=False),
        sa.Column("decision_id", AUTO_ID, nullable=False),
        sa.Column("first_reviewer", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=True),
        sa.Column("opinion", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'agreed', 'disagreed')",
            name=op.f("ck_identity_review_second_opinions_status"),
        ),
        sa.CheckConstraint(
            "opinion IS NULL OR opinion IN ('same', 'different', 'unsure')",
            name=op.f("ck_identity_review_second_opinions_opinion"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (opinion IS NULL)",
            name=op.f("ck_identity_review_second_opinions_answered"),
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["identity_match_suggestions.id"],
            name=op.f(
                "fk_identity_review_second_opinions_suggestion_id_identity_match_suggestions"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["identity_decisions.id"],
            name=op.f("fk_identity_review_second_opinions_decision_id_identity_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_review_second_opinions")),
        sa.UniqueConstraint(
            "suggestion_id", name=op.f("uq_identity_review_second_opinions_suggestion_id")
        ),
    )
    with op.batch_alter_table("identity_review_second_opinions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_review_second_opinions_decision_id"),
            ["decision_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_identity_review_second_opinions_pending",
            ["requested_at"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "identity_review_record_courts",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("court", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_review_record_courts_record_id_identity_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_identity_review_record_courts")),
    )
    with op.batch_alter_table("identity_review_record_courts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_review_record_courts_court"), ["court"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_review_record_courts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_review_record_courts_court"))
    op.drop_table("identity_review_record_courts")
    with op.batch_alter_table("identity_review_second_opinions", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_review_second_opinions_pending")
        batch_op.drop_index(batch_op.f("ix_identity_review_second_opinions_decision_id"))
    op.drop_table("identity_review_second_opinions")
