"""Response and request shapes of the HTTP API (Pydantic lives only at this edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.models import AlertKind, AlertStatus, Severity, Speaker
from core.moments import out_of_range
from core.records import (
    CALL_ID_PATTERN,
    MAX_SECONDS,
    MAX_SEGMENT_CHARS,
    MAX_SEGMENTS,
    TEXT_FIELD_CHARS,
    implausible_start,
    language_code,
)
from core.redact import PERSONAL_ID_MESSAGE, PiiKind, identifier_pii, redact_values


def _in_range(moment: datetime) -> datetime:
    problem = out_of_range(moment)
    if problem:
        raise ValueError(problem)
    return moment


# A time a query names (since, until): with an offset, within years date arithmetic can move through.
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]


def _folded(language: str | None) -> str | None:
    return language.lower() if language else language


# A language a query filters by: stored lower case ("HR" is stored as "hr"), so the filter folds it the same way.
LanguageQuery = Annotated[str | None, Query(max_length=100), AfterValidator(_folded)]


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for problem+json error responses."""
    ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
    return {
        s: {"model": Problem, "description": "Problem", "content": {"application/problem+json": ref}} for s in statuses
    }


class AlertOut(BaseModel):
    id: int
    kind: AlertKind
    topic: str | None
    phrase: str | None
    dimension: dict[str, Any]
    change_at: str | None
    detected_at: str | None
    baseline_rate: float
    current_rate: float
    ratio: float
    excess_calls: float = 0.0  # calls above baseline since change_at: how big, in calls
    mean_call_s: float | None = None  # average length of the incident's calls, when known
    extra_call_hours: float | None = None  # excess_calls at that length: how big, in agents' talk time
    severity: Severity
    status: AlertStatus
    top_terms: list[Any]
    example_call_ids: list[Any]
    last_seen_at: str | None = None
    replay: bool = False
    acked_by: str | None = None
    acked_at: str | None = None
    ack_comment: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None
    resolve_comment: str | None = None
    recovery: str | None = None


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


class AlertExampleOut(BaseModel):
    call_id: str
    started_at: datetime | None
    queue: str | None
    language: str | None
    segment_start: float | None
    speaker: str | None
    snippet: str | None
    evidence: str | None


class DeliveryOut(BaseModel):
    channel: str
    target: str = Field(description="An e-mail address, or a webhook's scheme and host (its path holds its token)")
    event: str = Field(description="alert, or fix:<verdict> (the verdict on its fix, after a resolve)")
    attempts: int
    delivered: bool
    last_at: datetime
    last_error: str | None


class AlertDetail(AlertOut):
    examples: list[AlertExampleOut]
    deliveries: list[DeliveryOut] = Field(default_factory=list, description="Per destination and event")


