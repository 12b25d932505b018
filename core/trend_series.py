"""One topic's counts, totals and shares per bucket from the hourly `VolumeBucket` table, with a seasonal band.

The expected count comes from a pluggable hourly baseline (by default the same-hour-of-week median share of the
previous weeks times the hour's total), summed per bucket, with a Poisson-style +-2 sqrt band around it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound
from core.models import TOTAL, Topic, VolumeBucket

BAND_WEEKS = 4
FloatArray = NDArray[np.float64]
MAX_POINTS = 24 * 120


class BucketSize(StrEnum):
    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True)
class TrendWindow:
    bucket: BucketSize = BucketSize.HOUR
    since: datetime | None = None
    until: datetime | None = None
    queue: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class TrendPoint:
    t: datetime
    count: int
    total: int
    share: float
    expected: float | None = None
    lower: float | None = None
    upper: float | None = None


def floor_bucket(t: datetime, bucket: BucketSize) -> datetime:
    t = t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return t.replace(hour=0) if bucket is BucketSize.DAY else t


def bucket_step(bucket: BucketSize) -> timedelta:
    return timedelta(days=1) if bucket is BucketSize.DAY else timedelta(hours=1)


def resolve_window(session: Session, window: TrendWindow) -> tuple[datetime, datetime]:
    """Fill missing ends from the data: until = after the newest bucket, since = 7 (hour) or 56 (day) days back."""
    until = window.until
    if until is None:
        newest = session.scalar(select(func.max(VolumeBucket.bucket_start)))
        until = (newest or datetime.now(UTC)) + timedelta(hours=1)
    until = floor_bucket(until + bucket_step(window.bucket) - timedelta(microseconds=1), window.bucket)
    span = timedelta(days=56) if window.bucket is BucketSize.DAY else timedelta(days=7)
    since = floor_bucket(window.since, window.bucket) if window.since else until - span
    if since >= until:
        raise InvalidInput("since must be before until")
    if (until - since) / bucket_step(window.bucket) > MAX_POINTS:
        raise InvalidInput(f"window too long: at most {MAX_POINTS} {window.bucket} buckets")
    return since, until


def require_topic(session: Session, topic: str) -> None:
    """NotFound unless the topic is in the taxonomy (any version) or still has volumes."""
    if topic != TOTAL and session.get(Topic, topic) is None:
        known = session.scalar(select(VolumeBucket.topic_id).where(VolumeBucket.topic_id == topic).limit(1))
        if known is None:
            raise NotFound(f"no topic {topic!r}")


ExpectedFn = Callable[[FloatArray, FloatArray], FloatArray]


def median_expected(counts: FloatArray, totals: FloatArray) -> FloatArray:
    """Expected hourly counts: median share of the same hour in the previous weeks times the hour's total.

    A self-contained stand-in; the API and CLI pass detect.baseline.expected_counts so the chart shows
    the detector's own baseline.
    """
    c, n = np.atleast_2d(counts), np.atleast_2d(totals)
    week = 7 * 24
    lagged = np.full((BAND_WEEKS, *c.shape), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, c / n, np.nan)
    for k in range(1, BAND_WEEKS + 1):
        if k * week < c.shape[1]:
            lagged[k - 1, :, k * week :] = share[:, : -k * week]
    have = np.isfinite(lagged).any(axis=0)
    med = np.nanmedian(np.where(have, lagged, 0.0), axis=0)
    return np.where(have, med * n, np.nan)


def _hour_index(value: object, start: datetime, keys: dict[str, int]) -> int:
    if isinstance(value, str):
        if value[:13] in keys:
            return keys[value[:13]]
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int((value - start) / timedelta(hours=1))


def _hourly(
    session: Session, topics: tuple[str, ...], start: datetime, until: datetime, window: TrendWindow
) -> dict[str, FloatArray]:
    """Hourly sums per topic over [start, until), zero where there is no bucket."""
    conds: list[ColumnElement[bool]] = [
        VolumeBucket.topic_id.in_(topics),
        VolumeBucket.bucket_start >= start,
        VolumeBucket.bucket_start < until,
    ]
    if window.queue is not None:
        conds.append(VolumeBucket.queue == window.queue)
    if window.language is not None:
        conds.append(VolumeBucket.language == window.language)
    hours = int((until - start) / timedelta(hours=1))
    keys: dict[str, int] = {}
    bucket_col: Any = VolumeBucket.bucket_start
    if session.get_bind().dialect.name == "sqlite":
        # Reading the stored text and looking it up is several times faster than building datetimes per row.
        bucket_col = type_coerce(VolumeBucket.bucket_start, String)
        first = start.replace(tzinfo=None)
        keys = {(first + timedelta(hours=i)).isoformat(" ", "hours"): i for i in range(hours)}
    query = (
        select(VolumeBucket.topic_id, bucket_col, func.sum(VolumeBucket.count))
        .where(*conds)
        .group_by(VolumeBucket.topic_id, VolumeBucket.bucket_start)
    )
    out = {t: np.zeros(hours) for t in topics}
    for topic, t, count in session.connection().execute(query):
        i = _hour_index(t, start, keys)
        if 0 <= i < hours:
            out[topic][i] += float(count or 0)
    return out


def _per_bucket(values: FloatArray, bucket: BucketSize) -> FloatArray:
    return values.reshape(-1, 24).sum(axis=1) if bucket is BucketSize.DAY else values


def topic_series(
    session: Session, topic: str, window: TrendWindow, expected_fn: ExpectedFn | None = median_expected
) -> tuple[datetime, datetime, list[TrendPoint]]:
    """Counts, totals and shares per bucket; with expected_fn also the expected count and a +-2 sqrt band."""
    since, until = resolve_window(session, window)
    lead = timedelta(weeks=BAND_WEEKS + 1) if expected_fn else timedelta(0)
    series = _hourly(session, (topic, TOTAL), since - lead, until, window)
    counts, totals = series[topic], series[TOTAL]
    skip = int(lead / timedelta(hours=1))
    c, n = _per_bucket(counts[skip:], window.bucket), _per_bucket(totals[skip:], window.bucket)
    expected: FloatArray | None = None
    if expected_fn is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN medians where there is no history yet
            hourly = np.atleast_2d(expected_fn(counts, totals))[0][skip:]
        expected = _per_bucket(hourly, window.bucket)
    points: list[TrendPoint] = []
    step = bucket_step(window.bucket)
    for i in range(len(c)):
        count, total = int(c[i]), int(n[i])
        share = count / total if total else 0.0
        e = float(expected[i]) if expected is not None else math.nan
        if math.isnan(e):
            points.append(TrendPoint(since + i * step, count, total, share))
            continue
        spread = 2 * math.sqrt(max(e, 0.0))
        points.append(TrendPoint(since + i * step, count, total, share, e, max(0.0, e - spread), e + spread))
    return since, until, points
