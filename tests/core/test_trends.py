"""Trend series, the expected band, grouping and the Pareto report on a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from core.db import Database
from core.errors import InvalidInput, NotFound
from core.models import TOTAL, VolumeBucket
from core.trends import BucketSize, TrendWindow, median_expected, pareto, resolve_window, topic_series, topic_trend

START = datetime(2026, 9, 7, tzinfo=UTC)


def _fill(db: Database, weeks: int = 5) -> None:
    with db.session() as s:
        for h in range(weeks * 168):
            t = START + timedelta(hours=h)
            total = 30 if 9 <= t.hour < 17 else 3
            spike = t >= START + timedelta(weeks=weeks - 1)
            s.add(VolumeBucket(bucket_start=t, topic_id=TOTAL, queue="billing", language="en", count=total))
            s.add(
                VolumeBucket(
                    bucket_start=t,
                    topic_id="fee",
                    queue="billing",
                    language="en",
                    count=(total // 3 if spike else total // 10),
                )
            )
            s.add(VolumeBucket(bucket_start=t, topic_id="other", queue="billing", language="en", count=1))


def test_median_expected_uses_same_hour_of_previous_weeks() -> None:
    counts = np.tile(np.r_[np.ones(12), 3 * np.ones(12)], 7 * 3).astype(float)
    totals = np.full(counts.shape, 10.0)
    expected = median_expected(counts, totals)[0]
    assert np.isnan(expected[:168]).all()
    assert expected[168 + 13] == pytest.approx(3.0) and expected[168 + 1] == pytest.approx(1.0)


def test_series_band_and_spike(db: Database) -> None:
    _fill(db)
    window = TrendWindow(BucketSize.HOUR, START + timedelta(weeks=3), START + timedelta(weeks=5))
    _, _, points = topic_series(db.sessions(), "fee", window)
    before, after = points[10], points[168 + 10]  # 10:00 on a Monday, before and during the spike
    assert before.count == 3 and before.total == 30 and before.expected == pytest.approx(3.0)
    assert before.lower is not None and before.upper is not None and before.lower <= 3 <= before.upper
    assert after.count == 10 and after.upper is not None and after.count > after.upper
    daily = topic_trend(db.sessions(), "fee", TrendWindow(BucketSize.DAY, START + timedelta(weeks=4)))
    assert len(daily.points) == 7 and daily.points[0].total == 8 * 30 + 16 * 3
    with pytest.raises(NotFound):
        topic_trend(db.sessions(), "nope", window)


def test_window_defaults_and_limits(db: Database) -> None:
    _fill(db, weeks=2)
    since, until = resolve_window(db.sessions(), TrendWindow(BucketSize.HOUR))
    assert until == START + timedelta(weeks=2) and since == until - timedelta(days=7)
    with pytest.raises(InvalidInput):
        resolve_window(db.sessions(), TrendWindow(BucketSize.HOUR, START, START - timedelta(days=1)))
    with pytest.raises(InvalidInput):
        resolve_window(db.sessions(), TrendWindow(BucketSize.HOUR, START - timedelta(days=400), START))


def test_pareto_ranks_topics(db: Database) -> None:
    _fill(db, weeks=1)
    rows = pareto(db.sessions())
    assert [r.topic for r in rows] == ["fee", "other"]
    assert rows[-1].cumulative_share == pytest.approx(1.0) and rows[0].share > 0.5