class AlertAction(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt "comment" must not drop the note silently

    comment: str | None = Field(None, max_length=2000)


class SearchItem(BaseModel):
    call_id: str
    segment_start: float
    segment_end: float
    speaker: str
    snippet: str = Field(description="Segment text, HTML-escaped, with matches in <mark>…</mark>")
    started_at: datetime
    queue: str | None
    language: str | None
    agent_id: str | None


class SearchPageOut(BaseModel):
    items: list[SearchItem]
    next_cursor: str | None


class TopicOut(BaseModel):
    id: str
    label: str
    speaker: str | None
    version: int
    active: bool


class TopicPage(BaseModel):
    items: list[TopicOut]
    next_cursor: str | None = None


class PointOut(BaseModel):
    t: datetime
    count: int
    total: int
    share: float
    expected: float | None = None
    lower: float | None = None
    upper: float | None = None


class TopicTrendOut(BaseModel):
    topic: str
    bucket: str
    since: datetime
    until: datetime
    points: list[PointOut]
    changepoints: list[datetime]


class SeriesOut(BaseModel):
    topic: str
    group: dict[str, str]
    points: list[PointOut]


class SeriesPage(BaseModel):
    items: list[SeriesOut]
    next_cursor: str | None = None


class ParetoItem(BaseModel):
    topic: str
    label: str | None
    count: int
    share: float
    cumulative_share: float


class ParetoPage(BaseModel):
    items: list[ParetoItem]
    next_cursor: str | None = None


class RedactionIn(BaseModel):
    # A misspelt key must not be dropped silently: its value would be lost.
    model_config = ConfigDict(extra="forbid")

    type: PiiKind
    start: float = Field(ge=0, le=1e6, allow_inf_nan=False)
    end: float = Field(ge=0, le=1e6, allow_inf_nan=False)


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    end: float = Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    speaker: Speaker = Speaker.UNKNOWN
    text: str = Field(max_length=MAX_SEGMENT_CHARS)
    redactions: list[RedactionIn] | None = Field(
        None, max_length=1000, description="PII spans an export carries; kept beside those found on import"
    )


class CallMetaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=TEXT_FIELD_CHARS["call_id"], pattern=CALL_ID_PATTERN)
    started_at: AwareDatetime
    duration_s: float | None = Field(None, ge=0, le=MAX_SECONDS, allow_inf_nan=False)
    language: str | None = Field(
        None, max_length=TEXT_FIELD_CHARS["language"], description="ISO 639-1 code, e.g. en (case is ignored)"
    )
    queue: str | None = Field(None, max_length=TEXT_FIELD_CHARS["queue"])
    agent_id: str | None = Field(None, max_length=TEXT_FIELD_CHARS["agent_id"])
    caller_id: str | None = Field(None, max_length=TEXT_FIELD_CHARS["caller_id"])
    direction: str | None = Field(None, max_length=TEXT_FIELD_CHARS["direction"])

    @field_validator("call_id", mode="before")
    @classmethod
    def _trimmed(cls, value: Any) -> Any:
        """As ingest reads it: " c1 " is call c1, and blanks are no id."""
        return value.strip() if isinstance(value, str) else value

    @field_validator("call_id", "queue", "agent_id", "direction")
    @classmethod
    def _no_personal_data(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or (info.field_name == "call_id" and (info.context or {}).get("generated_call_id")):
            return value
        kind = identifier_pii(value)
        if kind is not None:
            raise ValueError(PERSONAL_ID_MESSAGE.format(kind=kind.lower()))
        return value

    @field_validator("started_at")
    @classmethod
    def _plausible_start(cls, value: datetime) -> datetime:
        problem = implausible_start(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("language")
    @classmethod
    def _iso_639_1(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = language_code(value)
        if code is None:
            raise ValueError(f"must be a two-letter ISO 639-1 code such as 'en', not {value!r}")
        return code


class TranscriptIn(CallMetaIn):
    segments: list[SegmentIn] = Field(default_factory=list, max_length=MAX_SEGMENTS)
    # What an export adds, so an export can be imported again; topics and status are recomputed by tagging.
    caller_hash: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="Keyed caller hash of an export")
    qa: dict[str, Any] | None = None
    topics: list[str] | None = Field(None, max_length=1000)
    status: str | None = Field(None, max_length=20)
    source_file: str | None = Field(None, max_length=1000)

    @field_validator("qa")
    @classmethod
    def _qa_without_pii(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if value is None else cast(dict[str, Any], redact_values(value))


class ImportResult(BaseModel):
    created: list[str]
    existing: list[str]


class UploadResult(BaseModel):
    call_id: str
    status: str
    created: bool
    content_type: str
    size: int


class CallSummary(BaseModel):
    call_id: str
    started_at: datetime
    duration_s: float | None
    language: str | None
    queue: str | None
    agent_id: str | None
    direction: str | None
    status: str
    topics: list[str]
    error: str | None = None  # why a stage failed: transcription (status failed) or tagging (status kept)


class CallPage(BaseModel):
    items: list[CallSummary]
    next_cursor: str | None


class SegmentOut(BaseModel):
    start: float
    end: float
    speaker: str
    text: str
    redactions: list[Any] | None = None


class TopicHitOut(BaseModel):
    id: str
    matches: int
    first_start: float | None
    evidence: str | None


class CallDetail(CallSummary):
    qa: dict[str, Any] | None
    has_audio: bool
    segments: list[SegmentOut]
    topic_hits: list[TopicHitOut]


class TaxonomyTopicOut(BaseModel):
    id: str
    label: str
    speaker: str | None
    patterns: dict[str, Any]


class TaxonomyOut(BaseModel):
    version: int | None
    loaded_at: datetime | None
    source: str | None
    topics: list[TaxonomyTopicOut]


class TaxonomyInstalled(TaxonomyOut):
    calls_to_retag: int


class Health(BaseModel):
    status: str
