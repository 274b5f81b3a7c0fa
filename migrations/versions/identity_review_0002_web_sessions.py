"""identity_review: server-side sessions of the review pages (a logout ends the session)

Revision ID: identity_review_0002
Revises: identity_review_0001
Create Date: 2026-12-08 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_review_0002"
down_revision: str | None = "identity_review_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_review_web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_review_web_sessions")),
    )
    op.create_index(
        "ix_identity_review_web_sessions_subject",
        "identity_review_web_sessions",
        ["subject"],
    )
    op.create_index(
        "ix_identity_review_web_sessions_expires_at",
        "identity_review_web_sessions",
        ["expires_at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_identity_review_web_sessions_expires_at", table_name="identity_review_web_sessions"
    )
    op.drop_index(
        "ix_identity_review_web_sessions_subject", table_name="identity_review_web_sessions"
    )
    op.drop_table("identity_review_web_sessions")
