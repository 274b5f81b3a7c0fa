"""identity: the person registry (persons, source records, blocking keys, links, review
suggestions, decisions, person events, access log).

Revision ID: identity_0001
Revises:
Create Date: 2026-11-28 13:44:43.729318
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "identity_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("identity",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_access_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("roles", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.String(length=14), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_access_log")),
    )
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_access_log_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_identity_access_log_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "identity_persons",
        sa.Column("id", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("merged_into_id", sa.String(length=14), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_identity_persons_merged_has_target"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'merged', 'emptied')", name=op.f("ck_identity_persons_status")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["identity_persons.id"],
            name=op.f("fk_identity_persons_merged_into_id_identity_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_persons")),
    )
    with op.batch_alter_table("identity_persons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_persons_merged_into_id"), ["merged_into_id"], unique=False
        )

    op.create_table(
        "identity_source_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("ref_hmac", sa.LargeBinary(length=32), nullable=False),
        sa.Column("ref_key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("seal_key_id", sa.String(length=16), nullable=False),
        sa.Column("traits_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("std", sa.Text(), nullable=False),
        sa.Column("std_version", sa.String(length=32), nullable=False),
        sa.Column("record_date", sa.Date(), nullable=True),
        sa.Column("retain_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_source_records")),
        sa.UniqueConstraint(
            "source", "ref_hmac", name=op.f("uq_identity_source_records_source_ref_hmac")
        ),
    )
    with op.batch_alter_table("identity_source_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_source_records_retain_until"), ["retain_until"], unique=False
        )

    op.create_table(
        "identity_blocking_keys",
        sa.Column("key_hash", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_blocking_keys_record_id_identity_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", "record_id", name=op.f("pk_identity_blocking_keys")),
    )
    with op.batch_alter_table("identity_blocking_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_blocking_keys_record_id"), ["record_id"], unique=False
        )

    op.create_table(
        "identity_decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("suggestion_id", sa.Integer(), nullable=True),
        sa.Column("record_a_id", sa.Uuid(), nullable=True),
        sa.Column("record_b_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "revoked_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "decision IN ('same', 'different', 'unsure')",
            name=op.f("ck_identity_decisions_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["record_a_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_decisions_record_a_id_identity_source_records"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["record_b_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_decisions_record_b_id_identity_source_records"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["identity_decisions.id"],
            name=op.f("fk_identity_decisions_revoked_by_id_identity_decisions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_decisions")),
    )
    with op.batch_alter_table("identity_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_decisions_record_a_id"), ["record_a_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_decisions_record_b_id"), ["record_b_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_decisions_suggestion_id"), ["suggestion_id"], unique=False
        )

    op.create_table(
        "identity_person_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("person_id", sa.String(length=14), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("other_person_id", sa.String(length=14), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["identity_persons.id"],
            name=op.f("fk_identity_person_events_person_id_identity_persons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_person_events")),
    )
    with op.batch_alter_table("identity_person_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_person_events_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "identity_links",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.String(length=14), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin = 'auto' OR decision_id IS NOT NULL",
            name=op.f("ck_identity_links_manual_has_decision"),
        ),
        sa.CheckConstraint("origin IN ('auto', 'manual')", name=op.f("ck_identity_links_origin")),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["identity_decisions.id"],
            name=op.f("fk_identity_links_decision_id_identity_decisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["identity_persons.id"],
            name=op.f("fk_identity_links_person_id_identity_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_links_record_id_identity_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_identity_links")),
    )
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_links_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "identity_match_suggestions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_record_id", sa.Uuid(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("contributions", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("closed_reason", sa.String(length=32), nullable=True),
        sa.Column(
            "decision_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'closed')", name=op.f("ck_identity_match_suggestions_status")
        ),
        sa.CheckConstraint(
            "record_id <> candidate_record_id",
            name=op.f("ck_identity_match_suggestions_distinct_records"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_record_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_match_suggestions_candidate_record_id_identity_source_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["identity_decisions.id"],
            name=op.f("fk_identity_match_suggestions_decision_id_identity_decisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["identity_source_records.id"],
            name=op.f("fk_identity_match_suggestions_record_id_identity_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_match_suggestions")),
    )
    with op.batch_alter_table("identity_match_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_match_suggestions_candidate_record_id"),
            ["candidate_record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_identity_match_suggestions_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(
            "ix_identity_match_suggestions_status_created", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_identity_match_suggestions_pending_pair",
            ["record_id", "candidate_record_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_match_suggestions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_identity_match_suggestions_pending_pair",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_identity_match_suggestions_status_created")
        batch_op.drop_index(batch_op.f("ix_identity_match_suggestions_record_id"))
        batch_op.drop_index(batch_op.f("ix_identity_match_suggestions_candidate_record_id"))

    op.drop_table("identity_match_suggestions")
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_links_person_id"))

    op.drop_table("identity_links")
    with op.batch_alter_table("identity_person_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_person_events_person_id"))

    op.drop_table("identity_person_events")
    with op.batch_alter_table("identity_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_decisions_suggestion_id"))
        batch_op.drop_index(batch_op.f("ix_identity_decisions_record_b_id"))
        batch_op.drop_index(batch_op.f("ix_identity_decisions_record_a_id"))

    op.drop_table("identity_decisions")
    with op.batch_alter_table("identity_blocking_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_blocking_keys_record_id"))

    op.drop_table("identity_blocking_keys")
    with op.batch_alter_table("identity_source_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_source_records_retain_until"))

    op.drop_table("identity_source_records")
    with op.batch_alter_table("identity_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_persons_merged_into_id"))

    op.drop_table("identity_persons")
    with op.batch_alter_table("identity_access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_access_log_person_id"))
        batch_op.drop_index(batch_op.f("ix_identity_access_log_at"))

    op.drop_table("identity_access_log")
