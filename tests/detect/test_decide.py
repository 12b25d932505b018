"""Decision options of the product: what it takes for a phrase to count as an emerging problem."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from detect.decide import Decider, DetectOptions
from detect.detector import evaluate_share
from detect.hourly import HourlyData

HISTORY = 4 * 168 + 24


def phrase_data(phrases: tuple[str, ...], counts: np.ndarray) -> HourlyData:
    """Hourly data of phrases alone, among 100 calls an hour from a Monday on."""
    hours = counts.shape[1]
    empty = np.zeros((0, hours))
    return HourlyData(
        datetime(2026, 9, 7, tzinfo=UTC), np.full(hours, 100.0), (), empty, empty, phrases, counts, (), empty
    )


def first_alarm(arrivals: list[int]) -> int | None:
    """Hours after a new phrase's first hour until the phrase test fires (None: it never does), with 100 calls
    an hour and the phrase never heard in four weeks before."""
    hours = HISTORY + 48
    totals = np.full(hours, 100.0)
    counts = np.zeros(hours)
    counts[HISTORY : HISTORY + len(arrivals)] = arrivals
    alarm = evaluate_share(counts, totals, DetectOptions().phrase).alarm[0]
    fired = np.flatnonzero(alarm[HISTORY:])
    return int(fired[0]) if fired.size else None


@pytest.mark.parametrize(
    ("arrivals", "hours"),
    [
        ([3, 2], 1),  # five calls over two hours: an emerging problem from its second hour
        ([0, 3, 2], 2),
        ([2, 2, 1], 2),
        ([5], None),  # one busy hour and nothing after: a blip
        ([4, 1], None),  # a single call outside the busiest hour is not yet a trend...
        ([4, 1, 1], 2),  # ...a second one is
        ([2, 2], None),  # four calls are not five
    ],
)
def test_a_new_phrase_needs_five_calls_two_of_them_outside_its_busiest_hour(
    arrivals: list[int], hours: int | None
) -> None:
    assert first_alarm(arrivals) == hours


def phrase_alarms(everyday_tail: list[int], new_arrivals: list[int], other_phrases: int) -> tuple[bool, bool]:
    """Whether an everyday phrase (~7 calls a day) with a busy afternoon, and a new phrase, alarm on the test day
    when ``other_phrases`` more phrases are in everyday use (each at five calls a day)."""
    hours = HISTORY + 48
    everyday = np.random.default_rng(1).poisson(0.3, hours).astype(float)
    everyday[HISTORY + 14 : HISTORY + 14 + len(everyday_tail)] = everyday_tail
    new = np.zeros(hours)
    new[HISTORY : HISTORY + len(new_arrivals)] = new_arrivals
    other = np.zeros(hours)
    other[9::24] = 5.0
    counts = np.vstack([everyday, new, *[other] * other_phrases])
    data = phrase_data(tuple(f"phrase {i}" for i in range(len(counts))), counts)
    alarm = Decider(data, DetectOptions(), 0).phrase.alarm[:, HISTORY:]
    return bool(alarm[0].any()), bool(alarm[1].any())


def test_the_more_phrases_are_tested_the_more_a_busy_afternoon_must_stand_out() -> None:
    busy_afternoon = [2, 3, 2, 3, 2, 2]  # 14 calls in six hours where about two are usual
    assert phrase_alarms(busy_afternoon, [], other_phrases=0) == (True, False)
    # among 600 phrases in use, one of them has such an afternoon every few weeks by chance
    assert phrase_alarms(busy_afternoon, [3, 2], other_phrases=599) == (False, True)  # a new one still counts
    assert phrase_alarms([3, 3, 3, 3, 2, 2], [], other_phrases=599) == (True, False)
