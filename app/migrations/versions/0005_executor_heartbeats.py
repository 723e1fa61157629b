"""executor heartbeats

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "executors",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_seen", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("taken_over_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("executors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_executors_last_seen"), ["last_seen"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("executors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_executors_last_seen"))
    op.drop_table("executors")
