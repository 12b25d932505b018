"""Statistics over a topic's rows (its overall series and its queue/language slices) that the decider needs
beyond the tests themselves: where a rise sits, how bursty each row is, and what "before the change" was."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy.stats import rankdata

from detect.detector import SegmentRates
from detect.dispersion import DispersionOptions, history_dispersion
from detect.hourly import OVERALL, FloatArray, HourlyData


def concentration_llr(part: SegmentRates, whole: SegmentRates, hours: int) -> float:
    """Poisson log-likelihood ratio, over the same ``hours``, of "this slice rose by its own ratio and the rest
    of the topic by theirs" against "every slice rose by the topic's ratio"."""
    x, e = part.current_rate * hours, part.baseline_rate * hours
    total_x, total_e = whole.current_rate * hours, whole.baseline_rate * hours
    rest_x, rest_e = total_x - x, total_e - e
    if x <= 0 or e <= 0 or rest_e <= 0 or total_x <= 0:
        return 0.0
    ratio = total_x / total_e
    llr = x * np.log(x / (ratio * e))
    if rest_x > 0:
        llr += rest_x * np.log(rest_x / (ratio * rest_e))
    return float(llr)


def rose_apart(part: SegmentRates, whole: SegmentRates, lift: float) -> bool:
    """Whether the slice rose, relative to its own baseline, at least ``lift`` times as much as the rest of the
    topic did. Over days of calls even a slight difference in how two groups of queues rose becomes "evidence";
    a rise that sits across the topic's usual routing must not be pinned on its busiest queue."""
    rest_base = whole.baseline_rate - part.baseline_rate
    if part.baseline_rate <= 0 or rest_base <= 0:
        return True
    own = part.current_rate / part.baseline_rate - 1.0
    rest = (whole.current_rate - part.current_rate) / rest_base - 1.0
    return own > 0 and own >= lift * max(rest, 0.0)


def burstiness(data: HourlyData, hist: DispersionOptions | None) -> FloatArray:
    """Each row's dispersion read off its history; a slice is at least as bursty as its topic (a courier's bad
    day hits every queue it serves, and a slice's own estimate rests on fewer calls)."""
    if hist is None:
        return np.zeros(data.counts.shape)
    own = history_dispersion(data.counts, data.totals, data.start.hour, hist)
    topic_row = {r.topic_id: i for i, r in enumerate(data.rows) if r.dim == OVERALL}
    parent = np.array([topic_row.get(r.topic_id, i) for i, r in enumerate(data.rows)], dtype=np.int64)
    return np.asarray(np.maximum(own, own[parent]), dtype=float) if len(parent) else own


def expected_before_change(expected: FloatArray, totals: FloatArray, change: int, lo: int, t: int) -> FloatArray:
    """Expected counts over [lo, t] at the share of the week before ``change``, where that is lower than the
    adapted baseline (adaptation during an incident only ever raises it)."""
    week = slice(max(0, change - 168), max(0, change))
    known = np.isfinite(expected[week])  # hours before the baseline existed say nothing about the share
    calls = float(np.sum(totals[week][known]))
    out = np.array(expected, dtype=float)
    if calls <= 0:
        return out
    share = float(np.sum(expected[week][known])) / calls
    out[lo : t + 1] = np.fmin(out[lo : t + 1], share * totals[lo : t + 1])
    return out


def recent_day(totals: FloatArray, t: int, hours: int, reach: int = 168) -> int:
    """Start of "the last day" ending at hour t: at least ``hours`` long, and long enough to hold a typical day's
    calls (the median of the last ``reach`` hours' days). Over a quiet weekend it reaches back into Friday, so a
    problem of a few calls a day is not taken for over because Sunday had no room to show it; a median, so the
    days of a surge that just ended do not make an ordinary day look short and stretch it back into the surge."""
    typical = typical_day(totals, t, hours, reach)
    if typical is None:
        return max(0, t - hours + 1)
    latest_first = _latest_first(totals, t, reach)
    needed = int(np.searchsorted(np.cumsum(latest_first), typical)) + 1
    return max(0, t - max(hours, min(needed, int(latest_first.size))) + 1)


def typical_day(totals: FloatArray, t: int, hours: int, reach: int = 168) -> float | None:
    """Calls in a typical ``hours``-long day up to hour t (the median of the last ``reach`` hours' days)."""
    latest_first = _latest_first(totals, t, reach)
    days = latest_first.size // hours
    if days == 0:
        return None
    return float(np.median(latest_first[: days * hours].reshape(days, hours).sum(axis=1)))


def _latest_first(totals: FloatArray, t: int, reach: int) -> FloatArray:
    return np.asarray(np.nan_to_num(np.asarray(totals[max(0, t - reach + 1) : t + 1], dtype=float))[::-1])


def heard_enough(totals: FloatArray, start: int, t: int, hours: int, part: float = 0.5) -> bool:
    """Whether hours start..t hold ``part`` of a typical day's calls: enough to read a level off them."""
    typical = typical_day(totals, t, hours)
    return typical is not None and start <= t and float(np.nansum(totals[max(0, start) : t + 1])) >= part * typical


def sum_rates(parts: list[SegmentRates]) -> SegmentRates:
    """Rates of several rows taken together (sibling slices: all queues, or all languages)."""
    base, current = sum(p.baseline_rate for p in parts), sum(p.current_rate for p in parts)
    return SegmentRates(base, current, current / base if base > 0 else 1.0, sum(p.excess for p in parts))


def rank_correlation(a: FloatArray, b: FloatArray) -> float:
    """Spearman's rho: Pearson correlation of average ranks (ties share their rank)."""
    ra, rb = rankdata(a), rankdata(b)
    return float(np.corrcoef(ra, rb)[0, 1])


def concentration_in_calls(part: Counter[str], whole: Counter[str], min_share: float) -> tuple[float, str | None]:
    """(log-likelihood ratio, value): the queue or language holding at least ``min_share`` of an emerging
    problem's calls (``part``), and how much better "they sit there" explains them than the spread of all calls
    in the same hours (``whole``, binomial). (0, None) when no value holds that share."""
    n, total = sum(part.values()), sum(whole.values())
    if n == 0 or total == 0:
        return 0.0, None
    value, k = part.most_common(1)[0]
    share, p = k / n, whole.get(value, 0) / total
    if share < min_share or not 0.0 < p < share:
        return 0.0, None
    llr = k * math.log(share / p) + ((n - k) * math.log((1 - share) / (1 - p)) if k < n else 0.0)
    return llr, value
