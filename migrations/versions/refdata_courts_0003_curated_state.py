"""refdata_courts: fingerprints of the curated datasets (cog, courts, tariffs) for the read indexes

Revision ID: refdata_courts_0003
Revises: refdata_courts_0002
Create Date: 2026-11-28 14:18:44.158586
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_courts_0003"
down_revision: str | None = "refdata_courts_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refdata_curated_state",
        sa.Column("dataset", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dataset", name=op.f("pk_refdata_curated_state")),
    )


def downgrade() -> None:
    op.drop_table("refdata_curated_state")
