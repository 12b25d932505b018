"""Time-of-day score: finds a bump that is ordinary for the hour it copies but not for its own hour, stays quiet on
a plain daily rhythm, needs a regular spacing, and is causal."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from detect.streaming import causal_alarms
from detect.streaming_seasonal import daily_period, seasonal_relative, seasonal_residual

PER_DAY = 96  # 15-minute rows


def _stamps(n: int, minutes: int = 15) -> list[datetime]:
    return [datetime(2024, 1, 1) + timedelta(minutes=minutes * i) for i in range(n)]


def _daily(n: int, seed: int = 5) -> np.ndarray:
    phase = 2 * np.pi * np.arange(n) / PER_DAY
    rate = 30.0 + 25.0 * np.sin(phase)  # 5 at night, 55 at the busiest hour
    return np.random.default_rng(seed).poisson(rate).astype(float)


def _night_bump(x: np.ndarray, day: int) -> tuple[int, int]:
    """Adds a few hours at daytime level in the quietest hours of `day`."""
    a = day * PER_DAY + int(0.7 * PER_DAY)
    b = a + 16
    x[a:b] += 30.0
    return a, b


def test_daily_period_from_regular_spacing_only() -> None:
    assert daily_period(_stamps(500)) == PER_DAY
    assert daily_period(_stamps(500, minutes=5)) == 288
    assert daily_period(_stamps(500, minutes=7)) == 0  # 7 minutes do not divide a day
    irregular = [datetime(2024, 1, 1) + timedelta(minutes=int(m)) for m in np.cumsum([5, 15, 5, 30] * 50)]
    assert daily_period(irregular) == 0
    assert daily_period(_stamps(2)) == 0


def test_residual_compares_with_the_same_hour_of_earlier_days() -> None:
    x = np.tile(np.arange(PER_DAY, dtype=float), 10)
    x[9 * PER_DAY + 10] += 96.0
    resid, ok = seasonal_residual(x, PER_DAY, 1, 7)
    assert not ok[: 2 * PER_DAY].any() and ok[4 * PER_DAY :].all()
    assert np.allclose(resid[4 * PER_DAY : 9 * PER_DAY + 10], 0.0)
    assert resid[9 * PER_DAY + 10] == 96.0


def test_night_bump_ordinary_by_day_raises_an_alarm() -> None:
    x = _daily(20 * PER_DAY)
    a, b = _night_bump(x, 16)
    stamps = _stamps(x.size)
    assert seasonal_relative(x, stamps, 12, 7, 3.0)[a:b].max() >= 1.0
    assert any(a <= t < b for t in causal_alarms(x, stamps))
    assert x[a:b].max() < x[: a - PER_DAY].max()  # within the daily swing: no new high


def test_plain_daily_rhythm_stays_quiet() -> None:
    x = _daily(20 * PER_DAY, seed=9)
    rel = seasonal_relative(x, _stamps(x.size), 12, 7, 3.0)
    assert rel.max() < 1.0


def test_an_earlier_incident_does_not_hide_a_later_weaker_one() -> None:
    x = _daily(24 * PER_DAY, seed=13)
    x[10 * PER_DAY + 70 : 10 * PER_DAY + 90] += 150.0  # a strong incident of five hours
    a, b = _night_bump(x, 20)
    rel = seasonal_relative(x, _stamps(x.size), 12, 7, 3.0)
    assert rel[a:b].max() >= 1.0


def test_time_of_day_score_is_causal() -> None:
    x = _daily(16 * PER_DAY, seed=21)
    y = x.copy()
    cut = 12 * PER_DAY
    y[cut:] = _daily(4 * PER_DAY, seed=22) + 80.0
    stamps = _stamps(x.size)
    assert np.array_equal(
        seasonal_relative(x, stamps, 12, 7, 3.0)[:cut], seasonal_relative(y, stamps, 12, 7, 3.0)[:cut]
    )
    assert [t for t in causal_alarms(x, stamps) if t < cut] == [t for t in causal_alarms(y, stamps) if t < cut]
