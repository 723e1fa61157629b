"""pull request lineage and feedback

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pr_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=False),
        sa.Column("run_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("issue_number", sa.Integer(), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("head_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("base_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("clone_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pr_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("check_attempts", sa.Integer(), nullable=False),
        sa.Column("status_comment_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repo_full_name", "pr_number"),
    )
    with op.batch_alter_table("pr_lineage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pr_lineage_repo_full_name"), ["repo_full_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pr_lineage_run_id"), ["run_id"], unique=False)
    op.create_table(
        "pr_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo_full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("round_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repo_full_name", "key"),
    )
    with op.batch_alter_table("pr_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pr_feedback_repo_full_name"), ["repo_full_name"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pr_feedback_pr_number"), ["pr_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_pr_feedback_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pr_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_feedback_round_id"))
        batch_op.drop_index(batch_op.f("ix_pr_feedback_pr_number"))
        batch_op.drop_index(batch_op.f("ix_pr_feedback_repo_full_name"))
    op.drop_table("pr_feedback")
    with op.batch_alter_table("pr_lineage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_lineage_run_id"))
        batch_op.drop_index(batch_op.f("ix_pr_lineage_repo_full_name"))
    op.drop_table("pr_lineage")
