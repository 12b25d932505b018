"""Content ids of recordings in ingested folders, so a drop folder is not hashed again file by file each round.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_digests",
        sa.Column("path_key", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("content_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("file_digests")
