"""Export of transcribed calls in the transcript import format (so an export can be imported again)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.errors import InvalidInput
from core.models import Call, CallStatus, Segment
from core.progress import NoProgress, Progress

EXPORT_FORMATS = ("jsonl",)
_EXPORTED_STATUSES = (CallStatus.TRANSCRIBED, CallStatus.TAGGED)
_PAGE = 500


def call_to_json(call: Call) -> dict[str, Any]:
    """One call in the transcript format, plus what tagging and QA added; caller ids only as their hash."""
    return {
        "call_id": call.id,
        "started_at": call.started_at.isoformat(),
        "duration_s": call.duration_s,
        "language": call.language,
        "queue": call.queue,
        "agent_id": call.agent_id,
        "caller_hash": call.caller_hash,
        "direction": call.direction,
        "status": str(call.status),
        "source_file": call.source_file,
        "topics": sorted(hit.topic_id for hit in call.topic_hits),
        "qa": call.qa,
        "segments": [_segment_json(seg) for seg in call.segments],
    }


def _segment_json(seg: Segment) -> dict[str, Any]:
    obj: dict[str, Any] = {"start": seg.start, "end": seg.end, "speaker": str(seg.speaker), "text": seg.text}
    if seg.redactions:
        obj["redactions"] = seg.redactions
    return obj


def iter_export(session: Session) -> Iterator[dict[str, Any]]:
    """Calls that have a transcript, oldest first; read page by page so memory stays flat."""
    after: tuple[Any, str] | None = None
    while True:
        query = (
            select(Call)
            .where(Call.status.in_(_EXPORTED_STATUSES))
            .options(selectinload(Call.segments), selectinload(Call.topic_hits))
            .order_by(Call.started_at, Call.id)
            .limit(_PAGE)
        )
        if after is not None:
            started, call_id = after
            query = query.where((Call.started_at > started) | ((Call.started_at == started) & (Call.id > call_id)))
        calls = list(session.scalars(query))
        if not calls:
            return
        for call in calls:
            yield call_to_json(call)
        after = (calls[-1].started_at, calls[-1].id)
        session.expunge_all()


def count_exportable(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Call).where(Call.status.in_(_EXPORTED_STATUSES))) or 0


def write_export(session: Session, out: IO[str], fmt: str = "jsonl", progress: Progress | None = None) -> int:
    """Write every transcribed call to `out`; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r} (supported: {', '.join(EXPORT_FORMATS)})")
    progress = progress or NoProgress()
    progress.start("export", count_exportable(session))
    written = 0
    try:
        for obj in iter_export(session):
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            written += 1
            progress.advance()
    finally:
        progress.finish()
    return written
