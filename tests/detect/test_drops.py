"""A queue whose calls stop is one high `volume` alert named by the queue, within hours; ordinary quiet is not."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import delete, insert, select, update

from core.db import Database
from core.models import TOTAL, Alert, AlertKind, AlertStatus, Severity, VolumeBucket
from detect.drops import DropOptions, low_since, lower_tail, place_drops
from detect.engine import run_detection
from detect.incidents import BACK_TO_BASELINE, STILL_ELEVATED
from tests.detect.test_engine import HOURS, SPIKE, START, alerts, bucket_rows, end_of, rate, write_world


def test_lower_tail_is_the_poisson_cdf() -> None:
    assert np.allclose(lower_tail(np.array([0.0, 2.0]), np.array([3.0, 3.0])), [np.exp(-3), np.exp(-3) * 8.5])


def test_a_queue_that_stops_alarms_and_one_at_its_usual_share_does_not() -> None:
    rng = np.random.default_rng(5)
    lam = rate(900.0)
    counts = np.vstack([rng.poisson(lam * 0.5), rng.poisson(lam * 0.5)]).astype(float)
    counts[1, SPIKE:] = 0.0  # from 09:00 on a Tuesday nobody reaches the second queue
    drops = place_drops((("queue", "billing"), ("queue", "shop")), counts, counts.sum(axis=0), DropOptions())
    assert not drops.alarm[0].any()
    first = int(np.flatnonzero(drops.alarm[1])[0])
    assert first - SPIKE + 1 <= 3  # within three hours of the change
    assert low_since(drops.counts[1], drops.expected[1], first, int(drops.window[1, first]), 0.2) == SPIKE


def test_the_engine_names_the_queue_callers_cannot_reach(db: Database) -> None:
    write_world(db, 3, [])
    with db.session() as session:  # an IVR change leaves the shop queue without calls from the spike on
        gone = START + timedelta(hours=SPIKE)
        session.execute(delete(VolumeBucket).where(VolumeBucket.queue == "shop", VolumeBucket.bucket_start >= gone))
    run_detection(db, now=end_of(HOURS), replay=True)
    (alert,) = alerts(db)
    assert (alert.kind, alert.dimension, alert.severity) == (AlertKind.VOLUME, {"queue": "shop"}, Severity.HIGH)
    assert alert.change_at == START + timedelta(hours=SPIKE)
    assert alert.detected_at <= end_of(SPIKE + 2)
    assert alert.ratio == 0.0
    # how big: the shop queue's usual calls (~190 a day) that did not come while the drop alarmed (days of them;
    # the baseline takes the drop in after a few days, as it takes in any lasting change)
    assert 3 * 190 <= alert.excess_calls <= 7 * 190, alert.excess_calls


@pytest.mark.parametrize(
    ("calls_per_day", "within_hours"),
    [
        (300.0, 3),  # a porting line whose calls match no topic: only the totals know them
        (40.0, 24),  # a small one: fewer than 30 calls in any 12 hours
    ],
)
def test_a_queue_whose_calls_match_no_topic_is_watched_too(
    db: Database, calls_per_day: float, within_hours: int
) -> None:
    write_world(db, 7, [])
    porting = np.random.default_rng(7).poisson(rate(calls_per_day))
    porting[SPIKE:] = 0
    with db.session() as session:
        session.execute(insert(VolumeBucket), bucket_rows(TOTAL, "porting", porting))
    run_detection(db, now=end_of(HOURS), replay=True)
    (alert,) = alerts(db)
    assert (alert.kind, alert.dimension) == (AlertKind.VOLUME, {"queue": "porting"})
    assert alert.change_at == START + timedelta(hours=SPIKE)
    assert alert.detected_at <= end_of(SPIKE + within_hours - 1)


def _relabel(db: Database, queue: str, language: str) -> None:
    with db.session() as session:
        session.execute(update(VolumeBucket).where(VolumeBucket.queue == queue).values(language=language))


def test_a_language_callers_cannot_reach_is_named_and_a_one_language_line_is_one_alert(db: Database) -> None:
    write_world(db, 4, [])
    _relabel(db, "billing", "hr")  # billing's callers speak Croatian; the other queues English
    gone = START + timedelta(hours=SPIKE)
    with db.session() as session:  # the Croatian line of the IVR leads nowhere
        session.execute(delete(VolumeBucket).where(VolumeBucket.language == "hr", VolumeBucket.bucket_start >= gone))
    run_detection(db, now=end_of(HOURS), replay=True)
    assert [(a.kind, a.dimension) for a in alerts(db)] == [(AlertKind.VOLUME, {"queue": "billing"})]


def test_a_language_whose_calls_stop_across_shared_queues_is_named_by_the_language(db: Database) -> None:
    write_world(db, 5, [])
    with db.session() as session:
        session.execute(update(VolumeBucket).values(language="hr"))
    write_world(db, 6, [])  # English callers in the same queues
    gone = START + timedelta(hours=SPIKE)
    with db.session() as session:
        session.execute(delete(VolumeBucket).where(VolumeBucket.language == "hr", VolumeBucket.bucket_start >= gone))
    run_detection(db, now=end_of(HOURS), replay=True)
    (alert,) = alerts(db)
    assert (alert.kind, alert.dimension, alert.change_at) == (AlertKind.VOLUME, {"language": "hr"}, gone)


@pytest.mark.parametrize(("back", "verdict"), [(True, BACK_TO_BASELINE), (False, STILL_ELEVATED)])
def test_a_resolved_drop_is_judged_on_whether_the_calls_came_back(db: Database, back: bool, verdict: str) -> None:
    write_world(db, 3, [])
    restored = SPIKE + 8
    with db.session() as session:  # the shop queue loses its calls; the IVR is fixed eight hours later, or not
        gone = VolumeBucket.bucket_start >= START + timedelta(hours=SPIKE)
        if back:
            gone &= VolumeBucket.bucket_start < START + timedelta(hours=restored)
        session.execute(delete(VolumeBucket).where(VolumeBucket.queue == "shop", gone))
    run_detection(db, now=end_of(restored - 1))
    with db.session() as session:
        alert = session.scalars(select(Alert)).one()
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, end_of(restored - 1)
    run_detection(db, now=end_of(restored + 24))
    with db.session() as session:
        assert session.scalars(select(Alert.recovery)).one() == verdict
