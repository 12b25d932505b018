"""Causal alarms: found where a planted change is, silent on plain noise, and causal (the future cannot move them)."""

from __future__ import annotations

import numpy as np

from detect.streaming import StreamOptions, causal_alarms, robust_scores, select_alarms


def _noise(n: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).poisson(40.0, n).astype(float)


def test_planted_spike_raises_an_alarm_at_its_start() -> None:
    x = _noise(3000)
    x[2000:2030] += 60.0
    alarms = causal_alarms(x)
    assert any(2000 <= a <= 2005 for a in alarms)


def test_alarms_are_causal() -> None:
    x = _noise(3000)
    x[2000:2030] += 60.0
    # same length so the length-derived time scales match; only rows after 2100 differ
    y = x.copy()
    y[2100:] = _noise(900, seed=99)
    opts = StreamOptions()
    before = [a for a in causal_alarms(x, opts=opts) if a < 2100]
    assert before == [a for a in causal_alarms(y, opts=opts) if a < 2100]


def test_scores_use_only_the_past() -> None:
    x = _noise(1000)
    y = x.copy()
    y[600:] += 500.0
    assert np.array_equal(robust_scores(x)[:600], robust_scores(y)[:600])


def test_no_alarm_in_warm_up_and_few_on_noise() -> None:
    x = _noise(5000, seed=3)
    alarms = causal_alarms(x)
    assert all(a >= 500 for a in alarms)
    assert len(alarms) <= 12


def test_flat_and_gappy_series_do_not_crash() -> None:
    assert causal_alarms(np.zeros(400)) == []
    x = np.full(400, 5.0)
    x[100:120] = np.nan
    assert causal_alarms(x) == []
    assert causal_alarms(np.array([1.0, 2.0])) == []
    assert causal_alarms(np.array([])) == []


def test_level_shift_too_small_for_one_row_raises_an_alarm() -> None:
    x = _noise(4000, seed=11)
    x[3000:] += 8.0  # about 1.3 standard deviations: unremarkable per row, clear in a 20-row mean
    alarms = causal_alarms(x)
    assert any(3000 <= a <= 3040 for a in alarms)


def test_warm_up_of_a_long_series_is_capped() -> None:
    x = _noise(20000, seed=4)
    x[1200:1230] += 80.0  # past the 1000-row cap, inside 10% of the series
    alarms = causal_alarms(x)
    assert all(a >= 1000 for a in alarms)
    assert any(1200 <= a <= 1205 for a in alarms)


def test_short_burst_below_the_spike_bar_raises_an_alarm_through_the_short_level() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(100.0, 10.0, 4000)
    x[:2800:300] += 60.0  # isolated single-row spikes set a high bar for the spike score
    x[3000:3006] += 25.0  # six rows at 2.5 sigma: none beats the spikes, their mean stands out within a few rows
    # context novelty off in both: it would see the burst too, and this is about the level scores
    short = causal_alarms(x, opts=StreamOptions(context_bins=0))
    long_only = causal_alarms(x, opts=StreamOptions(context_bins=0, short_level_rows=0))
    assert any(3000 <= a <= 3008 for a in short)
    assert not any(3000 <= a <= 3008 for a in long_only)


def test_alarm_budget_raises_the_bar_after_the_free_alarms() -> None:
    scores = np.zeros(1000)
    scores[100:1000:100] = 1.02  # nine marginal alarms, far enough apart to clear the cool-down
    scores[950] = 1.5
    opts = StreamOptions(free_alarms=4, alarm_step=0.03)  # the fifth marginal alarm faces 1.03
    assert select_alarms(scores, opts) == [100, 200, 300, 400, 950]
    assert select_alarms(scores, StreamOptions(alarm_step=0.0)) == [*range(100, 1000, 100), 950]


def test_alarm_budget_counts_earlier_alarms_only() -> None:
    scores = np.zeros(1000)
    scores[100:600:100] = 1.02
    later = scores.copy()
    later[700:1000:50] = 5.0  # later alarms cannot move the earlier ones
    opts = StreamOptions(free_alarms=2, alarm_step=0.03)
    early = select_alarms(scores, opts)
    assert early == [100, 200]
    assert [a for a in select_alarms(later, opts) if a < 700] == early
