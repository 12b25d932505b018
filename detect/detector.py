"""The causal spike test: is a count series above what its seasonal baseline predicts, right now?

Pure numpy on ``(series, hours)`` arrays, so one call evaluates every hour of every topic, slice or phrase;
each column uses columns <= itself only, which is what makes a replay identical to live decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import betainc, gammainc

from detect.baseline import (
    HOURS_PER_WEEK,
    BaselineOptions,
    as_2d,
    cumsum0,
    expected_counts,
    expected_volume,
    range_sum,
)
from detect.dispersion import DispersionOptions, history_dispersion

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
    # A window whose calls fall in at least spread_hours different hours may clear a lower excess: callers
    # trickling in hour after hour are a trend sooner than the same calls bunched in one or two hours.
    spread_excess: float = float("inf")
    spread_hours: int = 3
    blip_hours: int = 1  # ...or without its busiest stretch of this many hours (a day: a storm is no new level)
    dispersion: float = 0.02  # negative-binomial alpha (Var = mu + alpha*mu^2); 0 = Poisson
    # Sequential test (CUSUM of the log-likelihood ratio "share x rho" vs the baseline, one per rho): it sums
    # evidence over however many hours the rise has lasted, so sustained moderate rises fire sooner than any
    # fixed window allows. 0 switches it off.
    cusum_ratios: tuple[float, ...] = (2.0, 4.0)
    cusum_threshold: float = 0.0  # nats
    cusum_run_alpha: float = 1e-3
    cusum_max_run: int = 72  # hours of evidence the CUSUM may sum: older evidence is forgotten
    baseline_error: bool = False  # widen the dispersion by the baseline's own sampling error (share tests)
    baseline: BaselineOptions = field(default_factory=BaselineOptions)
    history_dispersion: DispersionOptions | None = None  # read each series' burstiness off its history (shares)

    @property
    def least_excess(self) -> float:
        """The fewest extra calls any multi-hour window may alarm on."""
        return min(self.min_excess, self.spread_excess)


VOLUME_TEST = TestOptions(windows=(72,), alpha=1e-4, min_ratio=1.5, min_excess=50.0, dispersion=0.02, blip_hours=24)


@dataclass(frozen=True)
class Evaluation:
    """Per (series, hour): expected counts, whether the hour alarms and the window that fired first."""

    counts: FloatArray
    expected: FloatArray
    alarm: BoolArray
    window: IntArray  # hours of the smallest window that alarmed (0 = no alarm)


def upper_tail(observed: FloatArray, mean: FloatArray, dispersion: float | FloatArray) -> FloatArray:
    """P(X >= observed) for Poisson(mean) or, where dispersion > 0, NB(mean, alpha=dispersion)."""
    k = np.floor(np.clip(observed, 0.0, None))
    mu = np.clip(mean, 1e-12, None)
    a = np.broadcast_to(np.asarray(dispersion, dtype=float), k.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        poisson = gammainc(np.maximum(k, 1e-12), mu)
        r = 1.0 / np.maximum(a, 1e-9)
        negbin = betainc(np.maximum(k, 1e-12), r, mu / (r + mu))
        p = np.where(a > 0.0, negbin, poisson)
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


def _window_alarm(
    x: FloatArray, e: FloatArray, w: int, opts: TestOptions, disp: FloatArray, alpha: float | FloatArray
) -> BoolArray:
    xs = _window_sum(cumsum0(x), w)
    es = _window_sum(cumsum0(np.nan_to_num(e, nan=0.0)), w)
    valid = _window_sum(cumsum0(np.isfinite(e).astype(float)), w) >= w
    ratio = xs / np.maximum(es, 1e-9)
    excess = xs - es
    with np.errstate(invalid="ignore"):
        if w == 1:
            f = opts.extreme_factor
            ok = (
                (upper_tail(xs, es, disp) < opts.extreme_alpha)
                & (ratio >= f * opts.min_ratio)
                & (excess >= f * opts.min_excess)
            )
        else:
            ok = (upper_tail(xs, es, disp) < alpha) & (ratio >= opts.min_ratio)
            enough = excess >= opts.min_excess
            if opts.spread_excess < opts.min_excess:
                spread = _window_sum(cumsum0((x > 0).astype(float)), w) >= opts.spread_hours
                enough |= (excess >= opts.spread_excess) & spread
            ok &= enough
            span = min(opts.blip_hours, w - 1)
            busiest = x if span == 1 else _window_sum(cumsum0(x), span)
            rest = xs - _window_max(np.nan_to_num(busiest), w - span + 1)
            rest_e = es * (w - span) / w
            ok &= (rest >= opts.min_ratio * rest_e) & (rest - rest_e >= opts.min_excess / opts.min_hours)
    return np.asarray(ok & valid, dtype=bool)


def _llr(x: FloatArray, e: FloatArray, rho: float, dispersion: FloatArray) -> FloatArray:
    """log P(x | mean rho*e) - log P(x | mean e), negative binomial (Poisson as dispersion -> 0)."""
    r = 1.0 / np.maximum(dispersion, 1e-9)
    return np.asarray(x * np.log(rho) - (x + r) * (np.log1p(rho * e / r) - np.log1p(e / r)), dtype=float)


def cusum_alarm(x: FloatArray, e: FloatArray, opts: TestOptions, disp: FloatArray) -> tuple[BoolArray, IntArray]:
    """(alarm, run length) per (series, hour) of the CUSUM tests; hour t reads hours <= t only.

    The statistic at t is the largest log-likelihood ratio summed over any stretch (the run) that ends at t and
    starts within the last ``cusum_max_run`` hours: a CUSUM that forgets. At a few calls a day the classic
    statistic drains slowly, and a rise that ended days ago would still carry it to an alarm long after its
    incident closed. Like a window, the run must clear min_ratio and min_excess, and stay elevated without its
    busiest hour (one busy hour is a blip, not a change)."""
    rows, hours = x.shape
    ok_e = np.isfinite(e)
    ez = np.where(ok_e, e, 0.0)
    alarm = np.zeros(x.shape, dtype=bool)
    length = np.zeros(x.shape, dtype=np.int64)
    if opts.cusum_threshold <= 0.0 or hours == 0:
        return alarm, length
    k = len(opts.cusum_ratios)
    llr = np.concatenate([_llr(x, ez, rho, disp) for rho in opts.cusum_ratios])
    valid = np.tile(ok_e, (k, 1))
    xk, ek, dk = np.tile(x, (k, 1)), np.tile(ez, (k, 1)), np.tile(disp, (k, 1))
    ring = _Runs(rows * k, max(1, opts.cusum_max_run))
    fired = np.zeros((rows * k, hours), dtype=bool)
    lengths = np.zeros((rows * k, hours), dtype=np.int64)
    for t in range(hours):
        stat, run_x, run_e, run_max, run_n = ring.step(t, np.where(valid[:, t], llr[:, t], 0.0), xk[:, t], ek[:, t])
        rest, rest_e = run_x - run_max, run_e * (run_n - 1) / run_n
        fired[:, t] = (
            valid[:, t]
            & (stat >= opts.cusum_threshold)
            # the run as a whole must also be improbable once the baseline's own error is allowed for
            & (upper_tail(run_x, run_e, dk[:, t]) < opts.cusum_run_alpha)
            & (run_x >= opts.min_ratio * run_e)
            & (run_x - run_e >= opts.min_excess)
            & (rest >= opts.min_ratio * rest_e)
            & (rest - rest_e >= opts.min_excess / opts.min_hours)
        )
        lengths[:, t] = run_n
        # restart after an alarm (a statistic left high would keep alarming long after the rise ended) and
        # where there is no baseline
        ring.restart(fired[:, t] | ~valid[:, t])
    for j in range(k):
        part = fired[j * rows : (j + 1) * rows]
        new = part & ~alarm
        length[new] = lengths[j * rows : (j + 1) * rows][new]
        alarm |= part
    return alarm, length


class _Runs:
    """Cumulative LLR, calls and expected calls before each of the last ``span`` hours, per series."""

    def __init__(self, n: int, span: int) -> None:
        self.span = span
        self.c, self.cx, self.ce = np.full((n, span), np.inf), np.zeros((n, span)), np.zeros((n, span))
        self.x, self.t = np.zeros((n, span)), np.full((n, span), -1, dtype=np.int64)
        self.now_c, self.now_x, self.now_e = np.zeros(n), np.zeros(n), np.zeros(n)
        self.rows = np.arange(n)

    def step(
        self, t: int, llr: FloatArray, x: FloatArray, e: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray]:
        """(statistic, run calls, run expected, run's busiest hour, run length) after hour t."""
        s = t % self.span
        self.c[:, s], self.cx[:, s], self.ce[:, s], self.x[:, s], self.t[:, s] = (
            self.now_c,
            self.now_x,
            self.now_e,
            x,
            t,
        )
        self.now_c, self.now_x, self.now_e = self.now_c + llr, self.now_x + x, self.now_e + e
        best = np.argmin(self.c, axis=1)
        start = self.t[self.rows, best]
        stat = np.maximum(0.0, self.now_c - self.c[self.rows, best])
        run_max = np.max(np.where(self.t >= start[:, None], self.x, 0.0), axis=1)
        run_x = self.now_x - self.cx[self.rows, best]
        run_e = self.now_e - self.ce[self.rows, best]
        return stat, run_x, run_e, run_max, np.asarray(t - start + 1, dtype=np.int64)

    def restart(self, which: BoolArray) -> None:
        self.c[which] = np.inf


def evaluate(
    counts: FloatArray,
    expected: FloatArray,
    opts: TestOptions,
    baseline_calls: FloatArray | None = None,
    dispersion: FloatArray | None = None,
    alpha: FloatArray | None = None,
) -> Evaluation:
    """``baseline_calls``: how many calls the baseline of each (series, hour) was estimated from; a baseline
    read off few calls is itself uncertain (relative variance ~1/calls), which widens the test's dispersion.
    ``dispersion``: each series' own burstiness where known; ``opts.dispersion`` stays the floor.
    ``alpha``: the windows' tail probability per hour, where it varies (else ``opts.alpha``)."""
    x = as_2d(counts)
    e = as_2d(expected)
    disp = np.full(x.shape, opts.dispersion)
    if dispersion is not None:
        disp = np.maximum(disp, as_2d(dispersion))
    if baseline_calls is not None:
        disp = disp + 1.0 / (as_2d(baseline_calls) + 1.0)
    alarm = np.zeros(x.shape, dtype=bool)
    window = np.zeros(x.shape, dtype=np.int64)
    for w in sorted(opts.windows):
        hit = _window_alarm(x, e, w, opts, disp, opts.alpha if alpha is None else alpha) & ~alarm
        window[hit] = w
        alarm |= hit
    seq, run = cusum_alarm(x, e, opts, disp)
    hit = seq & ~alarm
    window[hit] = run[hit]
    alarm |= hit
    return Evaluation(counts=x, expected=e, alarm=alarm, window=window)


def evaluate_share(
    counts: FloatArray,
    totals: FloatArray,
    opts: TestOptions | None = None,
    first_hour: int = 0,
    dispersion: FloatArray | None = None,
    alpha: FloatArray | None = None,
) -> Evaluation:
    """Test each series' share of its totals (a storm that doubles everything keeps shares, and stays quiet).
    ``first_hour``: the UTC hour of day of column 0 (burstiness is read by calendar day); ``dispersion``: the
    series' burstiness when the caller has it, else read off the history if ``opts.history_dispersion``;
    ``alpha``: see ``evaluate``."""
    o = opts or TestOptions()
    x, n = as_2d(counts), as_2d(totals)
    n = np.broadcast_to(n, x.shape)
    base = o.baseline
    end = np.arange(x.shape[1]) - base.guard_hours
    calls = None
    if o.baseline_error:
        calls = np.nan_to_num(range_sum(cumsum0(x), np.maximum(end - base.weeks * HOURS_PER_WEEK, 0), end))
    hist = o.history_dispersion
    burst = dispersion
    if burst is None and hist is not None:
        burst = history_dispersion(x, n, first_hour, hist)
    return evaluate(x, expected_counts(x, n, base), o, calls, burst, alpha)


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
