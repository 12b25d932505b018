"""Dense hourly arrays: which phrases are in use."""

from __future__ import annotations

import numpy as np

from detect.hourly import phrases_in_use


def test_a_phrase_is_in_use_for_four_weeks_after_a_day_with_enough_calls() -> None:
    hours = 60 * 24
    counts = np.zeros((3, hours))
    counts[0, 100:105] = 1.0  # five calls within a day, ending at hour 104
    counts[1, 200::48] = 1.0  # one call every other day: never five in a day
    counts[2, 1000] = 6.0
    in_use = phrases_in_use(counts, 4.5)
    assert in_use[104] == 0 and in_use[105] == 1  # read from the hours before t only
    # the last 24 hours holding all five end at hour 123: four weeks after that, the phrase is forgotten
    assert in_use[123 + 28 * 24] == 1 and in_use[124 + 28 * 24] == 0
    assert in_use[1000] == 0 and in_use[1001] == 1
    assert phrases_in_use(np.zeros((0, hours)), 4.5).shape == (hours,)
