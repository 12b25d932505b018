"""Upgrading keeps alerts found before calls' length was kept: their size in talk time is unknown, not zero."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from core.alert_actions import alert_json
from core.db import Database, upgrade
from core.models import Alert
from tests.core.migrations.schema import downgrade_to

T0 = "2026-11-02 09:00:00.000000"


def test_alerts_from_before_the_upgrade_have_no_talk_time(db: Database) -> None:
    downgrade_to(db, "0012")
    with db.session() as s:
        s.execute(
            text(
                "INSERT INTO alerts (kind, topic_id, dimension, incident_key, change_at, detected_at, last_seen_at, "
                "baseline_rate, current_rate, ratio, excess_calls, severity, status, top_terms, example_call_ids, "
                "merged_keys, replay, created_at) VALUES ('topic', 'billing.fee', '{}', 'topic:billing.fee', :t, :t, "
                ":t, 0.1, 0.4, 4.0, 120, 'high', 'open', '[]', '[]', '[]', 0, :t)"
            ),
            {"t": T0},
        )
    upgrade(db.engine)
    with db.session() as s:
        alert = s.scalars(select(Alert)).one()
        shown = alert_json(alert)
    assert (shown["excess_calls"], shown["mean_call_s"], shown["extra_call_hours"]) == (120.0, None, None)
    assert alert.detected_at == datetime(2026, 11, 2, 9, tzinfo=UTC)
