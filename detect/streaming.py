"""Causal alarms on any single series (no totals; a daily rhythm is found from the timestamps, if given): the
streaming form of the detector used for `detect-series --causal` and the NAB benchmark.

An alarm at row t uses values of rows <= t only. The series length sets the per-series time scales (warm-up,
cool-down), as NAB sets its probationary period from the file length; it carries no information about values.

Two scores per row, both against the trailing median, with a spread that is the trailing MAD floored by a share of
the trailing standard deviation and of the range seen so far (flat or quantised series have MAD 0):
- spike: a robust z of the value itself;
- level: a robust z of the mean of the last few rows against the median before them (a shift too small to stand
  out in one row stands out in their mean), at two spans: a short one reacts within a handful of rows to a burst
  the single-row spike score calls ordinary, a longer one catches shifts too small for a handful of rows.
Each score calibrates itself per series: it is divided by a high quantile of its own past values, so 1 means "as
unusual as the rarest past rows". A third score, context novelty (`detect.streaming_context`), is the share of the
recent shape never seen before, divided by the larger of a fixed alarm share and a high quantile of its own past
(on plain noise every shape is a little new); novelty is a share of a few features, so a share equal to that bar
counts as reaching it. With timestamps of a regular spacing, a fourth score (`detect.streaming_seasonal`) compares
the mean of the last hour or so with the same time on the previous days, over a multiple of its typical daily
maximum: a slow bump of a few hours that the trailing median calls a busy hour. The alarm score is the largest of
these scores.
After an alarm, a cool-down and an optional re-arm rule (a new alarm must beat the last alarm's score, decaying)
keep one incident to one alarm; a row far stronger than the last alarm breaks through the cool-down (a real incident
right after a marginal alarm). A series that keeps raising alarms is one whose calibration undersells its own
noise, so past its first few alarms each further alarm raises the bar a little (an alarm budget).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from detect.streaming_context import context_feature_count, context_novelty
from detect.streaming_seasonal import seasonal_relative

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StreamOptions:
    history: int = 300  # trailing rows the reference level and spread come from
    std_floor: float = 0.2  # spread >= this share of the trailing standard deviation
    range_floor: float = 0.01  # spread >= this share of the largest excursion from the first value so far
    level_rows: int = 20  # rows averaged by the level score (0 turns it off)
    short_level_rows: int = 8  # rows averaged by the short-span level score (0 turns it off)
    warmup_fraction: float = 0.1  # no alarm in this share of the series (the scores need a past to calibrate) ...
    warmup_max_rows: int = 1000  # ... nor in more rows than this (a long series has a long enough past sooner)
    calibration_quantile: float = 0.999  # quantile of the series' own past scores ...
    threshold: float = 1.0  # ... times this is the alarm threshold
    recalibrate_every: int = 20  # rows between threshold updates
    refractory_fraction: float = 0.03  # share of the series after an alarm with no new alarm ...
    override_ratio: float = 3.0  # ... unless a row scores this many times the last alarm's score
    rearm_ratio: float = 0.0  # a later alarm must score above this times the last alarm's score ...
    rearm_half_life_fraction: float = 0.2  # ... which halves over this share of the series
    free_alarms: int = 5  # alarms raised at the plain threshold ...
    alarm_step: float = 0.03  # ... after which each alarm multiplies the threshold by 1 + this
    context_bins: int = 16  # value bins of the context novelty score (0 turns it off)
    context_lags: int = 5  # earlier rows in a context
    context_threshold: float = 0.6  # share of never-seen context features that raises an alarm ...
    context_quantile: float = 0.99  # ... if also above this quantile of its past (noise is always a bit novel)
    seasonal_rows: int = 12  # rows averaged by the time-of-day score (0 turns it off) ...
    seasonal_days: int = 7  # ... against the median of the same rows on this many earlier days ...
    seasonal_factor: float = 3.0  # ... alarming past this many times the median of its daily maxima


def _past_median_mad(x: FloatArray, w: int, block: int = 4096) -> tuple[FloatArray, FloatArray]:
    """Median and MAD of x[t-w:t] for every t (of all earlier rows while fewer than w exist; row 0 sees itself)."""
    med, mad = np.empty(x.size), np.empty(x.size)
    for t in range(min(w, x.size)):
        past = x[: max(t, 1)]
        med[t] = float(np.median(past))
        mad[t] = 1.4826 * float(np.median(np.abs(past - med[t])))
    if x.size > w:
        windows = sliding_window_view(x[:-1], w)  # windows[i] = x[i:i+w], the past of row i+w
        for a in range(0, windows.shape[0], block):  # blocks bound memory on long series
            win = windows[a : a + block]
            m = np.median(win, axis=1)
            med[w + a : w + a + win.shape[0]] = m
            mad[w + a : w + a + win.shape[0]] = 1.4826 * np.median(np.abs(win - m[:, None]), axis=1)
    return med, mad


def _past_std(x: FloatArray, w: int) -> FloatArray:
    """Standard deviation of x[t-w:t] (of all earlier rows while fewer than w exist)."""
    cs = np.concatenate([[0.0], np.cumsum(x)])
    cs2 = np.concatenate([[0.0], np.cumsum(x * x)])
    t = np.arange(x.size)
    lo = np.maximum(t - w, 0)
    k = np.maximum(t - lo, 1)
    mean = (cs[t] - cs[lo]) / k
    var = (cs2[t] - cs2[lo]) / k - mean * mean
    return np.asarray(np.sqrt(np.maximum(var, 0.0)), dtype=float)


def _scores(values: FloatArray, o: StreamOptions) -> tuple[FloatArray, list[FloatArray]]:
    """Spike score and one level score per configured span, per row (causal); a level score is 0 until its span
    of rows exists."""
    x = _fill_forward(np.where(np.isfinite(values), np.asarray(values, dtype=float), np.nan))
    if x.size == 0:
        return np.zeros(0), []
    med, mad = _past_median_mad(x, o.history)
    excursion = np.maximum.accumulate(np.abs(x - x[0]))
    floor = o.range_floor * excursion + 1e-6 * np.maximum.accumulate(np.abs(x)) + 1e-9
    spread = np.maximum(np.maximum(mad, o.std_floor * _past_std(x, o.history)), floor)
    spike = np.asarray(np.abs(x - med) / spread, dtype=float)
    levels = [_level(x, k, med, spread, floor) for k in (o.level_rows, o.short_level_rows) if 0 < k <= x.size]
    return spike, levels


def _level(x: FloatArray, k: int, med: FloatArray, spread: FloatArray, floor: FloatArray) -> FloatArray:
    """Mean of rows t-k+1..t against the median and spread of the rows before them (those of row t-k+1), scaled
    by sqrt(k) so spans of different lengths share one noise scale; the range floor is row t's (it only grows)."""
    level = np.zeros(x.size)
    cs = np.concatenate([[0.0], np.cumsum(x)])
    mean = (cs[k:] - cs[:-k]) / k
    ref = slice(0, x.size - k + 1)
    level[k - 1 :] = np.abs(mean - med[ref]) / np.maximum(spread[ref], floor[k - 1 :]) * np.sqrt(k)
    return level


