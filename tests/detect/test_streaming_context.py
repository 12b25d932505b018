"""Context novelty: familiar shapes score low, a never-seen shape scores high, and the future never moves a score."""

from __future__ import annotations

import numpy as np

from detect.streaming import StreamOptions, causal_alarms
from detect.streaming_context import context_feature_count, context_novelty, quantise_running_range


def _square_wave(n: int, period: int = 40) -> np.ndarray:
    return np.where((np.arange(n) // (period // 2)) % 2 == 0, 10.0, 20.0)


def test_bins_use_only_the_range_seen_so_far() -> None:
    q = quantise_running_range(np.array([0.0, 10.0, 5.0, 100.0, 5.0]), 4)
    assert q.tolist() == [0, 3, 2, 3, 0]


def test_repeated_pattern_becomes_familiar_and_a_new_shape_is_novel() -> None:
    x = _square_wave(2000)
    x[1500:1530] = 15.0  # a level between the two the wave has shown: a shape never seen
    nov = context_novelty(x)
    assert nov[0] == 1.0
    assert nov[400:1500].max() == 0.0
    assert nov[1500:1510].max() >= 0.7


def test_novelty_is_causal() -> None:
    rng = np.random.default_rng(5)
    x = rng.poisson(30.0, 3000).astype(float)
    y = x.copy()
    y[2000:] = rng.poisson(90.0, 1000)
    assert np.array_equal(context_novelty(x)[:2000], context_novelty(y)[:2000])


def test_broken_rhythm_raises_an_alarm_the_robust_scores_miss() -> None:
    x = _square_wave(4000) + np.random.default_rng(2).normal(0.0, 0.3, 4000)
    x[3000:3060] = 15.0
    with_context = causal_alarms(x)
    without = causal_alarms(x, opts=StreamOptions(context_bins=0))
    assert any(3000 <= a <= 3010 for a in with_context)
    assert not any(3000 <= a <= 3010 for a in without)


def test_alarms_with_context_are_causal_under_any_future() -> None:
    rng = np.random.default_rng(9)
    x = _square_wave(3000) + rng.normal(0.0, 1.0, 3000)
    x[1800:1830] += 25.0
    for seed in range(3):
        y = x.copy()
        y[2200:] = np.random.default_rng(seed).normal(50.0, 30.0, 800)
        assert [a for a in causal_alarms(x) if a < 2200] == [a for a in causal_alarms(y) if a < 2200]


def test_feature_count_matches_the_novelty_steps() -> None:
    assert context_feature_count(5) == 16
    x = _square_wave(600)
    x[500:520] = 15.0
    nov = context_novelty(x, 16, 5)
    assert np.allclose(nov * context_feature_count(5), np.round(nov * context_feature_count(5)))


def test_novelty_equal_to_the_alarm_share_raises_an_alarm() -> None:
    # a context share of exactly 10/16 = 0.625 reaches a 0.625 bar; the score must not tie just below it
    x = _square_wave(4000) + np.random.default_rng(2).normal(0.0, 0.3, 4000)
    x[3000:3060] = 15.0
    nov = context_novelty(x)
    bar = float(nov[3000:3010].max())
    assert any(3000 <= a <= 3010 for a in causal_alarms(x, opts=StreamOptions(context_threshold=bar)))
    assert not any(3000 <= a <= 3010 for a in causal_alarms(x, opts=StreamOptions(context_threshold=bar + 0.05)))
