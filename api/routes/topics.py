"""Topics, their trends with the expected band, multi-topic trends and the Pareto report (role: analyst)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AnalystKey, SessionDep
from api.schemas import (
    LanguageQuery,
    Moment,
    ParetoItem,
    ParetoPage,
    PointOut,
    SeriesOut,
    SeriesPage,
    TopicOut,
    TopicPage,
    TopicTrendOut,
    problem_responses,
)
from core import trends
from core.trends import BucketSize, GroupBy, TrendWindow
from detect.baseline import expected_counts

router = APIRouter(tags=["trends"])
Text = Annotated[str | None, Query(max_length=100)]


@router.get("/topics", summary="Topics of the active taxonomy (role: analyst)", response_model=TopicPage)
def list_topics(session: SessionDep, _key: AnalystKey) -> TopicPage:
    return TopicPage(items=[TopicOut(**asdict(t)) for t in trends.list_topics(session)])


@router.get(
    "/topics/{topic_id}/trend",
    summary="A topic's volume and share per bucket, the expected band and change points (role: analyst)",
    response_model=TopicTrendOut,
    responses=problem_responses(400, 404),
)
def topic_trend(
    topic_id: str,
    session: SessionDep,
    _key: AnalystKey,
    bucket: BucketSize = BucketSize.HOUR,
    since: Moment | None = None,
    until: Moment | None = None,
    queue: Text = None,
    language: LanguageQuery = None,
) -> TopicTrendOut:
    window = TrendWindow(bucket, since, until, queue, language)
    # The detector's own seasonal baseline, so the chart's band is what the alerts were judged against.
    result = trends.topic_trend(session, topic_id, window, expected_counts)
    return TopicTrendOut(
        topic=result.topic,
        bucket=str(result.bucket),
        since=result.since,
        until=result.until,
        points=[PointOut(**asdict(p)) for p in result.points],
        changepoints=list(result.changepoints),
    )


@router.get(
    "/trends",
    summary="Several topics' series, optionally split by queue, language or agent (role: analyst)",
    response_model=SeriesPage,
    responses=problem_responses(400),
)
def multi_trends(
    session: SessionDep,
    _key: AnalystKey,
    topics: Annotated[str, Query(max_length=2000, description="Comma-separated topic ids")],
    bucket: BucketSize = BucketSize.HOUR,
    since: Moment | None = None,
    until: Moment | None = None,
    group_by: GroupBy | None = None,
    queue: Text = None,
    language: LanguageQuery = None,
) -> SeriesPage:
    names = [t.strip() for t in topics.split(",") if t.strip()]
    series = trends.grouped_trends(session, names, TrendWindow(bucket, since, until, queue, language), group_by)
    return SeriesPage(
        items=[
            SeriesOut(topic=s.topic, group=dict(s.group), points=[PointOut(**asdict(p)) for p in s.points])
            for s in series
        ]
    )


@router.get(
    "/reports/pareto",
    summary="Topics ranked by call volume with cumulative share (role: analyst)",
    response_model=ParetoPage,
    responses=problem_responses(400),
)
def pareto(
    session: SessionDep, _key: AnalystKey, since: Moment | None = None, until: Moment | None = None
) -> ParetoPage:
    return ParetoPage(items=[ParetoItem(**asdict(r)) for r in trends.pareto(session, since, until)])
