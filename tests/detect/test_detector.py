"""The causal share/volume tests on seeded synthetic hourly series with seasonality and confounders."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from detect.changepoint import estimate_change_start
from detect.decide import DetectOptions
from detect.detector import TestOptions as SeriesTestOptions
from detect.detector import cusum_alarm, evaluate, evaluate_share, evaluate_volume

WEEKS = 6
HOURS = WEEKS * 168
HOUR_SHAPE = np.array([1, 0.5, 0.3, 0.3, 0.4, 1, 3, 8, 14, 16, 16, 15, 13, 14, 15, 14, 13, 11, 8, 6, 4, 3, 2, 1.5])
WEEKDAY = np.array([1.45, 1.15, 1.1, 1.05, 1.0, 0.5, 0.35])


def seasonal_rate(calls_per_day: float) -> np.ndarray:
    h = np.arange(HOURS)
    shape = HOUR_SHAPE[h % 24] / HOUR_SHAPE.sum() * WEEKDAY[(h // 24) % 7] / WEEKDAY.mean()
    return np.asarray(calls_per_day * shape, dtype=float)


def simulate(
    seed: int,
    share: float = 0.07,
    calls_per_day: float = 250.0,
    traffic: dict[int, float] | None = None,
    spike: tuple[int, int, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(topic counts, all calls) per hour. ``traffic``: hour -> multiplier of all calls; ``spike``: (start, end,
    extra topic calls per baseline topic call) added on top of the baseline share."""
    rng = np.random.default_rng(seed)
    rate = seasonal_rate(calls_per_day)
    for hour, factor in (traffic or {}).items():
        rate[hour] *= factor
    extra = np.zeros(HOURS)
    if spike is not None:
        extra[spike[0] : spike[1]] = spike[2]
    topic = rng.poisson(rate * share * (1 + extra))
    others = rng.poisson(rate * (1 - share))
    return topic.astype(float), (topic + others).astype(float)


def day_hours(day: int) -> range:
    return range(day * 24, day * 24 + 24)


TUESDAY_WEEK4 = (3 * 7 + 1) * 24


def test_confounders_do_not_alarm() -> None:
    storm = {h: 2.0 for h in day_hours(17)}
    holiday = {h: 0.3 for h in day_hours(29)}
    blip = {(23 * 24) + 14: 3.0}
    for seed in range(4):
        topic, total = simulate(seed, traffic=storm | holiday | blip)
        ev = evaluate_share(topic, total)
        assert not ev.alarm[0, 168:].any(), f"seed {seed}: false alarm at {np.flatnonzero(ev.alarm[0])}"


def test_volume_detector_ignores_a_storm_day_but_sees_a_sustained_rise() -> None:
    for day in (24, 28):  # a Thursday; a Monday after a quiet weekend (the storm is most of the 3-day window)
        _, total = simulate(0, traffic={h: 2.0 for h in day_hours(day)})
        assert not evaluate_volume(total).alarm[0, 168:].any(), day
    _, total = simulate(0, traffic={h: 1.8 for h in range(TUESDAY_WEEK4, TUESDAY_WEEK4 + 7 * 24)})
    hits = np.flatnonzero(evaluate_volume(total).alarm[0])
    assert hits.size and TUESDAY_WEEK4 <= hits[0] <= TUESDAY_WEEK4 + 72


def test_recordings_that_never_arrived_do_not_make_their_return_a_surge() -> None:
    # a week of missing data in week 2 of three: left in the baseline, it halved what week 3 is held against
    for seed in range(3):
        _, total = simulate(seed, traffic={h: 0.0 for h in range(8 * 24, 15 * 24)})
        assert not evaluate_volume(total[: 21 * 24]).alarm[0, 15 * 24 :].any(), seed


def test_share_spike_alarms_within_three_hours_with_its_start() -> None:
    start = TUESDAY_WEEK4 + 9
    delays = []
    for seed in range(8):
        topic, total = simulate(seed, spike=(start, HOURS, 2.5))  # share x3.5, like the paper-bill fee
        ev = evaluate_share(topic, total)
        first = int(np.flatnonzero(ev.alarm[0])[0])
        assert first >= start
        delays.append(first + 1 - start)  # decided at the end of bucket `first`
        change = estimate_change_start(ev.counts[0], ev.expected[0], first, first)
        assert abs(change - start) <= 2
    assert float(np.median(delays)) <= 3.0 and max(delays) <= 8, delays


def test_low_volume_topic_gets_power_from_longer_windows() -> None:
    start = TUESDAY_WEEK4 + 9
    topic, total = simulate(4, share=3 / 250, spike=(start, HOURS, 4.0))  # 3 -> 15 calls a day
    ev = evaluate_share(topic, total)
    hits = np.flatnonzero(ev.alarm[0])
    assert hits.size and start <= hits[0] <= start + 30
    assert ev.window[0, hits[0]] >= 6
    quiet, total_q = simulate(4, share=3 / 250)
    assert not evaluate_share(quiet, total_q).alarm[0, 168:].any()


