"""identity: each person event records the transaction that wrote it (``xact_id``), so the
change feed can serve events in commit-safe order.

Event ids are taken when a row is written, not when its transaction commits, and resolves
commit concurrently: a reader paging by ``id > N`` can pass an event that a slower
transaction commits later with a smaller id, and never see it. On PostgreSQL the column
defaults to the writing transaction's id (``pg_current_xact_id()``); the feed orders by
``(xact_id, id)`` and serves only events of transactions older than every transaction in
flight (``pg_snapshot_xmin``), so nothing can appear behind a cursor. SQLite serialises its
writers (one write transaction at a time), so id order is commit order there: 0.

Events written before carry 0: they are all committed, and keep their id order.

Revision ID: identity_0003
Revises: identity_0002
Create Date: 2026-12-08 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_0003"
down_revision: str | None = "identity_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "identity_person_events"
INDEX = "ix_identity_person_events_source_xact_id"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("xact_id", sa.BigInteger(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            TABLE, "xact_id", server_default=sa.text("(pg_current_xact_id()::text::bigint)")
        )
    # The feed reads one application's events in (xact_id, id) order.
    op.create_index(INDEX, TABLE, ["source", "xact_id", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("xact_id")
