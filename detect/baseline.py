"""Causal seasonal baselines for hourly count series (numpy only: the API draws expected bands with it).

Every value at hour i uses hours < i only, so a detector built on these never looks ahead.
Arrays are 2-D ``(series, hours)``; a 1-D array is treated as one series.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

HOURS_PER_WEEK = 168
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class BaselineOptions:
    weeks: int = 4  # previous weeks whose shares are pooled (median over weeks resists one bad week)
    guard_hours: int = 24  # the most recent hours, where a change is being tested, stay out of the baseline
    min_history_hours: int = 72  # below this there is no baseline at all (NaN): the detector waits
    profile_prior_calls: float = 20.0  # topic calls of prior that shrink the hour-of-week profile to the pooled share


def as_2d(values: NDArray[np.float64] | NDArray[np.int64]) -> FloatArray:
    arr = np.asarray(values, dtype=float)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def cumsum0(values: FloatArray) -> FloatArray:
    """Prefix sums along the hours axis with a leading zero column: sum(v[a:b]) = c[b] - c[a]."""
    out = np.zeros((values.shape[0], values.shape[1] + 1))
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def range_sum(prefix: FloatArray, start: NDArray[np.int64], end: NDArray[np.int64]) -> FloatArray:
    """Sum over [start, end) per hour column; NaN where the range leaves the data."""
    ok = (start >= 0) & (end > start)
    s = np.clip(start, 0, prefix.shape[1] - 1)
    e = np.clip(end, 0, prefix.shape[1] - 1)
    out = prefix[:, e] - prefix[:, s]
    out[:, ~ok] = np.nan
    return out


def pooled_share(counts: FloatArray, totals: FloatArray, opts: BaselineOptions) -> FloatArray:
    """Robust share at each hour: median over previous weeks of each week's pooled share.

    Before one full week exists (after the guard), the pooled share of all earlier hours stands in
    (the daily fallback). A +0.5 pseudo-count gives never-seen phrases a small, non-zero share.
    """
    c, n = as_2d(counts), as_2d(totals)
    hours = np.arange(c.shape[1])
    cx, cn = cumsum0(c), cumsum0(n)
    end0 = hours - opts.guard_hours
    weekly = []
    for k in range(opts.weeks):
        end = end0 - k * HOURS_PER_WEEK
        xs = range_sum(cx, end - HOURS_PER_WEEK, end)
        ns = range_sum(cn, end - HOURS_PER_WEEK, end)
        with np.errstate(invalid="ignore", divide="ignore"):
            weekly.append(np.where(ns > 0, (xs + 0.5) / (ns + 1.0), np.nan))
    stack = np.stack(weekly)
    have = np.any(np.isfinite(stack), axis=0)
    with np.errstate(invalid="ignore"), _quiet_nanmedian():
        med = np.nanmedian(np.where(np.isfinite(stack), stack, np.nan), axis=0)
    xs_all = range_sum(cx, np.zeros_like(end0), end0)
    ns_all = range_sum(cn, np.zeros_like(end0), end0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fallback = np.where(ns_all > 0, (xs_all + 0.5) / (ns_all + 1.0), np.nan)
    fallback[:, end0 < opts.min_history_hours] = np.nan
    return np.where(have, med, fallback)


def hour_of_week_profile(
    counts: FloatArray, totals: FloatArray, share: FloatArray, opts: BaselineOptions
) -> FloatArray:
    """Share at this hour-of-week in previous weeks, shrunk towards ``share`` by a prior of pseudo-calls."""
    c, n = as_2d(counts), as_2d(totals)
    xs = np.zeros_like(c)
    ns = np.zeros_like(n)
    for k in range(1, opts.weeks + 1):
        lag = k * HOURS_PER_WEEK
        if lag >= c.shape[1]:
            break
        xs[:, lag:] += c[:, :-lag]
        ns[:, lag:] += n[:, :-lag]
    # The prior counts the series' own calls, not all calls: how sure the hour-of-week shape is depends on how
    # many topic calls it was read from (a big centre's three-a-day topic has a noisy shape, however many
    # calls the hour carries).
    m = opts.profile_prior_calls
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(share > 0, share * (xs + m) / (ns * share + m), share)


def expected_counts(counts: FloatArray, totals: FloatArray, opts: BaselineOptions | None = None) -> FloatArray:
    """Expected topic calls per hour given that hour's total calls: total x seasonal baseline share."""
    o = opts or BaselineOptions()
    share = pooled_share(counts, totals, o)
    profiled = hour_of_week_profile(counts, totals, np.nan_to_num(share), o)
    return np.where(np.isfinite(share), as_2d(totals) * profiled, np.nan)


def expected_volume(totals: FloatArray, opts: BaselineOptions | None = None) -> FloatArray:
    """Expected calls per hour: median of the same hour in previous weeks; same hour of previous days before
    two weeks of history exist."""
    o = opts or BaselineOptions()
    n = as_2d(totals)
    # a whole day without a single call is data that never arrived (or a closed centre), not a level to expect:
    # left in, a week of missing recordings halves the baseline and the data's return looks like a surge
    reference = np.where(_silent(n, HOURS_PER_DAY), np.nan, n)
    weekly = _lagged(reference, [k * HOURS_PER_WEEK for k in range(1, o.weeks + 1)])
    daily = _lagged(reference, [d * HOURS_PER_DAY for d in range(1, 8)])
    with _quiet_nanmedian():
        wmed = np.nanmedian(weekly, axis=0)
        dmed = np.nanmedian(daily, axis=0)
    nweeks = np.sum(np.isfinite(weekly), axis=0)
    ndays = np.sum(np.isfinite(daily), axis=0)
    out = np.where(nweeks >= 2, wmed, np.where(ndays >= 3, dmed, np.nan))
    return np.asarray(out, dtype=float)


def _silent(n: FloatArray, span: int) -> NDArray[np.bool_]:
    """Hours inside a stretch of ``span`` consecutive hours without a call."""
    hours = n.shape[1]
    out = np.zeros(n.shape, dtype=bool)
    if hours < span:
        return out
    zero = (cumsum0(n)[:, span:] - cumsum0(n)[:, :-span]) <= 0  # window j covers hours j .. j+span-1
    covered = cumsum0(zero.astype(float))  # zero windows among j < k
    h = np.arange(hours)
    lo, hi = np.maximum(0, h - span + 1), np.minimum(h, hours - span) + 1
    return np.asarray(covered[:, hi] - covered[:, lo] > 0, dtype=bool)


def _lagged(n: FloatArray, lags: list[int]) -> FloatArray:
    out = np.full((len(lags), *n.shape), np.nan)
    for j, lag in enumerate(lags):
        if lag < n.shape[1]:
            out[j, :, lag:] = n[:, :-lag]
    return out


def band(expected: FloatArray, z: float = 2.0) -> tuple[FloatArray, FloatArray]:
    """A Poisson-ish band around expected counts (for charts): expected +- z*sqrt(expected)."""
    e = np.asarray(expected, dtype=float)
    spread = z * np.sqrt(np.clip(e, 0.0, None))
    return np.clip(e - spread, 0.0, None), e + spread


@contextmanager
def _quiet_nanmedian() -> Iterator[None]:
    """np.nanmedian warns on all-NaN columns; those are expected here (no history yet)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield
