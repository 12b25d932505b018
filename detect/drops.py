"""A queue (or a language) whose calls stop: its share of all calls falls to a fraction of the usual. An IVR
option removed by a change, a routing rule pointing elsewhere, a number that no longer connects: callers cannot
reach the queue, and no topic rises because their calls never arrive. The rest of the centre goes on, so the hours
are decided.

Causal and vectorised like the spike test: hour t reads hours <= t only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincc

from core.models import AlertKind
from detect.baseline import cumsum0, expected_counts
from detect.detector import BoolArray, FloatArray, IntArray
from detect.hourly import HOUR, HourlyData
from detect.incidents import Signal


@dataclass(frozen=True)
class DropOptions:
    windows: tuple[int, ...] = (3, 6, 12, 24, 48)  # hours summed: a small queue needs a day or two to tell
    max_ratio: float = 0.2  # at most this share of the usual calls ...
    min_expected: float = 30.0  # ... in hours that usually hold this many
    alpha: float = 1e-6  # and a count this low must be this improbable under the usual share


@dataclass(frozen=True)
class Drops:
    places: tuple[tuple[str, str], ...]  # (dimension, value): ("queue", "shop"), ("language", "hr")
    counts: FloatArray  # (places, hours): calls there
    expected: FloatArray  # (places, hours): calls at their usual ratio to the other calls
    alarm: BoolArray
    window: IntArray  # hours of the smallest window that alarmed


def lower_tail(observed: FloatArray, mean: FloatArray) -> FloatArray:
    """P(X <= observed) for Poisson(mean)."""
    return np.asarray(gammaincc(np.floor(observed) + 1.0, np.clip(mean, 1e-12, None)), dtype=float)


def place_drops(places: tuple[tuple[str, str], ...], counts: FloatArray, total: FloatArray, opts: DropOptions) -> Drops:
    """Each queue's (or language's) calls against their usual ratio to all other calls (same hour of the week,
    earlier weeks). The other calls, not all calls: a place whose calls stop takes its own share out of the total,
    and against the total its usual calls would be underestimated by that share."""
    others = np.clip(np.broadcast_to(total, counts.shape) - counts, 0.0, None)
    expected = expected_counts(counts, others)
    alarm = np.zeros(counts.shape, dtype=bool)
    window = np.zeros(counts.shape, dtype=np.int64)
    cx, ce = cumsum0(counts), cumsum0(np.nan_to_num(expected))
    known = cumsum0(np.isfinite(expected).astype(float))
    for w in sorted(opts.windows):
        if w > counts.shape[1]:
            continue
        xs = np.full(counts.shape, np.nan)
        es = np.full(counts.shape, np.nan)
        xs[:, w - 1 :], es[:, w - 1 :] = cx[:, w:] - cx[:, :-w], ce[:, w:] - ce[:, :-w]
        whole = np.zeros(counts.shape, dtype=bool)
        whole[:, w - 1 :] = known[:, w:] - known[:, :-w] >= w
        with np.errstate(invalid="ignore"):
            hit = whole & (es >= opts.min_expected) & (xs <= opts.max_ratio * es)
            hit &= lower_tail(np.nan_to_num(xs), np.nan_to_num(es)) < opts.alpha
        new = hit & ~alarm
        window[new] = w
        alarm |= hit
    return Drops(places, counts, expected, alarm, window)


def low_since(counts: FloatArray, expected: FloatArray, t: int, reach: int, max_ratio: float) -> int:
    """The first hour of the low stretch ending at t: back over hours at most max_ratio of their usual calls, at
    most ``reach`` hours. An hour that usually holds less than a call cannot tell: it neither ends nor starts it."""
    start = t
    for h in range(t, max(-1, t - reach), -1):
        e = expected[h]
        if not np.isfinite(e) or e < 1.0:
            continue
        if counts[h] > max_ratio * e:
            break
        start = h
    return start


MISSING_REACH = 168  # hours back that "calls missing so far" reads: a week


def missing_calls(counts: FloatArray, expected: FloatArray, t: int, max_ratio: float) -> float:
    """Calls the place usually had in its low stretch up to hour t (at most a week) but did not get."""
    start = low_since(counts, expected, t, MISSING_REACH, max_ratio)
    return float(np.nansum(expected[start : t + 1]) - counts[start : t + 1].sum())


def from_hourly(data: HourlyData, opts: DropOptions) -> Drops:
    """The calls per hour of each queue and language (all their calls, whether or not they match a topic). A
    language whose calls stop is an IVR menu option that leads nowhere, or a recogniser that no longer hears it."""
    return place_drops(data.places, data.place_totals, data.total, opts)


def drop_signals(drops: Drops, data: HourlyData, t: int, opts: DropOptions) -> list[Signal]:
    """A `volume` signal for each queue whose calls have dropped at hour t, named by it; for a language only while
    no queue drops (a line for one language is a queue too: its drop is one incident, named by the queue)."""
    out = []
    alarmed = [int(q) for q in np.flatnonzero(drops.alarm[:, t])]
    if any(drops.places[q][0] == "queue" for q in alarmed):
        alarmed = [q for q in alarmed if drops.places[q][0] == "queue"]
    for q in alarmed:
        dim, value = drops.places[q]
        w = int(drops.window[q, t])
        start = low_since(drops.counts[q], drops.expected[q], t, w, opts.max_ratio)  # no earlier than its window
        xs = float(drops.counts[q, t - w + 1 : t + 1].sum())
        es = float(np.nansum(drops.expected[q, t - w + 1 : t + 1]))
        out.append(
            Signal(
                kind=AlertKind.VOLUME,
                topic_id=None,
                phrase=None,
                dimension={dim: value},
                change_at=data.at(start),
                seen_at=data.at(t) + HOUR,
                baseline_rate=es / w,
                current_rate=xs / w,
                ratio=xs / es,
                # how big, for a drop: the calls that did not arrive so far
                excess_calls=missing_calls(drops.counts[q], drops.expected[q], t, opts.max_ratio),
            )
        )
    return out


def still_down(drops: Drops, dimension: dict[str, str], span: tuple[int, int], opts: DropOptions) -> bool | None:
    """Over hours span = (start, t): whether the place's calls are still at most half of their usual, once those
    hours usually held ``min_expected`` calls; None before (or for a place not watched)."""
    place = next(iter(dimension.items()), None)
    if place not in drops.places:
        return None
    q, (start, t) = drops.places.index(place), span
    xs = float(drops.counts[q, start : t + 1].sum())
    es = float(np.nansum(drops.expected[q, start : t + 1]))
    return None if es < opts.min_expected else xs <= 0.5 * es
