"""Changepoints with ruptures: when did a detected change start, and offline/streaming use on any series."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import ruptures as rpt
from numpy.typing import NDArray
from ruptures.exceptions import BadSegmentationParameters

from detect.countcost import CostNegBinomial, CostPoisson, anscombe

FloatArray = NDArray[np.float64]


class CountCost(StrEnum):
    POISSON = "poisson"
    NEGBIN = "negbin"
    ANSCOMBE_L2 = "anscombe_l2"


@dataclass(frozen=True)
class ChangeOptions:
    lookback_hours: int = 168  # how far back the start of a change is searched
    min_size: int = 2
    cost: CountCost = CountCost.POISSON


def estimate_change_start(
    counts: FloatArray, expected: FloatArray, end: int, fallback: int, opts: ChangeOptions | None = None
) -> int:
    """Index of the first elevated hour of the change that is visible at ``end`` (inclusive).

    One changepoint over the lookback, on counts with the baseline as exposure; ruptures' trailing
    ``n_samples`` is dropped. Too little data (BadSegmentationParameters) or a segmentation whose second part
    is not the higher one gives ``fallback`` (the start of the window that fired).
    """
    o = opts or ChangeOptions()
    start = _last_quiet_day(counts, expected, max(0, end + 1 - o.lookback_hours), min(fallback, end))
    x = np.asarray(counts[start : end + 1], dtype=float)
    e = np.nan_to_num(np.asarray(expected[start : end + 1], dtype=float), nan=0.0)
    keep = e > 0
    if keep.sum() < 2 * o.min_size:
        return fallback
    idx = np.flatnonzero(keep)
    x, e = x[keep], e[keep]
    try:
        bkps = _one_break(x, e, o)
    except BadSegmentationParameters:
        return fallback
    if not bkps:
        return fallback
    b = _shorter_tail(x, e, bkps[0], o.min_size)
    # Hours without calls (nights) fit either side equally well; the change starts at the first hour with calls.
    while b < x.size - 1 and x[b] == 0:
        b += 1
    before = x[:b].sum() / max(e[:b].sum(), 1e-9)
    after = x[b:].sum() / max(e[b:].sum(), 1e-9)
    if after <= before:
        return fallback
    return min(int(start + idx[b]), end)


def _shorter_tail(x: FloatArray, e: FloatArray, b: int, min_size: int) -> int:
    """A break pressed against the end by ``min_size`` may belong later: a change seen in its first hour or
    two (a single-hour extreme) starts there, not in the ordinary hour before it. Poisson costs decide."""
    if b != x.size - min_size:
        return b
    return min(range(b, x.size), key=lambda k: _split_cost(x, e, k))


def _split_cost(x: FloatArray, e: FloatArray, b: int) -> float:
    """Poisson negative log-likelihood (up to a constant) of one rate before ``b`` and another from it."""
    cost = 0.0
    for xs, es in ((x[:b].sum(), e[:b].sum()), (x[b:].sum(), e[b:].sum())):
        if xs > 0 and es > 0:
            cost -= float(xs * np.log(xs / es))
    return cost


def _last_quiet_day(counts: FloatArray, expected: FloatArray, lo: int, before: int) -> int:
    """Start of the search: the start of the latest full day before ``before`` that ran at or below baseline.

    One break per search: an earlier, finished incident of the same series inside the lookback would otherwise
    pull the break back to its own start."""
    day = 24
    x = np.asarray(counts[lo:before], dtype=float)
    e = np.nan_to_num(np.asarray(expected[lo:before], dtype=float), nan=0.0)
    if x.size < day:
        return lo
    cx, ce = np.concatenate([[0.0], np.cumsum(x)]), np.concatenate([[0.0], np.cumsum(e)])
    quiet = np.flatnonzero((cx[day:] - cx[:-day]) <= (ce[day:] - ce[:-day]))
    return lo if quiet.size == 0 else lo + int(quiet[-1])


def _one_break(x: FloatArray, e: FloatArray, o: ChangeOptions) -> list[int]:
    if o.cost is CountCost.ANSCOMBE_L2:
        signal = anscombe(x) - anscombe(e)
        algo = rpt.Binseg(model="l2", min_size=o.min_size, jump=1).fit(signal)
    else:
        cost = CostPoisson() if o.cost is CountCost.POISSON else CostNegBinomial()
        algo = rpt.Binseg(custom_cost=cost, min_size=o.min_size, jump=1).fit(np.column_stack([x, e]))
    bkps: list[int] = algo.predict(n_bkps=1)
    return [b for b in bkps if b < x.size]  # ruptures always ends with n_samples


@dataclass(frozen=True)
class OfflineOptions:
    """Penalised binary segmentation for offline series (z-scored, unit noise variance assumed).

    Criterion: cost + k * penalty_per_log_n * log n + first_change_per_log_n * log n (if k > 0)
    + sum of log(segment lengths) (the MBIC length term of Zhang & Siegmund). The extra price of the first change
    keeps flat series flat; the numbers were tuned once, globally, on TCPD (bench/results/tcpd.md).
    """

    penalty_per_log_n: float = 4.5
    first_change_per_log_n: float = 3.0
    segment_length_term: bool = True
    max_changes: int = 20
    min_size: int = 2
    count_penalty_per_log_n: float = 3.0  # count series keep the negative-binomial cost and a plain BIC penalty


def is_count_series(values: FloatArray) -> bool:
    v = values[np.isfinite(values)]
    return bool(v.size > 0 and np.all(v >= 0) and np.all(np.equal(np.floor(v), v)))


def robust_standardise(values: FloatArray) -> FloatArray:
    """z-score each column as TCPDBench does; gaps carry the last value forward."""
    y = np.asarray(values, dtype=float).reshape(len(values), -1).copy()
    for j in range(y.shape[1]):
        col = y[:, j]
        bad = ~np.isfinite(col)
        if bad.all():
            col[:] = 0.0
            continue
        # carry the last value over gaps
        valid = np.where(~bad, np.arange(col.size), 0)
        np.maximum.accumulate(valid, out=valid)
        col[:] = col[valid]
        col[: np.argmax(~bad)] = col[np.argmax(~bad)]
        sd = float(np.std(col))
        y[:, j] = (col - float(np.mean(col))) / (sd if sd > 0 else 1.0)
    return y


def _l2_cost(cum: FloatArray, cum_sq: FloatArray, a: Any, b: Any) -> Any:
    """Sum of squared deviations from the segment mean, O(1) per segment from cumulative sums."""
    length = np.maximum(np.asarray(b) - np.asarray(a), 1)
    diff = cum[b] - cum[a]
    return cum_sq[b] - cum_sq[a] - (diff * diff).sum(axis=-1) / length


def _best_split(cum: FloatArray, cum_sq: FloatArray, a: int, b: int, min_size: int) -> tuple[float, int] | None:
    if b - a < 2 * min_size:
        return None
    t = np.arange(a + min_size, b - min_size + 1)
    gain = _l2_cost(cum, cum_sq, a, b) - _l2_cost(cum, cum_sq, a, t) - _l2_cost(cum, cum_sq, t, b)
    j = int(np.argmax(gain))
    return float(gain[j]), int(t[j])


def binseg_path(y: FloatArray, max_changes: int, min_size: int) -> tuple[list[list[int]], list[float]]:
    """Greedy l2 binary segmentation: the change sets with 0..max_changes changes and their total costs."""
    n = y.shape[0]
    cum = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(y, axis=0)])
    cum_sq = np.concatenate([[0.0], np.cumsum((y * y).sum(axis=1))])
    splits = {(0, n): _best_split(cum, cum_sq, 0, n, min_size)}
    changes: list[int] = []
    path: list[list[int]] = [[]]
    costs = [float(_l2_cost(cum, cum_sq, 0, n))]
    for _ in range(max_changes):
        candidates = [(v[0], seg, v[1]) for seg, v in splits.items() if v is not None]
        if not candidates:
            break
        gain, (a, b), t = max(candidates)
        del splits[(a, b)]
        splits[(a, t)] = _best_split(cum, cum_sq, a, t, min_size)
        splits[(t, b)] = _best_split(cum, cum_sq, t, b, min_size)
        changes = sorted([*changes, t])
        path.append(changes)
        costs.append(costs[-1] - gain)
    return path, costs


def select_changes(path: list[list[int]], costs: list[float], n: int, dims: int, o: OfflineOptions) -> list[int]:
    """The change set on the binseg path with the lowest penalised cost (ties keep fewer changes)."""
    # Summed over d z-scored columns the l2 gains grow with d; 1/sqrt(d) keeps multivariate series from
    # being under-segmented (an empirical scaling, checked on TCPD's two multivariate series).
    log_n = float(np.log(n)) / float(np.sqrt(dims))
    best: tuple[float, list[int]] | None = None
    for cps, cost in zip(path, costs, strict=True):
        crit = cost + len(cps) * o.penalty_per_log_n * log_n
        if cps:
            crit += o.first_change_per_log_n * log_n
        if o.segment_length_term:
            crit += float(np.sum(np.log(np.diff([0, *cps, n]))))
        if best is None or crit < best[0] - 1e-9:
            best = (crit, cps)
    return best[1] if best else []


def offline_changepoints(
    values: FloatArray, totals: FloatArray | None = None, opts: OfflineOptions | None = None
) -> list[int]:
    """0-based indices where a new regime starts (the TCPD convention), one configuration for every series.

    Count series (non-negative integers, optionally with their totals as exposure) are segmented with the
    negative-binomial count cost and a BIC penalty; anything else is z-scored and segmented with l2 by binary
    segmentation, choosing the number of changes on the binseg path by the MBIC-type criterion of OfflineOptions.
    """
    o = opts or OfflineOptions()
    v = np.asarray(values, dtype=float)
    n = v.shape[0]
    if n < 2 * o.min_size:
        return []
    try:
        if v.ndim == 1 and is_count_series(v):
            exposure = np.ones(n) if totals is None else np.asarray(totals, dtype=float)
            rate = v.sum() / max(exposure.sum(), 1e-9)
            signal = np.column_stack([v, np.clip(exposure * rate, 1e-9, None)])
            # negative binomial: real counts are overdispersed (on TCPD's count series it scores F1 0.47 where
            # the Poisson cost over-segments to 0.26)
            algo = rpt.Binseg(custom_cost=CostNegBinomial(), min_size=o.min_size, jump=1).fit(signal)
            bkps: list[int] = algo.predict(pen=o.count_penalty_per_log_n * float(np.log(n)))
        else:
            y = robust_standardise(v)
            path, costs = binseg_path(y, o.max_changes, o.min_size)
            return select_changes(path, costs, n, y.shape[1], o)
    except BadSegmentationParameters:
        return []
    return [int(b) for b in bkps if b < n]
