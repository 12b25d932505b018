"""Upgrading keeps the delivery history: attempts recorded before deliveries had an event were of the alert."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from core.db import Database, upgrade
from core.models import Alert, AlertKind, Delivery, Severity
from tests.core.migrations.schema import downgrade_to

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_attempts_recorded_before_the_upgrade_are_of_the_alert(db: Database) -> None:
    downgrade_to(db, "0010")
    with db.session() as s:
        values = {
            "kind": AlertKind.TOPIC,
            "topic_id": "billing.unexpected_charge",
            "dimension": {},
            "incident_key": "topic:billing.unexpected_charge",
            "change_at": T0,
            "detected_at": T0,
            "last_seen_at": T0,
            "baseline_rate": 0.1,
            "current_rate": 0.4,
            "ratio": 4.0,
            "severity": Severity.HIGH,
        }
        alert_id = s.scalar(insert(Alert).values(values).returning(Alert.id))  # the columns an alert had then
        s.execute(
            text(
                "INSERT INTO deliveries (alert_id, channel, target, attempt, ok, attempted_at) "
                "VALUES (:a, 'webhook', 'https://hooks.example.com/x', 1, 1, :t)"
            ),
            {"a": alert_id, "t": T0},
        )
    upgrade(db.engine)
    with db.session() as s:
        assert [(d.event, d.ok) for d in s.scalars(select(Delivery))] == [("alert", True)]
