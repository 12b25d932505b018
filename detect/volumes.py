"""Hourly volume series (topic x queue x language, plus all calls; and topic x agent) rebuilt from tagged calls
in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from core.db import Database, utc_truncate
from core.models import TOTAL, VOLUMES_WATERMARK, AgentBucket, AppMeta, Call, CallStatus, TopicHit, VolumeBucket
from core.retention import purged_before

WATERMARK_KEY = VOLUMES_WATERMARK
_BATCH = 5000


@dataclass(frozen=True)
class VolumeReport:
    hours: int  # hourly buckets recomputed
    rows: int  # volume rows written
    full: bool


def hour_floor(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_expr(session: Session) -> ColumnElement[Any]:
    return utc_truncate(session, Call.started_at, "hour")


def _as_hour(value: Any) -> datetime:
    if isinstance(value, datetime):
        return hour_floor(value if value.tzinfo else value.replace(tzinfo=UTC))
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _grouped_rows(session: Session, start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    hour = _hour_expr(session).label("hour")
    queue = func.coalesce(Call.queue, "").label("queue")
    language = func.coalesce(Call.language, "").label("language")
    conds = _tagged(start, end)
    topics = (
        select(hour, TopicHit.topic_id, queue, language, func.count().label("n"))
        .join(TopicHit, TopicHit.call_id == Call.id)
        .where(and_(*conds))
        .group_by(hour, TopicHit.topic_id, queue, language)
    )
    totals = (
        select(hour, literal(TOTAL).label("topic_id"), queue, language, func.count().label("n"))
        .where(and_(*conds))
        .group_by(hour, queue, language)
    )
    rows: list[dict[str, Any]] = []
    for stmt in (topics, totals):
        for h, topic, q, lang, n in session.execute(stmt):
            rows.append({"bucket_start": _as_hour(h), "topic_id": topic, "queue": q, "language": lang, "count": int(n)})
    return rows


def _agent_rows(session: Session, conds: list[ColumnElement[bool]]) -> list[dict[str, Any]]:
    hour = _hour_expr(session).label("hour")
    agent = func.coalesce(Call.agent_id, "").label("agent")
    topics = (
        select(hour, TopicHit.topic_id, agent, func.count().label("n"))
        .join(TopicHit, TopicHit.call_id == Call.id)
        .where(and_(*conds))
        .group_by(hour, TopicHit.topic_id, agent)
    )
    totals = select(hour, literal(TOTAL).label("topic_id"), agent, func.count().label("n")).where(and_(*conds))
    rows: list[dict[str, Any]] = []
    for stmt in (topics, totals.group_by(hour, agent)):
        for h, topic, a, n in session.execute(stmt):
            rows.append({"bucket_start": _as_hour(h), "topic_id": topic, "agent_id": a, "count": int(n)})
    return rows


def _tagged(start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Call.status == CallStatus.TAGGED]
    if start is not None:
        conds.append(Call.started_at >= start)
    if end is not None:
        conds.append(Call.started_at < end)
    return conds


def _write(session: Session, rows: list[dict[str, Any]], start: datetime | None, end: datetime | None) -> None:
    """Volume rows, then the agent buckets of the same hours (deleted and recomputed alike)."""
    for i in range(0, len(rows), _BATCH):
        session.execute(insert(VolumeBucket), rows[i : i + _BATCH])
    session.execute(delete(AgentBucket).where(*_hours(AgentBucket.bucket_start, start, end)))
    agents = _agent_rows(session, _tagged(start, end))
    for i in range(0, len(agents), _BATCH):
        session.execute(insert(AgentBucket), agents[i : i + _BATCH])


def _hours(column: Any, start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    """Buckets in [start, end); an open end takes all on that side."""
    return [c for c in (column >= start if start else None, column < end if end else None) if c is not None]


def _set_watermark(session: Session, value: datetime | None) -> None:
    if value is None:
        return
    row = session.get(AppMeta, WATERMARK_KEY)
    text = value.astimezone(UTC).isoformat()
    if row is None:
        session.add(AppMeta(key=WATERMARK_KEY, value=text))
    else:
        row.value = text


def _watermark(session: Session) -> datetime | None:
    row = session.get(AppMeta, WATERMARK_KEY)
    return datetime.fromisoformat(row.value) if row else None


def rebuild_volumes(db: Database) -> VolumeReport:
    """Drop and recompute every bucket (after a taxonomy change re-tags history), but those of hours whose calls
    retention has removed: their counts are final."""
    with db.session() as session:
        newest = session.scalar(select(func.max(Call.updated_at)))
        start = purged_before(session)
        session.execute(delete(VolumeBucket).where(*_hours(VolumeBucket.bucket_start, start, None)))
        rows = _grouped_rows(session, start, None)
        _write(session, rows, start, None)
        _set_watermark(session, newest)
    return VolumeReport(hours=len({r["bucket_start"] for r in rows}), rows=len(rows), full=True)


def refresh_volumes(db: Database) -> VolumeReport:
    """Recompute only the hours touched by calls changed since the last refresh (any status: a call that
    left TAGGED must leave the counts too). The first run is a full rebuild."""
    with db.session() as session:
        since = _watermark(session)
    if since is None:
        return rebuild_volumes(db)
    with db.session() as session:
        changed = select(func.min(Call.started_at), func.max(Call.started_at), func.max(Call.updated_at)).where(
            Call.updated_at > since
        )
        first, last, newest = session.execute(changed).one()
        horizon = purged_before(session)
        if first is None or (horizon is not None and last < horizon):
            _set_watermark(session, newest)
            return VolumeReport(hours=0, rows=0, full=False)
        start = hour_floor(first) if horizon is None else max(hour_floor(first), horizon)
        end = hour_floor(last) + timedelta(hours=1)
        session.execute(delete(VolumeBucket).where(VolumeBucket.bucket_start >= start, VolumeBucket.bucket_start < end))
        rows = _grouped_rows(session, start, end)
        _write(session, rows, start, end)
        _set_watermark(session, newest)
    return VolumeReport(hours=int((end - start) / timedelta(hours=1)), rows=len(rows), full=False)
