"""Hourly calls per topic and agent, for trends split by agent.

The volumes watermark is cleared, so the next volume refresh rebuilds every bucket and fills the new table
from history; until then the agent split counts calls directly.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa

import core.models
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_buckets",
        sa.Column("bucket_start", core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("topic_id", sa.String(length=200), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket_start", "topic_id", "agent_id"),
    )
    op.create_index("ix_agent_topic_bucket_cover", "agent_buckets", ["topic_id", "bucket_start", "agent_id", "count"])
    op.execute("DELETE FROM app_meta WHERE key = 'volumes_watermark'")


def downgrade() -> None:
    op.drop_index("ix_agent_topic_bucket_cover", table_name="agent_buckets")
    op.drop_table("agent_buckets")
