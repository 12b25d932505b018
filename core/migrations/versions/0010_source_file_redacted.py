"""A call's `source_file` holds no phone number, e-mail address or card number: recorders name files after the
caller, and ingest now keeps such paths with placeholders (`…_[PHONE].wav`). Paths stored by earlier releases
are rewritten the same way, by the rules of the release that upgrades (`core.typed_pii`, whose rules only
ever catch more). `audio_path` is left as it is: the recording is read from it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.typed_pii import redact_path

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_calls = sa.table("calls", sa.column("id", sa.String()), sa.column("source_file", sa.String()))
_CHUNK = 5000


def upgrade() -> None:
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(
            sa.select(_calls.c.id, _calls.c.source_file)
            .where(_calls.c.id > after, _calls.c.source_file.is_not(None))
            .order_by(_calls.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        changed = [{"cid": cid, "shown": redact_path(path)} for cid, path in rows if redact_path(path) != path]
        if changed:
            stmt = sa.update(_calls).where(_calls.c.id == sa.bindparam("cid")).values(source_file=sa.bindparam("shown"))
            conn.execute(stmt, changed)
        after = rows[-1][0]


def downgrade() -> None:
    """What was redacted is gone."""
