"""Several topics' series side by side, optionally split by queue, language or agent.

Queue and language splits read the hourly volume buckets, the agent split its own hourly agent buckets. Agent
buckets carry no queue or language, so an agent split filtered by either (or asked before the first volume
refresh has filled them) counts calls and their topic hits in one SQL aggregation instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Executable, String, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from core.db import utc_truncate
from core.errors import InvalidInput
from core.models import TOTAL, VOLUMES_WATERMARK, AgentBucket, AppMeta, Call, CallStatus, TopicHit, VolumeBucket
from core.trend_series import (
    BucketSize,
    TrendPoint,
    TrendWindow,
    bucket_step,
    require_topic,
    resolve_window,
    topic_series,
)

MAX_TOPICS = 20


class GroupBy(StrEnum):
    QUEUE = "queue"
    LANGUAGE = "language"
    AGENT = "agent"


@dataclass(frozen=True)
class GroupSeries:
    topic: str
    group: tuple[tuple[str, str], ...]  # e.g. (("queue", "billing"),)
    points: tuple[TrendPoint, ...]


def grouped_trends(
    session: Session, topics: list[str], window: TrendWindow, group_by: GroupBy | None
) -> list[GroupSeries]:
    """Several topics' series, optionally split by queue, language or agent."""
    if not topics:
        raise InvalidInput("name at least one topic")
    if len(topics) > MAX_TOPICS:
        raise InvalidInput(f"at most {MAX_TOPICS} topics per request")
    for topic in topics:
        require_topic(session, topic)
    if group_by is GroupBy.AGENT:
        return agent_trends(session, topics, window)
    out: list[GroupSeries] = []
    values = [None] if group_by is None else _group_values(session, topics, window, group_by)
    for topic in topics:
        for value in values:
            sub = window
            if group_by is GroupBy.QUEUE:
                sub = TrendWindow(window.bucket, window.since, window.until, value, window.language)
            elif group_by is GroupBy.LANGUAGE:
                sub = TrendWindow(window.bucket, window.since, window.until, window.queue, value)
            _, _, points = topic_series(session, topic, sub, expected_fn=None)
            group = () if group_by is None or value is None else ((str(group_by), value),)
            out.append(GroupSeries(topic, group, tuple(points)))
    return out


def _group_values(session: Session, topics: list[str], window: TrendWindow, group_by: GroupBy) -> list[str | None]:
    since, until = resolve_window(session, window)
    col = VolumeBucket.queue if group_by is GroupBy.QUEUE else VolumeBucket.language
    query = (
        select(col)
        .where(VolumeBucket.topic_id.in_(topics), VolumeBucket.bucket_start >= since, VolumeBucket.bucket_start < until)
        .distinct()
        .order_by(col)
    )
    return list(session.scalars(query))


def _bucket_expr(session: Session, bucket: BucketSize, column: Any = Call.started_at) -> ColumnElement[Any]:
    return utc_truncate(session, column, str(bucket))


def _agent_bucket_query(
    session: Session, topics: list[str], window: TrendWindow, since: datetime, until: datetime
) -> Executable:
    """The same rows as ``_agent_counts_query``, summed from the hourly agent buckets."""
    topics_in = AgentBucket.topic_id.in_(sorted({TOTAL, *topics}))
    in_window = (AgentBucket.bucket_start >= since, AgentBucket.bucket_start < until)
    if window.bucket is BucketSize.HOUR:  # the buckets are the rows: no per-row truncation, no sort to group
        start: Any = AgentBucket.bucket_start
        if session.get_bind().dialect.name == "sqlite":
            # SQLite keeps times as text; parsing them per row cost four times the query (the caller parses each
            # distinct hour once)
            start = type_coerce(AgentBucket.bucket_start, String)
        cols = (AgentBucket.topic_id, AgentBucket.agent_id, start, AgentBucket.count)
        return select(*cols).where(topics_in, *in_window)
    bucket = _bucket_expr(session, window.bucket, AgentBucket.bucket_start).label("bucket")
    return (
        select(
            AgentBucket.topic_id.label("topic"),
            AgentBucket.agent_id.label("agent"),
            bucket,
            func.sum(AgentBucket.count).label("n"),
        )
        .where(topics_in, *in_window)
        .group_by(AgentBucket.topic_id, AgentBucket.agent_id, bucket)
    )


