"""Recovery after resolve stays honest when an incident runs for weeks and the baselines have adapted to it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete, insert, select

from core.db import Database
from core.models import TOTAL, Alert, AlertStatus, AppMeta, VolumeBucket
from detect.engine import CONTEXT_HOURS, run_detection
from detect.incidents import BACK_TO_BASELINE, STILL_ELEVATED
from tests.detect.test_engine import HOUR_SHAPE, START

WEEKS = 9
HOURS = WEEKS * 168
CHANGE = 14 * 24 + 9  # week 3, Monday 09:00
RESOLVED = CHANGE + 24 * 24  # ops resolve after three and a half weeks


def write(db: Database, seed: int, end: int, second: int | None = None) -> None:
    """Topic "a" at 8% of 800 calls a day, x3 from CHANGE until ``end``; ``second``: x3 more for three days."""
    rng = np.random.default_rng(seed)
    h = np.arange(HOURS)
    lam = 800.0 * HOUR_SHAPE[h % 24] / HOUR_SHAPE.sum() * np.array([1.4, 1.1, 1.1, 1.0, 1.0, 0.5, 0.4])[(h // 24) % 7]
    factor = np.where((h >= CHANGE) & (h < end), 3.0, 1.0)
    if second is not None:
        factor = np.where((h >= second) & (h < second + 72), factor * 3.0, factor)
    topic = rng.poisson(lam * 0.08 * factor)
    total = topic + rng.poisson(lam * 0.92)
    rows: list[dict[str, Any]] = []
    for name, counts in (("a", topic), (TOTAL, total)):
        rows += [
            {
                "bucket_start": START + timedelta(hours=i),
                "topic_id": name,
                "queue": "q",
                "language": "en",
                "count": int(c),
            }
            for i, c in enumerate(counts)
            if c
        ]
    with db.session() as session:
        session.execute(insert(VolumeBucket), rows)


def recovery_after_resolve(db: Database) -> str | None:
    run_detection(db, now=START + timedelta(hours=RESOLVED))
    with db.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.topic_id == "a"
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, START + timedelta(hours=RESOLVED)
    run_detection(db, now=START + timedelta(hours=RESOLVED + 48))
    with db.session() as session:
        return session.scalars(select(Alert.recovery)).one()


def test_a_problem_nobody_fixed_is_still_elevated_after_weeks(db: Database) -> None:
    write(db, 1, end=HOURS)
    assert recovery_after_resolve(db) == STILL_ELEVATED


def test_a_fixed_problem_is_back_to_baseline_after_weeks(db: Database) -> None:
    write(db, 2, end=RESOLVED - 2)
    assert recovery_after_resolve(db) == BACK_TO_BASELINE


def test_a_live_run_weeks_after_the_change_still_reads_the_week_before_it(db: Database) -> None:
    # a live run loads about six weeks before its first bucket; this incident's change lies further back by then
    write(db, 1, end=HOURS)
    assert recovery_after_resolve(db) == STILL_ELEVATED
    for now in (CHANGE + CONTEXT_HOURS + 50, HOURS):
        run_detection(db, now=START + timedelta(hours=now))
    with db.session() as session:
        assert session.scalars(select(Alert.recovery)).one() == STILL_ELEVATED


@pytest.mark.parametrize("days", [3, 10, 15])
def test_a_new_rise_after_a_resolved_shift_is_a_new_alert(db: Database, days: int) -> None:
    """A resolved incident whose level stayed up is watched for recovery, but does not stay live (nor come back
    to life while its fix is judged): days later a second rise of the same topic is news, not an update of the
    closed alert."""
    second = RESOLVED + days * 24 + 9
    write(db, 1, end=HOURS, second=second)
    assert recovery_after_resolve(db) == STILL_ELEVATED
    run_detection(db, now=START + timedelta(hours=HOURS))
    with db.session() as session:
        alerts = list(session.scalars(select(Alert).order_by(Alert.detected_at)))
    assert [a.status for a in alerts] == [AlertStatus.RESOLVED, AlertStatus.OPEN]
    assert alerts[0].recovery == STILL_ELEVATED
    assert START + timedelta(hours=second) < alerts[1].detected_at <= START + timedelta(hours=second + 24)


def test_a_resolve_does_not_reach_back_into_the_hours_before_it(db: Database) -> None:
    """Catching up over hours before a resolve decides them as they were: open. A run in steps that saw the
    resolve only when it happened gives the same alerts."""
    write(db, 1, end=HOURS)
    resolve_at = HOURS - 10

    def alerts_after(steps: list[int]) -> list[tuple[datetime, str]]:
        with db.session() as session:
            session.execute(delete(Alert))
            session.execute(delete(AppMeta))
        run_detection(db, now=START + timedelta(hours=CHANGE + 72))
        for hour in steps:
            if hour == resolve_at:
                run_detection(db, now=START + timedelta(hours=hour))
            with db.session() as session:
                for alert in session.scalars(select(Alert)):
                    alert.status, alert.resolved_at = AlertStatus.RESOLVED, START + timedelta(hours=resolve_at)
            run_detection(db, now=START + timedelta(hours=HOURS))
        with db.session() as session:
            return [(a.detected_at, a.incident_key) for a in session.scalars(select(Alert).order_by(Alert.id))]

    assert alerts_after([HOURS]) == alerts_after([resolve_at])


FRIDAY_EVENING = (5 * 7 + 4) * 24 + 17  # week 6, Friday 17:00


@pytest.mark.parametrize(("fixed", "verdict"), [(True, BACK_TO_BASELINE), (False, STILL_ELEVATED)])
def test_a_resolve_on_friday_evening_is_judged_on_the_calls_after_it(db: Database, fixed: bool, verdict: str) -> None:
    # the day before the resolve was busy with the problem; the quiet evening and Saturday after it are what tell
    # whether the fix worked, once they have had calls enough to show the problem
    write(db, 2, end=FRIDAY_EVENING if fixed else HOURS)
    run_detection(db, now=START + timedelta(hours=FRIDAY_EVENING))
    with db.session() as session:
        alert = session.scalars(select(Alert)).one()
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, START + timedelta(hours=FRIDAY_EVENING)
    readings = []
    for hours_after in (2, 30):
        run_detection(db, now=START + timedelta(hours=FRIDAY_EVENING + hours_after))
        with db.session() as session:
            readings.append(session.scalars(select(Alert.recovery)).one())
    assert readings == [None, verdict]