def robust_scores(values: FloatArray, opts: StreamOptions | None = None) -> FloatArray:
    """|value - trailing median| / trailing robust spread, per row (causal)."""
    return _scores(values, opts or StreamOptions())[0]


def _fill_forward(x: FloatArray) -> FloatArray:
    bad = ~np.isfinite(x)
    if not bad.any():
        return x
    if bad.all():
        return np.zeros_like(x)
    idx = np.where(~bad, np.arange(x.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = x[idx]
    out[: int(np.argmax(~bad))] = x[int(np.argmax(~bad))]
    return out


def calibrated_thresholds(scores: FloatArray, start: int, opts: StreamOptions) -> FloatArray:
    """Per row: threshold x quantile of the scores strictly before the last recalibration (inf before start).

    Scores of the first rows (a short past, so a noisy spread) are left out of the calibration."""
    thr = np.full(scores.size, np.inf)
    step = max(1, opts.recalibrate_every)
    skip = min(opts.history // 2, start)
    for t in range(max(start, skip + 1), scores.size, step):
        thr[t : t + step] = opts.threshold * float(np.quantile(scores[skip:t], opts.calibration_quantile))
    return thr


def _relative(scores: FloatArray, start: int, o: StreamOptions) -> FloatArray:
    """Scores divided by their calibrated quantile (0 where no calibration exists yet)."""
    q = calibrated_thresholds(scores, start, o)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(np.isfinite(q), scores / np.maximum(q, 1e-12), 0.0)
    return np.asarray(rel, dtype=float)


def _context_relative(x: FloatArray, start: int, o: StreamOptions) -> FloatArray:
    """Context novelty over the larger of its calibrated past quantile and the fixed alarm share. Novelty moves in
    steps of one feature; half a step of headroom lets a share equal to the bar reach 1 rather than tie below it."""
    novelty = context_novelty(x, o.context_bins, o.context_lags)
    past = calibrated_thresholds(novelty, start, replace(o, calibration_quantile=o.context_quantile))
    step = 1.0 / context_feature_count(o.context_lags)
    return np.asarray((novelty + 0.5 * step) / np.maximum(past, o.context_threshold), dtype=float)


def warmup_rows(n: int, opts: StreamOptions | None = None) -> int:
    """Rows of a series of ``n`` rows that only build the detector's reference: no alarm comes before them."""
    o = opts or StreamOptions()
    return max(o.history, min(int(o.warmup_fraction * n), o.warmup_max_rows))


def causal_alarms(
    values: FloatArray, timestamps: list[datetime] | None = None, opts: StreamOptions | None = None
) -> list[int]:
    """Rows where an alarm is raised. ``timestamps`` (one per row) give the series' daily period for the
    time-of-day score; without them, or without a regular spacing, that score is off."""
    o = opts or StreamOptions()
    spike, levels = _scores(np.asarray(values, dtype=float), o)
    n = spike.size
    start = warmup_rows(n, o)
    unit = replace(o, threshold=1.0)
    scores = _relative(spike, start, unit)
    for level in levels:
        scores = np.maximum(scores, _relative(level, start, unit))
    if o.context_bins > 0 and n > start:
        x = _fill_forward(np.where(np.isfinite(values), np.asarray(values, dtype=float), np.nan))
        scores[start:] = np.maximum(scores[start:], _context_relative(x, start, unit)[start:])
    if timestamps is not None and len(timestamps) == n and n > start:
        x = _fill_forward(np.where(np.isfinite(values), np.asarray(values, dtype=float), np.nan))
        seasonal = seasonal_relative(x, timestamps, o.seasonal_rows, o.seasonal_days, o.seasonal_factor)
        scores[start:] = np.maximum(scores[start:], seasonal[start:])
    return select_alarms(scores, o)


def select_alarms(scores: FloatArray, o: StreamOptions) -> list[int]:
    """Rows over the threshold, thinned by the cool-down, the re-arm rule and the alarm budget (in row order, so
    each decision depends only on earlier alarms)."""
    n = scores.size
    refractory = int(o.refractory_fraction * n)
    half_life = max(o.rearm_half_life_fraction * n, 1.0)
    alarms: list[int] = []
    last, last_score = -(10**9), 0.0
    for t in np.flatnonzero(scores > o.threshold):
        if scores[t] <= o.threshold * (1.0 + o.alarm_step) ** max(0, len(alarms) + 1 - o.free_alarms):
            continue
        if t - last <= refractory and scores[t] < o.override_ratio * last_score:
            continue
        if scores[t] < o.rearm_ratio * last_score * 0.5 ** ((t - last) / half_life):
            continue
        alarms.append(int(t))
        last, last_score = int(t), float(scores[t])
    return alarms
