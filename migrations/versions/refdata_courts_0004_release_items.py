"""refdata_courts: what each release of the courts, tariffs and communes published

Revision ID: refdata_courts_0004
Revises: refdata_courts_0003
Create Date: 2026-11-28 17:40:00

The curated datasets now publish releases (``refdata_release``, branch ``refdata``): this
table records the items of each release so that releases can be diffed and their bulk files
rebuilt, hence the dependency on ``refdata_0001``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_courts_0004"
down_revision: str | None = "refdata_courts_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("refdata_0001",)


def upgrade() -> None:
    op.create_table(
        "refdata_release_item",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=255), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("introduced_in", sa.String(length=64), nullable=False),
        sa.Column("retired_in", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["introduced_in"],
            ["refdata_release.id"],
            name=op.f("fk_refdata_release_item_introduced_in_refdata_release"),
        ),
        sa.ForeignKeyConstraint(
            ["retired_in"],
            ["refdata_release.id"],
            name=op.f("fk_refdata_release_item_retired_in_refdata_release"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refdata_release_item")),
    )
    with op.batch_alter_table("refdata_release_item", schema=None) as batch_op:
        batch_op.create_index(
            "uq_refdata_release_item_open",
            ["dataset", "kind", "item_key"],
            unique=True,
            sqlite_where=sa.text("retired_in IS NULL"),
            postgresql_where=sa.text("retired_in IS NULL"),
        )
        batch_op.create_index(
            "ix_refdata_release_item_introduced_in", ["introduced_in"], unique=False
        )
        batch_op.create_index("ix_refdata_release_item_retired_in", ["retired_in"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("refdata_release_item", schema=None) as batch_op:
        batch_op.drop_index("ix_refdata_release_item_retired_in")
        batch_op.drop_index("ix_refdata_release_item_introduced_in")
        batch_op.drop_index("uq_refdata_release_item_open")
    op.drop_table("refdata_release_item")
