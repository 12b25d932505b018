"""Dense hourly arrays of the stored volume and phrase buckets, laid out for the vectorised detector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import TOTAL, PhraseBucket, VolumeBucket
from detect.baseline import cumsum0

FloatArray = NDArray[np.float64]
HOUR = timedelta(hours=1)
OVERALL = ""  # dimension name of a topic's all-queues, all-languages row


@dataclass(frozen=True)
class RowKey:
    topic_id: str
    dim: str  # "" (overall), "queue" or "language"
    value: str


@dataclass(frozen=True)
class HourlyData:
    start: datetime  # bucket start of column 0
    total: FloatArray  # all calls per hour
    rows: tuple[RowKey, ...]
    counts: FloatArray  # (rows, hours): topic calls in the row's slice
    totals: FloatArray  # (rows, hours): all calls in the row's slice
    phrases: tuple[str, ...]
    phrase_counts: FloatArray  # (phrases, hours)
    # every queue and language, ("queue", "shop"), with its calls per hour: those whose calls match no topic too
    places: tuple[tuple[str, str], ...]
    place_totals: FloatArray  # (places, hours)

    @property
    def hours(self) -> int:
        return int(self.total.size)

    def at(self, index: int) -> datetime:
        return self.start + index * HOUR

    def index_of(self, moment: datetime) -> int:
        return int((moment - self.start) // HOUR)


def bucket_range(session: Session) -> tuple[datetime, datetime] | None:
    first, last = session.execute(
        select(func.min(VolumeBucket.bucket_start), func.max(VolumeBucket.bucket_start))
    ).one()
    if first is None or last is None:
        return None
    return first.astimezone(UTC), last.astimezone(UTC)


def load_hourly(session: Session, start: datetime, end: datetime, min_phrase_count: float) -> HourlyData:
    """Buckets in [start, end] (inclusive bucket starts). Phrases that never reach ``min_phrase_count`` calls
    within a day are left out: they cannot alarm."""
    hours = int((end - start) // HOUR) + 1
    total = np.zeros(hours)
    slice_totals: dict[tuple[str, str], FloatArray] = {}
    series: dict[RowKey, FloatArray] = {}
    stmt = select(
        VolumeBucket.bucket_start, VolumeBucket.topic_id, VolumeBucket.queue, VolumeBucket.language, VolumeBucket.count
    ).where(VolumeBucket.bucket_start >= start, VolumeBucket.bucket_start <= end)
    for moment, topic, queue, language, count in session.execute(stmt):
        i = int((moment - start) // HOUR)
        if topic == TOTAL:
            total[i] += count
            for key in (("queue", queue), ("language", language)):
                slice_totals.setdefault(key, np.zeros(hours))[i] += count
            continue
        for row in (RowKey(topic, OVERALL, ""), RowKey(topic, "queue", queue), RowKey(topic, "language", language)):
            series.setdefault(row, np.zeros(hours))[i] += count
    rows = tuple(sorted(series, key=lambda r: (r.topic_id, r.dim, r.value)))
    counts = np.array([series[r] for r in rows]) if rows else np.zeros((0, hours))
    totals = np.array(
        [total if r.dim == OVERALL else slice_totals.get((r.dim, r.value), np.zeros(hours)) for r in rows]
    ).reshape(len(rows), hours)
    phrases, phrase_counts = _load_phrases(session, start, end, hours, min_phrase_count)
    places = tuple(sorted(k for k in slice_totals if k[1]))
    place_totals = np.array([slice_totals[k] for k in places]).reshape(len(places), hours)
    return HourlyData(start, total, rows, counts, totals, phrases, phrase_counts, places, place_totals)


def _load_phrases(
    session: Session, start: datetime, end: datetime, hours: int, min_count: float
) -> tuple[tuple[str, ...], FloatArray]:
    stmt = (
        select(PhraseBucket.bucket_start, PhraseBucket.phrase, func.sum(PhraseBucket.count))
        .where(PhraseBucket.bucket_start >= start, PhraseBucket.bucket_start <= end)
        .group_by(PhraseBucket.bucket_start, PhraseBucket.phrase)
    )
    data: dict[str, FloatArray] = {}
    for moment, phrase, count in session.execute(stmt):
        data.setdefault(phrase, np.zeros(hours))[int((moment.astimezone(UTC) - start) // HOUR)] += float(count)
    keep = [p for p, v in data.items() if _max_day(v) >= min_count]
    keep.sort()
    matrix = np.array([data[p] for p in keep]).reshape(len(keep), hours)
    return tuple(keep), matrix


def _max_day(values: FloatArray) -> float:
    c = np.concatenate([[0.0], np.cumsum(values)])
    w = min(24, values.size)
    return float(np.max(c[w:] - c[:-w])) if values.size else 0.0


def phrases_in_use(phrase_counts: FloatArray, min_count: float, reach: int = 28 * 24) -> FloatArray:
    """Per hour t: how many phrases reached ``min_count`` calls within some 24 hours of the ``reach`` hours
    before t (the phrases that could have alarmed lately). Causal, and the same in live runs and replays, which
    load at least that much history."""
    rows, hours = phrase_counts.shape
    if rows == 0 or hours < 24:
        return np.zeros(hours)
    c = cumsum0(phrase_counts)
    day = np.zeros((rows, hours))
    day[:, 23:] = c[:, 24:] - c[:, :-24]  # calls in the 24 hours ending at each hour
    reached = cumsum0((day >= min_count).astype(float))
    t = np.arange(hours)
    lately = reached[:, t] - reached[:, np.maximum(t - reach, 0)]  # hours t-reach .. t-1
    return np.asarray(np.sum(lately > 0, axis=0), dtype=float)
