"""Per-series burstiness read off history: bursty series score high, steady ones near zero, causally."""

from __future__ import annotations

import numpy as np

from detect.dispersion import history_dispersion
from detect.hourly import FloatArray

DAYS = 42
HOURS = DAYS * 24


def series(
    seed: int, sigma: float, calls_per_day: float = 4000.0, share: float = 0.05
) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    hour = np.arange(HOURS) % 24
    rate = np.where((hour >= 8) & (hour < 20), calls_per_day / 12, 1.0)
    wander = np.repeat(np.exp(sigma * rng.standard_normal(DAYS)), 24)  # swings come by calendar day
    topic = rng.poisson(rate * share * wander)
    total = topic + rng.poisson(rate * (1 - share))
    return topic.astype(float), total.astype(float)


def test_a_bursty_topic_scores_far_above_a_steady_one() -> None:
    steady = history_dispersion(*series(1, 0.0))[0, -1]
    bursty = history_dispersion(*series(1, 0.35))[0, -1]
    assert steady < 0.02 and 0.06 < bursty < 0.3  # lognormal sigma 0.35: alpha = exp(sigma^2) - 1 = 0.13


def test_calendar_days_matter_and_the_alignment_follows_first_hour() -> None:
    topic, total = series(2, 0.35)
    aligned = history_dispersion(topic, total)[0, -1]
    shifted = history_dispersion(topic[12:], total[12:], first_hour=12)[0, -1]
    assert shifted == aligned  # same calendar days, loaded from a different first hour
    misaligned = history_dispersion(topic[12:], total[12:], first_hour=0)[0, -1]
    assert misaligned < aligned  # 24-hour blocks across two days average two days' swings away


def test_history_only_and_nothing_before_five_days() -> None:
    topic, total = series(3, 0.35)
    full = history_dispersion(topic, total)
    cut = 20 * 24 + 7
    assert np.array_equal(history_dispersion(topic[:cut], total[:cut]), full[:, :cut])
    assert not full[0, : 6 * 24].any() and full[0, 7 * 24] > 0
