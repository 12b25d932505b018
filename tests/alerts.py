"""Alerts for tests that need one in the database, without walking the detector."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.models import Alert, AlertKind, Severity


def topic_alert(key: str, change_at: datetime, hours: int = 5, replay: bool = False) -> Alert:
    """A topic alert detected two hours after ``change_at`` and last seen ``hours`` after it."""
    return Alert(
        kind=AlertKind.TOPIC,
        topic_id=key,
        dimension={},
        incident_key=key,
        change_at=change_at,
        detected_at=change_at + timedelta(hours=2),
        last_seen_at=change_at + timedelta(hours=hours),
        baseline_rate=0.02,
        current_rate=0.08,
        ratio=4.0,
        severity=Severity.HIGH,
        replay=replay,
    )
