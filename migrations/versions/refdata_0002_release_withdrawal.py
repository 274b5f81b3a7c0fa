"""refdata: release withdrawals (an admin withdraws a wrong release, audited)

Revision ID: refdata_0002
Revises: refdata_0001
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_0002"
down_revision: str | None = "refdata_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refdata_release_withdrawal",
        sa.Column("release_id", sa.String(length=64), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restored_id", sa.String(length=64), nullable=True),
        sa.Column("undone", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["refdata_release.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["restored_id"], ["refdata_release.id"]),
        sa.PrimaryKeyConstraint("release_id"),
    )
    op.create_index(
        "ix_refdata_release_withdrawal_dataset",
        "refdata_release_withdrawal",
        ["dataset"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_refdata_release_withdrawal_dataset", table_name="refdata_release_withdrawal")
    op.drop_table("refdata_release_withdrawal")
