"""identity: person events say which change they belong to and why (change_id, cause), so a
change feed can be read straight from them (issue 9 step 1, for issue 10).

Events written before carry no change id; their cause is derived from what they already
hold: a decision (reviewer), the re-linkage or retention job's actor, else the model (auto).

Revision ID: identity_0002
Revises: identity_0001
Create Date: 2026-12-08 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_0002"
down_revision: str | None = "identity_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "identity_person_events"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("change_id", sa.String(length=32), nullable=True))
    # A default only to fill the rows already there; every writer names the cause.
    op.add_column(
        TABLE, sa.Column("cause", sa.String(length=16), nullable=False, server_default="auto")
    )
    op.execute("UPDATE identity_person_events SET cause = 'reviewer' WHERE decision_id IS NOT NULL")
    op.execute(
        "UPDATE identity_person_events SET cause = 'relink' "
        "WHERE decision_id IS NULL AND actor = 'srj registry relink'"
    )
    op.execute(
        "UPDATE identity_person_events SET cause = 'retention' "
        "WHERE decision_id IS NULL AND actor = 'srj registry retention'"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("cause", server_default=None)
    op.create_index(op.f("ix_identity_person_events_change_id"), TABLE, ["change_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_identity_person_events_change_id"), table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("cause")
        batch.drop_column("change_id")
