"""Trends split by agent: the SQL aggregation against a direct count of the seeded calls, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from core.db import Database
from core.models import TOTAL, AgentBucket, Call, CallStatus, TaxonomyVersion, Topic, TopicHit
from core.trends import BucketSize, GroupBy, TrendWindow, grouped_trends
from detect.volumes import refresh_volumes
from tests.core.test_search import postgres_url  # noqa: F401  (session fixture: a throwaway PostgreSQL server)

START = datetime(2026, 9, 7, tzinfo=UTC)
TOPICS = ("fee", "outage", "other")


@dataclass(frozen=True)
class Seeded:
    started_at: datetime
    agent: str | None
    queue: str
    topics: tuple[str, ...]
    status: CallStatus


def _seed(db: Database) -> list[Seeded]:
    rng = random.Random(7)
    edges = [START, START - timedelta(microseconds=1), START + timedelta(days=1) - timedelta(microseconds=1)]
    times = edges + [START + timedelta(seconds=rng.randrange(-86400, 4 * 86400)) for _ in range(500)]
    calls = [
        Seeded(
            t,
            rng.choice(["a1", "a2", "a3", "", None]),  # no agent and an empty one both count as ""
            rng.choice(["billing", "tech"]),
            tuple(topic for topic in TOPICS if rng.random() < 0.3),
            rng.choice(list(CallStatus)),  # only tagged calls count: topics are known for those alone
        )
        for t in times
    ]
    with db.session() as s:
        s.add(TaxonomyVersion(version=1, source=""))
        s.add_all(Topic(id=t, label=t, patterns={}, version=1) for t in TOPICS)
        for i, c in enumerate(calls):
            call = Call(
                id=f"c{i:04d}",
                started_at=c.started_at,
                agent_id=c.agent,
                queue=c.queue,
                language="en",
                status=c.status,
            )
            call.topic_hits.extend(TopicHit(topic_id=t) for t in c.topics)
            s.add(call)
    return calls


def _floor(t: datetime, bucket: BucketSize) -> datetime:
    t = t.replace(minute=0, second=0, microsecond=0)
    return t.replace(hour=0) if bucket is BucketSize.DAY else t


def _direct(calls: list[Seeded], topics: list[str], window: TrendWindow) -> list[tuple[object, ...]]:
    assert window.since is not None and window.until is not None
    step = timedelta(days=1) if window.bucket is BucketSize.DAY else timedelta(hours=1)
    inside = [
        c
        for c in calls
        if window.since <= c.started_at < window.until
        and (window.queue is None or c.queue == window.queue)
        and c.status == CallStatus.TAGGED
    ]
    buckets = [window.since + i * step for i in range(int((window.until - window.since) / step))]
    out: list[tuple[object, ...]] = []
    for topic in topics:
        for agent in sorted({c.agent or "" for c in inside}):
            mine = [c for c in inside if (c.agent or "") == agent]
            points = []
            for b in buckets:
                here = [c for c in mine if _floor(c.started_at, window.bucket) == b]
                count = sum(1 for c in here if topic == TOTAL or topic in c.topics)
                points.append((b, count, len(here), count / len(here) if here else 0.0))
            out.append((topic, (("agent", agent),), points))
    return out


WINDOWS = [
    TrendWindow(BucketSize.HOUR, START, START + timedelta(days=2)),
    TrendWindow(BucketSize.DAY, START, START + timedelta(days=3)),
    TrendWindow(BucketSize.DAY, START, START + timedelta(days=3), queue="billing"),
]


def _check(db: Database) -> None:
    calls = _seed(db)
    topics = ["fee", "outage", TOTAL]
    # first straight from the calls (no volume refresh yet), then from the hourly agent buckets
    for refreshed in (False, True):
        if refreshed:
            refresh_volumes(db)
            with db.session() as s:
                assert s.scalar(select(func.count()).select_from(AgentBucket))
        for window in WINDOWS:
            with db.session() as s:
                series = grouped_trends(s, topics, window, GroupBy.AGENT)
            got = [(g.topic, g.group, [(p.t, p.count, p.total, p.share) for p in g.points]) for g in series]
            assert got == _direct(calls, topics, window), (window, refreshed)
            assert all(p.expected is None for g in series for p in g.points)
        assert {dict(g.group)["agent"] for g in series} == {"", "a1", "a2", "a3"}


def test_agent_trends_match_a_direct_count_on_sqlite(db: Database) -> None:
    _check(db)


@pytest.mark.postgres
def test_agent_trends_match_a_direct_count_on_postgres(postgres_url: str) -> None:  # noqa: F811
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS trends_by_agent"))
        conn.execute(text("CREATE DATABASE trends_by_agent"))
    admin.dispose()
    # A session time zone far from UTC: day buckets must still be UTC days.
    url = postgres_url.rsplit("/", 1)[0] + "/trends_by_agent?options=-c%20timezone%3DPacific%2FKiritimati"
    db = Database(url)
    try:
        _check(db)
    finally:
        db.engine.dispose()
