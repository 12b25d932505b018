"""Emerging-problem phrases read Russian ё as е, as tagging now does: "счёт" and "счет" are one phrase.

Phrase counts stored before are merged under the folded phrase, and emerging alerts' phrases and incident keys
are folded, so a phrase's history carries on and an open incident is still recognised after the upgrade
(otherwise the folded phrase would look new and alert again).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_buckets = sa.table(
    "phrase_buckets",
    sa.column("bucket_start", sa.DateTime()),
    sa.column("phrase", sa.String()),
    sa.column("language", sa.String()),
    sa.column("count", sa.Integer()),
)
_alerts = sa.table(
    "alerts",
    sa.column("id", sa.Integer()),
    sa.column("phrase", sa.String()),
    sa.column("incident_key", sa.String()),
    sa.column("merged_keys", sa.JSON()),
)


def _fold(value: str) -> str:
    return value.replace("ё", "е")


def _merge_phrase_counts(conn: sa.Connection) -> None:
    rows = conn.execute(sa.select(_buckets).where(_buckets.c.phrase.contains("ё"))).all()
    merged: dict[tuple[object, str, str], int] = {}
    for bucket_start, phrase, language, count in rows:
        key = (bucket_start, _fold(phrase), language)
        merged[key] = merged.get(key, 0) + int(count)
    conn.execute(sa.delete(_buckets).where(_buckets.c.phrase.contains("ё")))
    for (bucket_start, phrase, language), count in merged.items():
        same = (
            _buckets.c.bucket_start == bucket_start,
            _buckets.c.phrase == phrase,
            _buckets.c.language == language,
        )
        done = conn.execute(sa.update(_buckets).where(*same).values(count=_buckets.c.count + count))
        if done.rowcount == 0:
            values = {"bucket_start": bucket_start, "phrase": phrase, "language": language, "count": count}
            conn.execute(sa.insert(_buckets).values(**values))


def _fold_alerts(conn: sa.Connection) -> None:
    for alert_id, phrase, key, merged in conn.execute(sa.select(_alerts)).all():
        new = {
            "phrase": _fold(phrase) if phrase else phrase,
            "incident_key": _fold(key),
            "merged_keys": [_fold(str(k)) for k in merged or []],
        }
        if new != {"phrase": phrase, "incident_key": key, "merged_keys": list(merged or [])}:
            conn.execute(sa.update(_alerts).where(_alerts.c.id == alert_id).values(**new))


def upgrade() -> None:
    conn = op.get_bind()
    _merge_phrase_counts(conn)
    _fold_alerts(conn)


def downgrade() -> None:
    """The folded spelling is kept: both spellings meant the same phrase."""