def test_decisions_never_depend_on_the_future() -> None:
    topic, total = simulate(9, spike=(TUESDAY_WEEK4 + 9, TUESDAY_WEEK4 + 60, 2.5))
    full = evaluate_share(topic, total)
    for cut in (TUESDAY_WEEK4 + 5, TUESDAY_WEEK4 + 12, HOURS - 100):
        part = evaluate_share(topic[:cut], total[:cut])
        assert np.array_equal(part.alarm[0], full.alarm[0, :cut])
        assert np.allclose(part.expected[0], full.expected[0, :cut], equal_nan=True)
    vol_full = evaluate_volume(total)
    assert np.array_equal(evaluate_volume(total[:700]).alarm, vol_full.alarm[:, :700])


def test_short_history_waits_instead_of_failing() -> None:
    topic, total = simulate(0)
    ev = evaluate_share(topic[:40], total[:40])
    assert not ev.alarm.any()
    assert estimate_change_start(np.array([1.0, 2.0]), np.array([1.0, 1.0]), 1, fallback=1) == 1


def test_cusum_fires_on_a_sustained_rise_and_stops_after_it() -> None:
    from detect.detector import TestOptions

    start, end = TUESDAY_WEEK4 + 9, TUESDAY_WEEK4 + 9 + 30
    seq = TestOptions(cusum_threshold=8.5, cusum_run_alpha=3e-4, baseline_error=True)
    plain = TestOptions()
    faster = 0
    for seed in range(6):
        topic, total = simulate(seed, spike=(start, end, 1.5))  # share x2.5
        with_seq = np.flatnonzero(evaluate_share(topic, total, seq).alarm[0, 168:]) + 168
        without = np.flatnonzero(evaluate_share(topic, total, plain).alarm[0, 168:]) + 168
        assert with_seq.size and with_seq[0] >= start
        assert not (with_seq > end + 24).any(), "the statistic restarts after an alarm instead of lingering"
        faster += int(not without.size or with_seq[0] <= without[0])
        quiet, total_q = simulate(seed)
        assert not evaluate_share(quiet, total_q, seq).alarm[0, 168:].any()
    assert faster == 6


def test_cusum_forgets_a_rise_that_ended_days_ago() -> None:
    """A x5 rise below the alarm level, quiet days, then a modest return: a classic CUSUM still holds the old
    rise's evidence at a few calls a day and alarms days later; ours sums the last three days only."""
    business_day = np.r_[np.full(12, 0.05), np.zeros(12)]
    expected = np.tile(business_day, 14)[None, :]
    calls = np.zeros_like(expected)
    for d in range(3):
        calls[0, d * 24 : d * 24 + 12 : 4] = 1
    for d in range(5, 8):
        calls[0, d * 24 + 3 : d * 24 + 12 : 4] = 1
    opts = SeriesTestOptions(cusum_threshold=8.0, cusum_run_alpha=1e-2, min_excess=3.0)
    disp = np.full(expected.shape, 0.02)
    classic, run = cusum_alarm(calls, expected, replace(opts, cusum_max_run=10**6), disp)
    assert classic.any() and run[classic].max() > 72
    assert not cusum_alarm(calls, expected, opts, disp)[0].any()


def test_a_change_seen_in_its_first_hour_starts_at_that_hour() -> None:
    # the break search keeps two hours per segment; a one-hour extreme must not be dated to the ordinary hour before
    for seed in range(10):
        rng = np.random.default_rng(seed)
        x, e = rng.poisson(5.0, 300).astype(float), np.full(300, 5.0)
        x[250] = 60.0
        assert estimate_change_start(x, e, 250, fallback=250) == 250
        x[251] = 55.0
        assert estimate_change_start(x, e, 251, fallback=251) == 250


def _new_word(calls_per_hour: list[int]) -> np.ndarray:
    """A week of a phrase never said before, then ``calls_per_hour`` in its last hours."""
    counts = np.zeros(168)
    counts[168 - len(calls_per_hour) :] = calls_per_hour
    return counts


def test_a_new_word_said_hour_after_hour_needs_four_calls_bunched_calls_five() -> None:
    opts = DetectOptions().phrase
    expected = np.full(168, 0.01)

    def fires(calls: list[int]) -> bool:
        return bool(evaluate(_new_word(calls), expected, opts).alarm[0, -1])

    assert fires([1, 2, 1])  # four callers over three hours: a trend
    assert not fires([0, 2, 2])  # four callers in two hours: could be one talkative afternoon
    assert not fires([1, 1, 1])  # three calls are not enough however spread
    assert fires([0, 3, 2])  # five calls: the usual bar
    unspread = replace(opts, spread_excess=float("inf"))
    assert not evaluate(_new_word([1, 2, 1]), expected, unspread).alarm[0, -1]
