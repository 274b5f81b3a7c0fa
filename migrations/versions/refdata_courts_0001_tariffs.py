"""refdata_courts: tariffs (fixed fines, maximum fines, child-support scale, minimum vital)

Revision ID: refdata_courts_0001
Revises:
Create Date: 2026-11-28 13:51:02.987576
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_courts_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("refdata_courts",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tariff_child_support_rate",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scale", sa.String(length=32), nullable=False),
        sa.Column("children", sa.SmallInteger(), nullable=False),
        sa.Column("custody", sa.String(length=16), nullable=False),
        sa.Column("rate_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "custody IN ('reduite', 'classique', 'alternee')",
            name=op.f("ck_tariff_child_support_rate_custody"),
        ),
        sa.CheckConstraint(
            "status IN ('confirmed', 'partly_confirmed', 'unconfirmed')",
            name=op.f("ck_tariff_child_support_rate_status"),
        ),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_tariff_child_support_rate_basis"),
        ),
        sa.CheckConstraint("children >= 1", name=op.f("ck_tariff_child_support_rate_children")),
        sa.CheckConstraint(
            "rate_percent > 0 AND rate_percent < 100",
            name=op.f("ck_tariff_child_support_rate_rate"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_tariff_child_support_rate_interval"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_child_support_rate")),
        sa.UniqueConstraint(
            "scale",
            "children",
            "custody",
            "valid_from",
            name=op.f("uq_tariff_child_support_rate_scale_children_custody_valid_from"),
        ),
    )
    op.create_table(
        "tariff_fixed_fine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("classe", sa.SmallInteger(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('minoree', 'forfaitaire', 'majoree')", name=op.f("ck_tariff_fixed_fine_kind")
        ),
        sa.CheckConstraint(
            "status IN ('confirmed', 'partly_confirmed', 'unconfirmed')",
            name=op.f("ck_tariff_fixed_fine_status"),
        ),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_tariff_fixed_fine_basis"),
        ),
        sa.CheckConstraint("amount_eur > 0", name=op.f("ck_tariff_fixed_fine_amount")),
        sa.CheckConstraint("classe BETWEEN 1 AND 5", name=op.f("ck_tariff_fixed_fine_classe")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_tariff_fixed_fine_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_fixed_fine")),
        sa.UniqueConstraint(
            "classe",
            "category",
            "kind",
            "valid_from",
            name=op.f("uq_tariff_fixed_fine_classe_category_kind_valid_from"),
        ),
    )
    op.create_table(
        "tariff_max_fine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("classe", sa.SmallInteger(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("recidivism_amount_eur", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('confirmed', 'partly_confirmed', 'unconfirmed')",
            name=op.f("ck_tariff_max_fine_status"),
        ),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_tariff_max_fine_basis"),
        ),
        sa.CheckConstraint("amount_eur > 0", name=op.f("ck_tariff_max_fine_amount")),
        sa.CheckConstraint("classe BETWEEN 1 AND 5", name=op.f("ck_tariff_max_fine_classe")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_tariff_max_fine_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_max_fine")),
        sa.UniqueConstraint(
            "classe", "valid_from", name=op.f("uq_tariff_max_fine_classe_valid_from")
        ),
    )
    op.create_table(
        "tariff_minimum_vital",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("legal_source", sa.Text(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('confirmed', 'partly_confirmed', 'unconfirmed')",
            name=op.f("ck_tariff_minimum_vital_status"),
        ),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_tariff_minimum_vital_basis"),
        ),
        sa.CheckConstraint("amount_eur > 0", name=op.f("ck_tariff_minimum_vital_amount")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_tariff_minimum_vital_interval"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_minimum_vital")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_tariff_minimum_vital_valid_from")),
    )


def downgrade() -> None:
    op.drop_table("tariff_minimum_vital")
    op.drop_table("tariff_max_fine")
    op.drop_table("tariff_fixed_fine")
    op.drop_table("tariff_child_support_rate")