def _agent_query(
    session: Session, topics: list[str], window: TrendWindow, since: datetime, until: datetime
) -> Executable:
    buckets_fit = window.queue is None and window.language is None
    if buckets_fit and session.get(AppMeta, VOLUMES_WATERMARK) is not None:
        return _agent_bucket_query(session, topics, window, since, until)
    return _agent_counts_query(session, topics, window, since, until)


def _agent_counts_query(
    session: Session, topics: list[str], window: TrendWindow, since: datetime, until: datetime
) -> Executable:
    """Rows (topic, agent, bucket, calls): all calls per agent and bucket under topic "*", then each topic's hits.

    A call without an agent counts under agent "". The bucket is text on SQLite and a naive UTC datetime on
    PostgreSQL.
    """
    bucket = _bucket_expr(session, window.bucket).label("bucket")
    agent = func.coalesce(Call.agent_id, "").label("agent")
    # tagged calls only, as in the queue/language split: an untagged call has no topics yet and would dilute shares
    conds: list[ColumnElement[bool]] = [
        Call.status == CallStatus.TAGGED,
        Call.started_at >= since,
        Call.started_at < until,
    ]
    if window.queue is not None:
        conds.append(Call.queue == window.queue)
    if window.language is not None:
        conds.append(Call.language == window.language)
    totals = (
        select(literal(TOTAL, String).label("topic"), agent, bucket, func.count().label("n"))
        .where(*conds)
        .group_by(agent, bucket)
    )
    hit_topics = sorted({t for t in topics if t != TOTAL})
    if not hit_topics:
        return totals
    hits = (
        select(TopicHit.topic_id.label("topic"), agent, bucket, func.count().label("n"))
        .join_from(Call, TopicHit, TopicHit.call_id == Call.id)
        .where(TopicHit.topic_id.in_(hit_topics), *conds)
        .group_by(TopicHit.topic_id, agent, bucket)
    )
    return union_all(totals, hits)


def _as_utc(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _agent_rows(
    session: Session, topics: list[str], window: TrendWindow, since: datetime, n: int
) -> Iterator[tuple[str, str, int, int]]:
    """(topic, agent, bucket index, calls) from the aggregation, indexes within [0, n)."""
    step = bucket_step(window.bucket)
    rows = session.execute(_agent_query(session, topics, window, since, since + n * step)).all()
    index: dict[object, int] = {}  # every agent repeats the same buckets
    for topic, agent, t, calls in rows:
        i = index.get(t)
        if i is None:
            i = index[t] = int((_as_utc(t) - since) / step)
        if 0 <= i < n:
            yield str(topic), str(agent), i, int(calls)


def agent_trends(session: Session, topics: list[str], window: TrendWindow) -> list[GroupSeries]:
    """Each topic's series per agent: calls with the topic over all the agent's calls in the bucket.

    Agents are those with at least one call in the window (after the queue/language filter), sorted by id.
    Topic "*" is all calls, so its count is the total.
    """
    since, until = resolve_window(session, window)
    step = bucket_step(window.bucket)
    n = int((until - since) / step)
    totals: dict[str, list[int]] = {}
    counts: dict[tuple[str, str], list[int]] = {}
    for topic, agent, i, calls in _agent_rows(session, topics, window, since, n):
        target = totals.setdefault(agent, [0] * n) if topic == TOTAL else counts.setdefault((topic, agent), [0] * n)
        target[i] += calls
    times = [since + i * step for i in range(n)]
    zeros = [0] * n
    out: list[GroupSeries] = []
    for topic in topics:
        for agent in sorted(totals):
            total = totals[agent]
            count = total if topic == TOTAL else counts.get((topic, agent), zeros)
            points = tuple(
                TrendPoint(t, c, m, c / m if m else 0.0) for t, c, m in zip(times, count, total, strict=True)
            )
            out.append(GroupSeries(topic, (("agent", agent),), points))
    return out
