"""How bursty each series is, read causally off its own history: a per-series negative-binomial dispersion.

Contact reasons differ: couriers batch deliveries and outages cluster, so some topics' shares swing far more from
day to day than others'. One dispersion for all would either drown quiet topics' changes or let bursty ones
alarm on an ordinary busy day. Arrays are 2-D ``(series, hours)``. Swings come by calendar day (a courier's bad
day), so the estimate reads whole UTC days: ``first_hour`` is the hour of day of column 0, which keeps live runs
(loaded from another start) and replays identical. The value at hour t reads days that ended before the
previous midnight only, so the hours being tested stay out of it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from detect.baseline import FloatArray, as_2d, cumsum0, range_sum

DAY = 24
MAD_TO_SD = 1.4826  # median absolute deviation to standard deviation, for a normal log ratio
WINSOR = 3.0


@dataclass(frozen=True)
class DispersionOptions:
    days: int = 28  # days of history the estimate reads
    min_days: int = 5  # fewer usable days: no estimate (0); the detector itself waits a week
    min_expected: float = 5.0  # a day expecting fewer calls says little about day-to-day swings
    cap: float = 1.0
    chunk_days: int = 64  # days per vectorised block (bounds memory on long replays)


def history_dispersion(
    counts: FloatArray, totals: FloatArray, first_hour: int = 0, opts: DispersionOptions | None = None
) -> FloatArray:
    """Alpha in Var = mu + alpha * mu^2 for each series' daily counts against its pooled share of the daily
    totals; 0 where history is too short."""
    o = opts or DispersionOptions()
    x, n = as_2d(counts), as_2d(totals)
    cx, cn = cumsum0(x), cumsum0(np.broadcast_to(n, x.shape).astype(float))
    hours = np.arange(x.shape[1])
    # every hour of a calendar day shares one estimate: compute it once per day
    midnights, day_of_hour = np.unique(hours - (hours + first_hour) % DAY, return_inverse=True)
    per_day = np.zeros((x.shape[0], midnights.size))
    for lo in range(0, midnights.size, o.chunk_days):
        per_day[:, lo : lo + o.chunk_days] = _estimate(cx, cn, midnights[lo : lo + o.chunk_days], o)
    return np.asarray(per_day[:, day_of_hour], dtype=float)


def _estimate(cx: FloatArray, cn: FloatArray, midnight: np.ndarray, o: DispersionOptions) -> FloatArray:
    """Variance of the daily log ratio observed/expected, less its Poisson part, as alpha = exp(var) - 1.

    Winsorised around the median: a past incident's few days would otherwise read as burstiness and blunt the
    test for four weeks, while a bursty topic's swings show on every day."""
    ends = [midnight - DAY - k * DAY for k in range(o.days)]
    days_x = np.stack([range_sum(cx, e - DAY, e) for e in ends])  # (days, series, hours)
    days_n = np.stack([range_sum(cn, e - DAY, e) for e in ends])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.nansum(days_x, axis=0) / np.nansum(days_n, axis=0)
        mu = days_n * share
        log_ratio = np.log((days_x + 0.5) / (mu + 0.5))
        poisson = 1.0 / mu
    usable = mu >= o.min_expected
    log_ratio[~usable] = np.nan
    poisson[~usable] = np.nan
    enough = np.sum(usable, axis=0) >= o.min_days
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no history yet
        noise = np.nanmean(poisson, axis=0)
        centre = np.nanmedian(log_ratio, axis=0)
        scale = np.maximum(MAD_TO_SD * np.nanmedian(np.abs(log_ratio - centre), axis=0), np.sqrt(noise))
        # winsorised at a few robust deviations: efficient on ordinary days, deaf to a past incident's days
        clipped = np.clip(log_ratio, centre - WINSOR * scale, centre + WINSOR * scale)
        wander = np.nanvar(clipped, axis=0, ddof=1) - noise
    alpha = np.expm1(np.clip(np.nan_to_num(wander), 0.0, None))
    return np.asarray(np.where(enough, np.clip(alpha, 0.0, o.cap), 0.0), dtype=float)
