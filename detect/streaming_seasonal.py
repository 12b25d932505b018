"""Time-of-day score (causal): how far the mean of the last few rows is from the same time of day on earlier days.

A series with a daily rhythm (mentions per 5 minutes, load of a service) hides slow bumps of a few hours inside its
own daily swing: against the trailing median such a bump looks like an ordinary busy hour, against the same hours
of the previous days it stands out. The reference is the median over the last few days, so one odd day does not
move it. The daily period comes from the timestamps (rows per day of a regular spacing), never from the values.

The score is calibrated on the typical day rather than on the rarest rows: the threshold is a multiple of the median
of the daily maxima of the score so far. A quantile over all rows is set by the strongest earlier incident as soon
as that incident lasts longer than the handful of rows above the quantile, and then hides every weaker one; a
median of daily maxima moves by at most one rank per incident day.
"""

from __future__ import annotations

import warnings
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

SPACING_SAMPLE = 100  # intervals the row spacing is read from; the score stays 0 before this row


def daily_period(timestamps: list[datetime], sample: int = SPACING_SAMPLE) -> int:
    """Rows per day when the first rows are regularly spaced and a whole number of them fills a day, else 0."""
    if len(timestamps) < 3:
        return 0
    seconds = np.diff([t.timestamp() for t in timestamps[: sample + 1]])
    step = float(np.median(seconds))
    if step <= 0 or np.mean(np.isclose(seconds, step)) < 0.9:
        return 0
    per_day = 86400.0 / step
    rows = round(per_day)
    return rows if rows >= 4 and abs(per_day - rows) < 1e-6 else 0


def seasonal_residual(x: FloatArray, period: int, rows: int, days: int) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Mean of rows t-rows+1..t minus the median of that mean one, two, ... `days` periods earlier, and whether
    at least half of those days (and at least two) exist."""
    n = x.size
    mean = np.full(n, np.nan)
    if rows > n:
        return np.zeros(n), np.zeros(n, dtype=bool)
    cs = np.concatenate([[0.0], np.cumsum(x)])
    mean[rows - 1 :] = (cs[rows:] - cs[:-rows]) / rows
    earlier = np.full((n, days), np.nan)
    for d in range(1, days + 1):
        if d * period < n:
            earlier[d * period :, d - 1] = mean[: n - d * period]
    have = np.sum(np.isfinite(earlier), axis=1)
    ok = (have >= max(2, days // 2)) & np.isfinite(mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with no earlier day: all-NaN medians, masked by ok
        ref = np.nanmedian(earlier, axis=1)
    return np.where(ok, mean - ref, 0.0), ok


def daily_max_thresholds(z: FloatArray, first: int, period: int, factor: float, every: int = 20) -> FloatArray:
    """Per row: factor x the median of the maxima of z over whole days since `first` (the last, partial day
    included once it is whole) before the last recalibration; inf until two whole days exist."""
    thr = np.full(z.size, np.inf)
    days = (z.size - first) // period
    if days < 2:
        return thr
    maxima = z[first : first + days * period].reshape(days, period).max(axis=1)
    step = max(1, every)
    for t in range(first + 2 * period, z.size, step):
        whole = (t - first) // period
        thr[t : t + step] = factor * float(np.median(maxima[:whole]))
    return thr


def seasonal_relative(
    x: FloatArray, timestamps: list[datetime] | None, rows: int, days: int, factor: float
) -> FloatArray:
    """Time-of-day score over its threshold per row (0 where it does not apply: no timestamps, no regular daily
    period, fewer than `days` // 2 earlier days, or before the row spacing is known)."""
    n = x.size
    out = np.zeros(n)
    period = daily_period(timestamps) if timestamps is not None and rows > 0 else 0
    if period == 0:
        return out
    resid, ok = seasonal_residual(x, period, rows, days)
    if not ok.any():
        return out
    first = int(np.argmax(ok))
    z = np.abs(resid)
    thr = daily_max_thresholds(z, first, period, factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(np.isfinite(thr) & ok, z / np.maximum(thr, 1e-12), 0.0)
    out[: min(n, SPACING_SAMPLE)] = 0.0
    return np.asarray(out, dtype=float)
