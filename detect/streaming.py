"""Causal alarms on any single series (no totals, no known seasonality): the streaming form of the detector
used for `detect-series --causal` and the NAB benchmark. An alarm at row t uses rows <= t only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from detect.changepoint import is_count_series
from detect.countcost import anscombe

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StreamOptions:
    history: int = 600  # rows of trailing history the reference level and spread come from
    min_history: int = 50  # no alarm before this many rows exist
    window: int = 3  # rows averaged before testing (one wild row is not a change)
    threshold: float = 5.0  # robust z of the recent mean against the history
    refractory: int = 300  # rows after an alarm in which no new alarm is raised (one incident, one alarm)


def _robust_level(ref: FloatArray) -> tuple[float, float]:
    med = float(np.median(ref))
    mad = 1.4826 * float(np.median(np.abs(ref - med)))
    spread = max(mad, float(np.std(ref)) * 0.1, 1e-3 * abs(med), 1e-6)
    return med, spread


def robust_scores(values: FloatArray, opts: StreamOptions | None = None) -> FloatArray:
    """|recent mean - trailing median| / trailing robust spread, per row (0 before min_history)."""
    o = opts or StreamOptions()
    x = np.asarray(values, dtype=float)
    x = np.where(np.isfinite(x), x, np.nan)
    if is_count_series(x):
        x = anscombe(x)
    x = _fill_forward(x)
    cs = np.concatenate([[0.0], np.cumsum(x)])
    scores = np.zeros(x.size)
    for t in range(o.min_history, x.size):
        ref = x[max(0, t - o.history) : t - o.window + 1]
        if ref.size < o.min_history:
            continue
        med, spread = _robust_level(ref)
        recent = (cs[t + 1] - cs[t + 1 - o.window]) / o.window
        scores[t] = abs(recent - med) / spread
    return scores


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


def causal_alarms(
    values: FloatArray, timestamps: list[datetime] | None = None, opts: StreamOptions | None = None
) -> list[int]:
    """Rows where an alarm is raised. ``timestamps`` are accepted for the series' calendar but the production
    default treats rows as equally spaced."""
    o = opts or StreamOptions()
    scores = robust_scores(values, o)
    alarms: list[int] = []
    last = -(10**9)
    for t in np.flatnonzero(scores > o.threshold):
        if t - last > o.refractory:
            alarms.append(int(t))
            last = int(t)
    return alarms
