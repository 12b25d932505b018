"""The intake gone quiet: hours that usually hold many calls and hold none raise one 'no calls' alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.alert_actions import alert_json
from core.db import Database
from core.models import TOTAL, Alert, Call, CallStatus, VolumeBucket
from detect.delivery import summary_line
from detect.silence import SILENCE_KEY, SilenceOptions, check_intake, find_silence

NEWEST = datetime(2026, 11, 25, 10, 20, tzinfo=UTC)  # a Wednesday morning
COOLDOWN = timedelta(hours=24)


def _history(db: Database, weeks: int = 3, per_hour: int = 40) -> None:
    """Calls every hour for ``weeks`` before NEWEST: busy by day, a few at night; the newest call at NEWEST."""
    start = NEWEST.replace(hour=0, minute=0) - timedelta(weeks=weeks)
    rows = []
    at = start
    while at < NEWEST.replace(minute=0):
        n = per_hour if 8 <= at.hour < 20 else 1
        rows.append(VolumeBucket(bucket_start=at, topic_id=TOTAL, queue="billing", language="en", count=n))
        at += timedelta(hours=1)
    with db.session() as session:
        session.add_all(rows)
        session.add(Call(id="last", started_at=NEWEST, status=CallStatus.PENDING))


def test_hours_that_usually_hold_many_calls_and_hold_none_raise_one_alert(db: Database) -> None:
    _history(db)
    opts = SilenceOptions()
    assert check_intake(db, NEWEST + timedelta(hours=2, minutes=50), opts, COOLDOWN).silence is None  # 2 whole hours
    first = check_intake(db, NEWEST + timedelta(hours=4, minutes=5), opts, COOLDOWN)
    assert first.silence is not None and first.created
    assert (first.silence.since, first.silence.hours, first.silence.expected) == (
        datetime(2026, 11, 25, 11, tzinfo=UTC),
        3,
        120.0,
    )
    later = check_intake(db, NEWEST + timedelta(hours=6, minutes=5), opts, COOLDOWN)
    assert (later.alert_id, later.created) == (first.alert_id, False)  # one incident while the silence lasts
    with db.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.incident_key, alert.kind, alert.severity, alert.ratio) == (SILENCE_KEY, "volume", "high", 0.0)
        assert alert.baseline_rate == 40.0
        line = summary_line(alert_json(alert))
    assert line.startswith(
        "[HIGH] no calls have arrived since 2026-11-25 11:00 UTC, in hours that usually hold about 40"
    )


def test_a_quiet_night_imported_history_and_a_young_installation_are_not_silence(db: Database) -> None:
    _history(db)
    night = NEWEST.replace(hour=20, minute=30)
    with db.session() as session:
        session.add(Call(id="evening", started_at=night, status=CallStatus.PENDING))
    with db.session() as session:
        assert find_silence(session, night + timedelta(hours=5), SilenceOptions()) is None  # 4 calls usually
        assert find_silence(session, night + timedelta(days=5), SilenceOptions()) is None  # history, not an intake
        assert find_silence(session, night + timedelta(hours=5), SilenceOptions(hours=0)) is None  # switched off


def test_fewer_than_two_earlier_weeks_say_nothing_of_usual(db: Database) -> None:
    _history(db, weeks=1)
    with db.session() as session:
        assert find_silence(session, NEWEST + timedelta(hours=5), SilenceOptions()) is None
