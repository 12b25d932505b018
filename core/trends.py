"""Topic volumes and shares over time, with a seasonal expected band; the Pareto of contact reasons.

Reads the hourly `VolumeBucket` table (topic x queue x language; topic "*" counts all calls). The series and
the band live in core.trend_series, splits by queue, language or agent in core.trends_grouped; this module is
what the API and CLI call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.models import TOTAL, Alert, Topic, VolumeBucket
from core.trend_series import (
    BAND_WEEKS,
    MAX_POINTS,
    BucketSize,
    ExpectedFn,
    FloatArray,
    TrendPoint,
    TrendWindow,
    floor_bucket,
    median_expected,
    require_topic,
    resolve_window,
    topic_series,
)
from core.trends_grouped import GroupBy, GroupSeries, grouped_trends

__all__ = [
    "BAND_WEEKS",
    "MAX_POINTS",
    "BucketSize",
    "ExpectedFn",
    "FloatArray",
    "GroupBy",
    "GroupSeries",
    "ParetoRow",
    "TopicInfo",
    "TopicTrend",
    "TrendPoint",
    "TrendWindow",
    "floor_bucket",
    "grouped_trends",
    "list_topics",
    "median_expected",
    "pareto",
    "resolve_window",
    "topic_series",
    "topic_trend",
]


@dataclass(frozen=True)
class TopicInfo:
    id: str
    label: str
    speaker: str | None
    version: int
    active: bool


@dataclass(frozen=True)
class TopicTrend:
    topic: str
    bucket: BucketSize
    since: datetime
    until: datetime
    points: tuple[TrendPoint, ...]
    changepoints: tuple[datetime, ...]


@dataclass(frozen=True)
class ParetoRow:
    topic: str
    label: str | None
    count: int
    share: float
    cumulative_share: float


def list_topics(session: Session, include_inactive: bool = False) -> list[TopicInfo]:
    query = select(Topic).order_by(Topic.id)
    if not include_inactive:
        query = query.where(Topic.active.is_(True))
    return [TopicInfo(t.id, t.label, t.speaker, t.version, t.active) for t in session.scalars(query)]


def topic_trend(
    session: Session, topic: str, window: TrendWindow, expected_fn: ExpectedFn | None = median_expected
) -> TopicTrend:
    """One topic's series with its expected band and the change times of its alerts."""
    require_topic(session, topic)
    since, until, points = topic_series(session, topic, window, expected_fn)
    changes = session.scalars(
        select(Alert.change_at)
        .distinct()  # a live alert and a backtest of the same incident share their change
        .where(Alert.topic_id == topic, Alert.change_at >= since - timedelta(days=7), Alert.change_at < until)
        .order_by(Alert.change_at)
    ).all()
    return TopicTrend(topic, window.bucket, since, until, tuple(points), tuple(changes))


def pareto(session: Session, since: datetime | None = None, until: datetime | None = None) -> list[ParetoRow]:
    """Topics ranked by call volume with their cumulative share of all topic-tagged calls."""
    conds: list[ColumnElement[bool]] = [VolumeBucket.topic_id != TOTAL]
    if since is not None:
        conds.append(VolumeBucket.bucket_start >= since)
    if until is not None:
        conds.append(VolumeBucket.bucket_start < until)
    if since and until and since >= until:
        raise InvalidInput("since must be before until")
    total_col = func.sum(VolumeBucket.count)
    query = select(VolumeBucket.topic_id, total_col).where(*conds).group_by(VolumeBucket.topic_id)
    rows = sorted(((str(t), int(c or 0)) for t, c in session.execute(query)), key=lambda r: (-r[1], r[0]))
    labels = {str(i): str(label) for i, label in session.execute(select(Topic.id, Topic.label))}
    grand = sum(c for _, c in rows) or 1
    out: list[ParetoRow] = []
    cumulative = 0
    for topic, count in rows:
        cumulative += count
        out.append(ParetoRow(topic, labels.get(topic), count, count / grand, cumulative / grand))
    return out
