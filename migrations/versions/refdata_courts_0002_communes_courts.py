"""refdata_courts: COG communes with history, merged-code successions, courts and their ressort

Revision ID: refdata_courts_0002
Revises: refdata_courts_0001
Create Date: 2026-11-28 13:57:28.210666
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_courts_0002"
down_revision: str | None = "refdata_courts_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cog_millesime",
        sa.Column("millesime", sa.Date(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("communes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("millesime", name=op.f("pk_cog_millesime")),
    )
    op.create_table(
        "commune",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code_insee", sa.String(length=5), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("nom", sa.String(length=120), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("parent_code", sa.String(length=5), nullable=True),
        sa.Column("codes_postaux", sa.String(length=255), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("zone", sa.String(length=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "type IN ('commune-actuelle', 'commune-deleguee', 'commune-associee', "
            "'arrondissement-municipal')",
            name=op.f("ck_commune_type"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_commune_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune")),
        sa.UniqueConstraint(
            "code_insee", "type", "valid_from", name=op.f("uq_commune_code_insee_type_valid_from")
        ),
    )
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commune_code_insee_valid_from", ["code_insee", "valid_from"], unique=False
        )

    op.create_table(
        "commune_succession",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("old_code", sa.String(length=5), nullable=False),
        sa.Column("successor_code", sa.String(length=5), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_commune_succession_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_succession")),
        sa.UniqueConstraint(
            "old_code",
            "successor_code",
            "valid_from",
            name=op.f("uq_commune_succession_old_code_successor_code_valid_from"),
        ),
    )
    with op.batch_alter_table("commune_succession", schema=None) as batch_op:
        batch_op.create_index("ix_commune_succession_old_code", ["old_code"], unique=False)

    op.create_table(
        "court_ressort",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("court_id", sa.String(length=64), nullable=False),
        sa.Column("granularity", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('departement', 'commune')", name=op.f("ck_court_ressort_granularity")
        ),
        sa.CheckConstraint(
            "scope IN ('territory', 'enclave')", name=op.f("ck_court_ressort_scope")
        ),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_court_ressort_basis"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_court_ressort_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_ressort")),
        sa.UniqueConstraint(
            "court_id",
            "granularity",
            "code",
            "scope",
            "valid_from",
            name=op.f("uq_court_ressort_court_id_granularity_code_scope_valid_from"),
        ),
    )
    with op.batch_alter_table("court_ressort", schema=None) as batch_op:
        batch_op.create_index("ix_court_ressort_court_id", ["court_id"], unique=False)
        batch_op.create_index(
            "ix_court_ressort_granularity_code", ["granularity", "code"], unique=False
        )

    op.create_table(
        "court_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("court_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seat_code_insee", sa.String(length=5), nullable=False),
        sa.Column("seat_commune", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("valid_from_basis", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "valid_from_basis IN ('in_force', 'attested', 'unverified')",
            name=op.f("ck_court_version_basis"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_court_version_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_version")),
        sa.UniqueConstraint(
            "court_id", "valid_from", name=op.f("uq_court_version_court_id_valid_from")
        ),
    )
    with op.batch_alter_table("court_version", schema=None) as batch_op:
        batch_op.create_index("ix_court_version_type", ["type"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("court_version", schema=None) as batch_op:
        batch_op.drop_index("ix_court_version_type")

    op.drop_table("court_version")
    with op.batch_alter_table("court_ressort", schema=None) as batch_op:
        batch_op.drop_index("ix_court_ressort_granularity_code")
        batch_op.drop_index("ix_court_ressort_court_id")

    op.drop_table("court_ressort")
    with op.batch_alter_table("commune_succession", schema=None) as batch_op:
        batch_op.drop_index("ix_commune_succession_old_code")

    op.drop_table("commune_succession")
    with op.batch_alter_table("commune", schema=None) as batch_op:
        batch_op.drop_index("ix_commune_code_insee_valid_from")

    op.drop_table("commune")
    op.drop_table("cog_millesime")
