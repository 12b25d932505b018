"""The causal spike test: is a count series above what its seasonal baseline predicts, right now?

Pure numpy on ``(series, hours)`` arrays, so one call evaluates every hour of every topic, slice or phrase;
each column uses columns <= itself only, which is what makes a replay identical to live decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import betainc, gammainc

from detect.baseline import BaselineOptions, as_2d, cumsum0, expected_counts, expected_volume

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class TestOptions:
    windows: tuple[int, ...] = (
        1,
        3,
        6,
        12,
        24,
        48,
    )  # hours summed before testing: long windows give sparse series power
    alpha: float = 1e-4  # tail probability of the window count under the baseline
    extreme_alpha: float = 1e-12  # a single hour alone must be this improbable...
    extreme_factor: float = 2.0  # ...and clear min_ratio and min_excess by this factor
    min_ratio: float = 1.5
    min_excess: float = 5.0
    min_hours: int = 2  # a multi-hour window must stay elevated without its busiest hour (no single-hour blips)
    dispersion: float = 0.02  # negative-binomial alpha (Var = mu + alpha*mu^2); 0 = Poisson
    baseline: BaselineOptions = field(default_factory=BaselineOptions)


VOLUME_TEST = TestOptions(windows=(72,), alpha=1e-4, min_ratio=1.5, min_excess=50.0, dispersion=0.02)


@dataclass(frozen=True)
class Evaluation:
    """Per (series, hour): expected counts, whether the hour alarms and the window that fired first."""

    counts: FloatArray
    expected: FloatArray
    alarm: BoolArray
    window: IntArray  # hours of the smallest window that alarmed (0 = no alarm)


def upper_tail(observed: FloatArray, mean: FloatArray, dispersion: float) -> FloatArray:
    """P(X >= observed) for Poisson(mean) or, with dispersion > 0, NB(mean, alpha=dispersion)."""
    k = np.floor(np.clip(observed, 0.0, None))
    mu = np.clip(mean, 1e-12, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        if dispersion <= 0.0:
            p = gammainc(np.maximum(k, 1e-12), mu)
        else:
            r = 1.0 / dispersion
            p = betainc(np.maximum(k, 1e-12), r, mu / (r + mu))
    return np.where(k <= 0, 1.0, np.nan_to_num(p, nan=1.0))


def _window_sum(prefix: FloatArray, w: int) -> FloatArray:
    out = np.full((prefix.shape[0], prefix.shape[1] - 1), np.nan)
    if w <= out.shape[1]:
        out[:, w - 1 :] = prefix[:, w:] - prefix[:, :-w]
    return out


def _window_max(values: FloatArray, w: int) -> FloatArray:
    out = values.copy()
    for lag in range(1, min(w, values.shape[1])):
        out[:, lag:] = np.maximum(out[:, lag:], values[:, :-lag])
    return out


def _window_alarm(x: FloatArray, e: FloatArray, w: int, opts: TestOptions) -> BoolArray:
    xs = _window_sum(cumsum0(x), w)
    es = _window_sum(cumsum0(np.nan_to_num(e, nan=0.0)), w)
    valid = _window_sum(cumsum0(np.isfinite(e).astype(float)), w) >= w
    ratio = xs / np.maximum(es, 1e-9)
    excess = xs - es
    with np.errstate(invalid="ignore"):
        if w == 1:
            f = opts.extreme_factor
            ok = (
                (upper_tail(xs, es, opts.dispersion) < opts.extreme_alpha)
                & (ratio >= f * opts.min_ratio)
                & (excess >= f * opts.min_excess)
            )
        else:
            ok = (upper_tail(xs, es, opts.dispersion) < opts.alpha) & (ratio >= opts.min_ratio)
            ok &= excess >= opts.min_excess
            rest = xs - _window_max(x, w)
            rest_e = es * (w - 1) / w
            ok &= (rest >= opts.min_ratio * rest_e) & (rest - rest_e >= opts.min_excess / opts.min_hours)
    return np.asarray(ok & valid, dtype=bool)


def evaluate(counts: FloatArray, expected: FloatArray, opts: TestOptions) -> Evaluation:
    x = as_2d(counts)
    e = as_2d(expected)
    alarm = np.zeros(x.shape, dtype=bool)
    window = np.zeros(x.shape, dtype=np.int64)
    for w in sorted(opts.windows):
        hit = _window_alarm(x, e, w, opts) & ~alarm
        window[hit] = w
        alarm |= hit
    return Evaluation(counts=x, expected=e, alarm=alarm, window=window)


def evaluate_share(counts: FloatArray, totals: FloatArray, opts: TestOptions | None = None) -> Evaluation:
    """Test each series' share of its totals (a storm that doubles everything keeps shares, and stays quiet)."""
    o = opts or TestOptions()
    x, n = as_2d(counts), as_2d(totals)
    n = np.broadcast_to(n, x.shape)
    return evaluate(x, expected_counts(x, n, o.baseline), o)


def evaluate_volume(totals: FloatArray, opts: TestOptions = VOLUME_TEST) -> Evaluation:
    """Total calls against the same hour of previous weeks: only sustained, multi-day changes alarm."""
    n = as_2d(totals)
    return evaluate(n, expected_volume(n, opts.baseline), opts)


@dataclass(frozen=True)
class SegmentRates:
    baseline_rate: float  # expected calls per hour over the segment
    current_rate: float  # observed calls per hour over the segment
    ratio: float
    excess: float  # observed - expected calls over the segment


def segment_rates(counts: FloatArray, expected: FloatArray, start: int, end: int) -> SegmentRates:
    """Rates over hours [start, end] inclusive of one series (1-D arrays)."""
    x = np.asarray(counts[start : end + 1], dtype=float)
    e = np.nan_to_num(np.asarray(expected[start : end + 1], dtype=float))
    hours = max(1, x.size)
    xs, es = float(x.sum()), float(e.sum())
    return SegmentRates(
        baseline_rate=es / hours,
        current_rate=xs / hours,
        ratio=xs / max(es, 1e-9) if es > 0 else float("inf") if xs > 0 else 1.0,
        excess=xs - es,
    )
