"""refdata_law: article versions, their penalties, what was not read, the corpus

Revision ID: refdata_law_0001
Revises:
Create Date: 2026-12-08 01:38:07

A branch of its own (``refdata_law``): the law dataset (``refdata.law``,
``datasets/penalties_law/``) evolves independently of the NATINF and curated datasets.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "refdata_law_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("refdata_law",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "law_article_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=40), nullable=False),
        sa.Column("article_key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("recorded_from", sa.Date(), nullable=False),
        sa.Column("in_force_from_basis", sa.Text(), nullable=False),
        sa.Column("repository", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("commit", sa.String(length=40), nullable=False),
        sa.Column("amended_by", sa.Text(), nullable=False),
        sa.Column("ended_by_commit", sa.String(length=40), nullable=True),
        sa.Column("ended_by", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("alineas", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_law_article_version_interval"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_law_article_version_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_article_version")),
        sa.UniqueConstraint(
            "code", "article", "version", name=op.f("uq_law_article_version_code_article_version")
        ),
    )
    with op.batch_alter_table("law_article_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_law_article_version_lookup", ["code", "article_key"], unique=False
        )

    op.create_table(
        "law_corpus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository", sa.String(length=200), nullable=False),
        sa.Column("commit", sa.String(length=40), nullable=False),
        sa.Column("known_until", sa.Date(), nullable=False),
        sa.Column("known_until_basis", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_corpus")),
    )
    op.create_table(
        "law_penalty",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("statement", sa.SmallInteger(), nullable=False),
        sa.Column("alinea", sa.SmallInteger(), nullable=False),
        sa.Column("division", sa.String(length=8), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("max_months", sa.Integer(), nullable=True),
        sa.Column("life", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("contravention_class", sa.SmallInteger(), nullable=True),
        sa.Column("alternative", sa.Boolean(), nullable=False),
        sa.Column("fine_may_exceed", sa.Boolean(), nullable=False),
        sa.Column("legal_persons", sa.Boolean(), nullable=False),
        sa.Column("quoted", sa.Boolean(), nullable=False),
        sa.Column("source_code", sa.String(length=100), nullable=False),
        sa.Column("source_article", sa.String(length=40), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.Column("source_alinea", sa.SmallInteger(), nullable=False),
        sa.Column("via", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("source_sentence", sa.Text(), nullable=False),
        sa.Column("repository", sa.String(length=200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("commit", sa.String(length=40), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("source_commit", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "currency IS NULL OR currency IN ('EUR', 'FRF')", name=op.f("ck_law_penalty_currency")
        ),
        sa.CheckConstraint(
            "kind IN ('emprisonnement', 'reclusion_criminelle', 'detention_criminelle', "
            "'amende', 'amende_contraventionnelle')",
            name=op.f("ck_law_penalty_kind"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_law_penalty_interval")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_penalty")),
    )
    with op.batch_alter_table("law_penalty", schema=None) as batch_op:
        batch_op.create_index(
            "ix_law_penalty_article", ["code", "article", "version"], unique=False
        )

    op.create_table(
        "law_unresolved",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("alinea", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_law_unresolved")),
    )
    with op.batch_alter_table("law_unresolved", schema=None) as batch_op:
        batch_op.create_index(
            "ix_law_unresolved_article", ["code", "article", "version"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("law_unresolved", schema=None) as batch_op:
        batch_op.drop_index("ix_law_unresolved_article")

    op.drop_table("law_unresolved")
    with op.batch_alter_table("law_penalty", schema=None) as batch_op:
        batch_op.drop_index("ix_law_penalty_article")

    op.drop_table("law_penalty")
    op.drop_table("law_corpus")
    with op.batch_alter_table("law_article_version", schema=None) as batch_op:
        batch_op.drop_index("ix_law_article_version_lookup")

    op.drop_table("law_article_version")
