"""Reading and registering calls for the HTTP API (uploads and transcript imports, lists and details)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from api.schemas import CallDetail, CallMetaIn, CallSummary, SegmentOut, TopicHitOut, TranscriptIn
from core.db import caller_hash_key
from core.errors import InvalidInput, NotFound
from core.models import Call, CallStatus, Segment, TopicHit
from core.recordings import recording_path
from core.redact import hash_caller_id as core_hash_caller_id
from core.redact import redact_text
from core.retention import check_after_horizon
from core.search import cursor_time, decode_cursor, encode_cursor
from core.typed_pii import redact_path


def hash_caller_id(session: Session, caller_id: str) -> str:
    """Keyed hash of a caller id, the same as ingest's: the clear number is never stored."""
    return core_hash_caller_id(caller_hash_key(session), caller_id)


def _call_row(session: Session, meta: CallMetaIn, status: CallStatus) -> Call:
    return Call(
        id=meta.call_id,
        started_at=meta.started_at,
        duration_s=meta.duration_s,
        language=meta.language.lower() if meta.language else None,
        queue=meta.queue,
        agent_id=meta.agent_id,
        caller_hash=hash_caller_id(session, meta.caller_id) if meta.caller_id else None,
        direction=meta.direction,
        status=status,
    )


def register_upload(session: Session, meta: CallMetaIn, audio_path: str) -> tuple[Call, bool]:
    """A PENDING call for uploaded audio; an existing call_id is left as it is (idempotent)."""
    existing = session.get(Call, meta.call_id)
    if existing is not None:
        return existing, False
    call = _call_row(session, meta, CallStatus.PENDING)
    call.audio_path = audio_path
    call.source_file = "upload"
    session.add(call)
    session.flush()
    return call, True


def import_transcripts(session: Session, transcripts: list[TranscriptIn]) -> tuple[list[str], list[str]]:
    """Store transcribed calls (PII redacted) waiting for tagging; call_ids already present are skipped."""
    created: list[str] = []
    existing: list[str] = []
    repeated = [cid for cid, n in Counter(t.call_id for t in transcripts).items() if n > 1]
    if repeated:  # which of the two to keep is not ours to guess; ingest keeps a file's first and reports it
        raise InvalidInput(f"call_id {repeated[0]!r} appears more than once in this request: send each call once")
    for item in transcripts:
        if session.get(Call, item.call_id) is not None:
            existing.append(item.call_id)
            continue
        check_after_horizon(session, item.started_at)
        for seg in item.segments:
            if seg.end < seg.start:
                raise InvalidInput(f"call {item.call_id}: a segment ends before it starts ({seg.start} > {seg.end})")
        call = _call_row(session, item, CallStatus.TRANSCRIBED)
        # As ingest does with an export: the hash stands in for the clear caller id it no longer has.
        call.caller_hash = call.caller_hash or item.caller_hash
        call.qa = item.qa
        call.source_file = redact_path(item.source_file) if item.source_file else "api"
        if call.duration_s is None and item.segments:
            call.duration_s = max(s.end for s in item.segments)
        for idx, seg in enumerate(sorted(item.segments, key=lambda s: s.start)):  # in time order, as ingest
            redacted = redact_text(seg.text)
            marks = [{"type": str(r.type), "start": r.start, "end": r.end} for r in seg.redactions or ()]
            marks += [{"type": str(span.kind), "start": seg.start, "end": seg.end} for span in redacted.spans]
            call.segments.append(
                Segment(
                    idx=idx,
                    start=seg.start,
                    end=seg.end,
                    speaker=seg.speaker,
                    text=redacted.text,
                    redactions=marks or None,
                )
            )
        session.add(call)
        created.append(item.call_id)
    session.flush()
    return created, existing


@dataclass(frozen=True)
class CallFilter:
    status: CallStatus | None = None
    queue: str | None = None
    language: str | None = None
    agent_id: str | None = None
    topic: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    cursor: str | None = None


def _topics_of(session: Session, call_ids: list[str]) -> dict[str, list[str]]:
    topics: dict[str, list[str]] = defaultdict(list)
    if call_ids:
        query = select(TopicHit.call_id, TopicHit.topic_id).where(TopicHit.call_id.in_(call_ids))
        for call_id, topic in session.execute(query.order_by(TopicHit.topic_id)):
            topics[call_id].append(topic)
    return topics


def _summary(call: Call, topics: list[str]) -> CallSummary:
    return CallSummary(
        call_id=call.id,
        started_at=call.started_at,
        duration_s=call.duration_s,
        language=call.language,
        queue=call.queue,
        agent_id=call.agent_id,
        direction=call.direction,
        status=str(call.status),
        topics=topics,
        error=call.error,
    )


def list_calls(session: Session, flt: CallFilter) -> tuple[list[CallSummary], str | None]:
    conds: list[ColumnElement[bool]] = []
    if flt.status == CallStatus.FAILED:  # failed at any stage: a call tagging could not take keeps its status
        conds.append(or_(Call.status == CallStatus.FAILED, Call.error.is_not(None)))
    elif flt.status is not None:
        conds.append(Call.status == flt.status)
    for col, value in (
        (Call.queue, flt.queue),
        (Call.language, flt.language),
        (Call.agent_id, flt.agent_id),
    ):
        if value is not None:
            conds.append(col == value)
    if flt.since is not None:
        conds.append(Call.started_at >= flt.since)
    if flt.until is not None:
        conds.append(Call.started_at < flt.until)
    if flt.topic is not None:
        conds.append(exists().where(TopicHit.call_id == Call.id, TopicHit.topic_id == flt.topic))
    if flt.cursor is not None:
        at, last_id = decode_cursor(flt.cursor, 2)
        t = cursor_time(at)
        conds.append(or_(Call.started_at < t, and_(Call.started_at == t, Call.id < str(last_id))))
    query = select(Call).where(*conds).order_by(Call.started_at.desc(), Call.id.desc()).limit(flt.limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    topics = _topics_of(session, [c.id for c in rows])
    cursor = encode_cursor(rows[-1].started_at, rows[-1].id) if more and rows else None
    return [_summary(c, topics.get(c.id, [])) for c in rows], cursor


def get_call(session: Session, call_id: str) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"no call {call_id!r}")
    return call


def call_detail(session: Session, call_id: str, audio_dir: Path) -> CallDetail:
    call = get_call(session, call_id)
    hits = sorted(call.topic_hits, key=lambda h: h.topic_id)
    summary = _summary(call, [h.topic_id for h in hits])
    return CallDetail(
        **summary.model_dump(),
        qa=call.qa,
        has_audio=recording_path(call.audio_path, audio_dir) is not None,
        segments=[
            SegmentOut(start=s.start, end=s.end, speaker=str(s.speaker), text=s.text, redactions=s.redactions)
            for s in call.segments
        ],
        topic_hits=[
            TopicHitOut(id=h.topic_id, matches=h.matches, first_start=h.first_start, evidence=h.evidence) for h in hits
        ],
    )
