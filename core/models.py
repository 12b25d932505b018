"""Typed SQLAlchemy 2.0 models: the single source of the schema (Alembic migrations mirror it)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


MAX_ROW_ID = 2**31 - 1  # integer keys are 32-bit on PostgreSQL: a larger id names no row (and must not reach it)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns aware UTC datetimes (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class CallStatus(StrEnum):
    PENDING = "pending"  # audio registered, waiting for transcription
    TRANSCRIBING = "transcribing"  # leased by a worker
    TRANSCRIBED = "transcribed"  # segments stored, waiting for tagging
    TAGGED = "tagged"  # topics assigned under the active taxonomy
    FAILED = "failed"


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"


class AlertKind(StrEnum):
    TOPIC = "topic"
    EMERGING = "emerging"
    VOLUME = "volume"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Role(StrEnum):
    ANALYST = "analyst"
    QA = "qa"
    OPS = "ops"
    ADMIN = "admin"


class JobStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Call(Base):
    __tablename__ = "calls"
    # The tag job walks pending calls of one status in (started_at, id) order, batch after batch.
    __table_args__ = (Index("ix_calls_status_started", "status", "started_at", "id"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    language_probability: Mapped[float | None] = mapped_column(Float)
    queue: Mapped[str | None] = mapped_column(String(100), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(100), index=True)
    caller_hash: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[CallStatus] = mapped_column(String(20), default=CallStatus.PENDING, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column()
    source_file: Mapped[str | None] = mapped_column(Text)
    audio_path: Mapped[str | None] = mapped_column(Text)
    tagged_version: Mapped[int | None] = mapped_column(Integer)
    qa: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Segment.idx"
    )
    topic_hits: Mapped[list[TopicHit]] = relationship(back_populates="call", cascade="all, delete-orphan")


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    speaker: Mapped[Speaker] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))  # [[start, end, word], ...]
    # [{"type": "CARD", "start": s, "end": s}]
    redactions: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))

    call: Mapped[Call] = relationship(back_populates="segments")


class TaxonomyVersion(Base):
    __tablename__ = "taxonomy_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text)  # the YAML as loaded
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    speaker: Mapped[str | None] = mapped_column(String(10))
    patterns: Mapped[dict[str, Any]] = mapped_column(JSON)  # {lang: [pattern, ...]}
    version: Mapped[int] = mapped_column(ForeignKey("taxonomy_versions.version"))
    active: Mapped[bool] = mapped_column(default=True)


class TopicHit(Base):
    __tablename__ = "topic_hits"

    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    matches: Mapped[int] = mapped_column(Integer, default=1)
    first_start: Mapped[float | None] = mapped_column(Float)  # time of the first match, seconds
    evidence: Mapped[str | None] = mapped_column(Text)  # the matched words

    call: Mapped[Call] = relationship(back_populates="topic_hits")


TOTAL = "*"  # topic_id of the all-calls series in volume_buckets


class VolumeBucket(Base):
    """Calls per hour at the finest grain (topic x queue x language); coarser views are sums."""

    __tablename__ = "volume_buckets"

    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    queue: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    language: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_volume_topic_bucket", "topic_id", "bucket_start"),
        # Covers trend queries (sum of count per bucket, optionally by queue/language) without table lookups.
        Index("ix_volume_topic_bucket_cover", "topic_id", "bucket_start", "queue", "language", "count"),
    )


class AgentBucket(Base):
    """Calls per hour per topic and agent (topic "*": all calls), so trends split by agent read buckets, not calls."""

    __tablename__ = "agent_buckets"

    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_agent_topic_bucket_cover", "topic_id", "bucket_start", "agent_id", "count"),)


class PhraseBucket(Base):
    """Calls per hour that contain a candidate phrase (customer speech), for emerging-problem alerts."""

    __tablename__ = "phrase_buckets"

    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(200), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_phrase_bucket", "phrase", "bucket_start"),)


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[AlertKind] = mapped_column(String(10), index=True)
    topic_id: Mapped[str | None] = mapped_column(String(200))
    phrase: Mapped[str | None] = mapped_column(String(200))
    dimension: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    incident_key: Mapped[str] = mapped_column(String(400), index=True)
    change_at: Mapped[datetime] = mapped_column()
    detected_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime] = mapped_column()
    baseline_rate: Mapped[float] = mapped_column(Float)
    current_rate: Mapped[float] = mapped_column(Float)
    ratio: Mapped[float] = mapped_column(Float)
    # calls above the baseline since the change started: "how big" in calls, not only in rates
    excess_calls: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # the average length of the incident's calls when it was found: its extra calls in hours of agents' time
    mean_call_s: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[Severity] = mapped_column(String(10))
    status: Mapped[AlertStatus] = mapped_column(String(15), default=AlertStatus.OPEN, index=True)
    top_terms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    example_call_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # incident keys of phrases that joined this incident (and its own key before a topic took it over): a later
    # run must recognise them, not open a second alert for the same problem
    merged_keys: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    replay: Mapped[bool] = mapped_column(default=False)
    acked_by: Mapped[str | None] = mapped_column(String(200))
    acked_at: Mapped[datetime | None] = mapped_column()
    ack_comment: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolve_comment: Mapped[str | None] = mapped_column(Text)
    recovery: Mapped[str | None] = mapped_column(String(30))  # after resolve: back_to_baseline / still_elevated
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One attempt to deliver one alert, or one later word on it, to one endpoint."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    # "alert" (the incident), or "fix:" and the verdict after a resolve ("fix:back_to_baseline"): each is sent once
    event: Mapped[str] = mapped_column(String(40), default="alert", server_default="alert")
    channel: Mapped[str] = mapped_column(String(20))  # webhook / slack / email
    target: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(default=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A run of a stage (transcribe, tag, volumes, detect, deliver), for progress and audit."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[JobStatus] = mapped_column(String(10), default=JobStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    processed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[Role] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


VOLUMES_WATERMARK = "volumes_watermark"  # AppMeta key: calls changed up to here are in the hourly buckets
DETECT_WATERMARK = "detect_watermark"  # AppMeta key: the last hourly bucket live detection decided


class AppMeta(Base):
    """Small key/value facts about this installation (e.g. the generated caller-hash key)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class FileDigest(Base):
    """The content id of a recording found in a folder, by its path's keyed hash (the path may hold a phone
    number), size and change time: a drop folder read every few minutes is hashed only where files are new or
    changed, not file by file each round."""

    __tablename__ = "file_digests"

    path_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    content_id: Mapped[str] = mapped_column(String(64))
