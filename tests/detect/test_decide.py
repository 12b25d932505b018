"""Decision options of the product: what it takes for a phrase to count as an emerging problem."""

from __future__ import annotations

import numpy as np
import pytest

from detect.decide import DetectOptions
from detect.detector import evaluate_share

HISTORY = 4 * 168 + 24


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
