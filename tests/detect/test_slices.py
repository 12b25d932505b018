"""Where a rise sits, and the level before a change, on hand-made numbers."""

from __future__ import annotations

from collections import Counter

import numpy as np

from detect.detector import SegmentRates
from detect.slices import (
    concentration_in_calls,
    concentration_llr,
    expected_before_change,
    recent_day,
    rose_apart,
)


def rates(baseline: float, current: float) -> SegmentRates:
    return SegmentRates(baseline, current, current / baseline, current - baseline)


def test_an_even_rise_is_not_concentrated_and_a_local_one_is() -> None:
    whole = rates(10.0, 30.0)
    assert concentration_llr(rates(4.0, 12.0), whole, 24) < 1e-9  # the slice rose exactly like the topic
    assert concentration_llr(rates(4.0, 24.0), whole, 24) > 50.0  # all the excess in one slice


def test_a_slice_is_named_only_when_it_rose_well_beyond_the_rest() -> None:
    whole = rates(10.0, 30.0)
    # a fee routed like the topic's usual calls: the busiest queue carries 90% of the excess, yet rose only 1.6x
    # as much as the other queues did; over three days "it sits there" still beats "even" by ten nats
    busiest = rates(8.5, 26.5)
    assert concentration_llr(busiest, whole, 72) > 4.0
    assert not rose_apart(busiest, whole, 2.0)
    assert rose_apart(rates(4.0, 22.0), rates(10.0, 30.0), 2.0)  # 4.5x its level against 1.3x elsewhere
    assert rose_apart(rates(8.5, 18.5), rates(10.0, 20.0), 2.0)  # the rest did not rise at all
    assert not rose_apart(rates(8.5, 8.0), rates(10.0, 9.0), 2.0)  # nothing rose


def test_the_level_before_the_change_caps_an_adapted_baseline() -> None:
    totals = np.full(400, 100.0)
    expected = np.r_[np.full(200, 5.0), np.full(200, 12.0)]  # the baseline has absorbed the incident
    capped = expected_before_change(expected, totals, change=200, lo=376, t=399)
    assert np.allclose(capped[376:], 5.0) and np.allclose(capped[:376], expected[:376])
    lower = np.r_[np.full(200, 5.0), np.full(200, 3.0)]
    assert np.allclose(expected_before_change(lower, totals, 200, 376, 399)[376:], 3.0)


def test_hours_without_a_baseline_do_not_dilute_the_level_before_the_change() -> None:
    totals = np.full(400, 100.0)
    expected = np.r_[np.full(96, np.nan), np.full(104, 5.0), np.full(200, 12.0)]  # no baseline in the first 96 h
    capped = expected_before_change(expected, totals, change=200, lo=376, t=399)
    assert np.allclose(capped[376:], 5.0)  # not 5 * 104 / 168


def test_calls_that_sit_in_one_queue_are_named_only_on_evidence() -> None:
    whole = Counter({"billing": 400, "tech": 300, "sales": 300})
    llr, value = concentration_in_calls(Counter({"tech": 9, "sales": 1}), whole, 0.7)
    assert value == "tech" and llr > 4.0  # 90% of the problem's calls where 30% of all calls go
    assert concentration_in_calls(Counter({"billing": 3, "tech": 2}), whole, 0.7) == (0.0, None)  # no majority
    llr, value = concentration_in_calls(Counter({"billing": 3}), whole, 0.7)
    assert value == "billing" and llr < 4.0  # three calls in the busiest queue: no evidence of where


def test_the_last_day_holds_a_day_of_calls() -> None:
    weekday, weekend = np.full(24, 100.0), np.full(24, 20.0)
    week = np.concatenate([weekday] * 5 + [weekend] * 2)  # Monday .. Sunday
    t = week.size - 1
    assert recent_day(week, t - 48, 24) == t - 48 - 23  # a weekday: the last 24 hours
    friday = recent_day(week, t, 24)  # Sunday night reaches back into Friday for a weekday's calls
    assert week[friday : t + 1].sum() >= 2400 > week[friday + 1 : t + 1].sum()
    assert recent_day(np.zeros(30), 29, 24) == 6  # no calls at all: the plain 24 hours
    assert recent_day(week, 5, 24) == 0


def test_a_surge_that_ended_does_not_stretch_the_last_day_back_into_it() -> None:
    calls = np.full(7 * 24, 100.0)
    calls[3 * 24 : 6 * 24] *= 3  # three days at x3, then an ordinary day
    assert recent_day(calls, calls.size - 1, 24) == calls.size - 24
