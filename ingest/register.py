"""Registration of calls in the database: idempotent on call_id, caller ids hashed, imported text redacted."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.db import caller_hash_key
from core.errors import InvalidInput
from core.models import Call, CallStatus, Segment
from core.progress import NoProgress, Progress
from core.records import AudioRecord, CallMeta, Redaction, SegmentData, TranscriptRecord
from core.redact import hash_caller_id, redact_text, redact_words
from core.retention import before_horizon
from core.typed_pii import redact_path
from ingest.metadata import BadRecord, ImportedTranscript

BATCH = 500
AUDIO_BATCH = 50  # each recording is hashed while read: smaller batches keep the progress bar moving
T = TypeVar("T")


@dataclass(frozen=True)
class IngestSummary:
    files: int = 0
    calls_new: int = 0
    skipped_existing: int = 0
    audio_registered: int = 0
    bad_records: tuple[BadRecord, ...] = field(default_factory=tuple)
    waiting: int = 0  # files perhaps still being written, left for a later run
    before_horizon: int = 0  # calls started before the retention horizon: not taken in again

    def __add__(self, other: IngestSummary) -> IngestSummary:
        return IngestSummary(
            files=self.files + other.files,
            calls_new=self.calls_new + other.calls_new,
            skipped_existing=self.skipped_existing + other.skipped_existing,
            audio_registered=self.audio_registered + other.audio_registered,
            bad_records=self.bad_records + other.bad_records,
            waiting=self.waiting + other.waiting,
            before_horizon=self.before_horizon + other.before_horizon,
        )

    @property
    def readable(self) -> int:
        """Records that were understood, whether new, already known or past retention."""
        return self.calls_new + self.skipped_existing + self.before_horizon


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _call_row(meta: CallMeta, caller_hash: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": meta.call_id,
        "started_at": meta.started_at,
        "duration_s": meta.duration_s,
        "language": meta.language,
        "queue": meta.queue,
        "agent_id": meta.agent_id,
        "caller_hash": caller_hash,
        "direction": meta.direction,
        **extra,
    }


def _redaction_json(redactions: Iterable[Redaction]) -> list[Any]:
    return [{"type": r.kind, "start": round(r.start, 3), "end": round(r.end, 3)} for r in redactions]


def _segment_row(call_id: str, idx: int, seg: SegmentData) -> dict[str, Any]:
    text, spans = redact_text(seg.text)
    redactions = list(seg.redactions)
    words: list[Any] | None = None
    if seg.words:
        redacted_words, word_redactions = redact_words(seg.words)
        words = [[w.start, w.end, w.text] for w in redacted_words]
        redactions.extend(word_redactions)
    elif spans:
        # Imported text has no word times: place each span proportionally inside the segment.
        length, width = max(len(seg.text), 1), seg.end - seg.start
        redactions.extend(
            Redaction(s.kind, seg.start + width * s.start / length, seg.start + width * s.end / length) for s in spans
        )
    return {
        "call_id": call_id,
        "idx": idx,
        "start": seg.start,
        "end": seg.end,
        "speaker": seg.speaker,
        "text": text,
        # Every row carries the same keys so a batch stays one executemany; the columns store None as SQL NULL.
        "words": words,
        "redactions": _redaction_json(redactions) if redactions else None,
    }


def _existing_ids(session: Session, ids: list[str]) -> set[str]:
    return set(session.scalars(select(Call.id).where(Call.id.in_(ids))))


def _transcript_rows(
    item: ImportedTranscript, key: bytes, source_file: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = item.record.meta
    caller_hash = hash_caller_id(key, meta.caller_id) if meta.caller_id else item.caller_hash
    origin = item.source_file or source_file
    call = _call_row(
        meta, caller_hash, status=CallStatus.TRANSCRIBED, source_file=redact_path(origin) if origin else None
    )
    if item.qa is not None:
        call["qa"] = item.qa
    segments = [_segment_row(meta.call_id, i, seg) for i, seg in enumerate(item.record.segments)]
    return call, segments


def _unknown(items: Sequence[T], call_id: Callable[[T], str], known: set[str]) -> tuple[list[T], int]:
    """The items whose call id is not known yet (the first of duplicates wins), adding them to ``known``;
    and how many were skipped."""
    fresh: list[T] = []
    for item in items:
        if call_id(item) not in known:
            known.add(call_id(item))
            fresh.append(item)
    return fresh, len(items) - len(fresh)


def _kept(items: list[T], started_at: Callable[[T], datetime], session: Session) -> tuple[list[T], int]:
    """The items that started after the retention horizon; and how many did not."""
    gone = before_horizon(session)
    kept = [item for item in items if not gone(started_at(item))]
    return kept, len(items) - len(kept)


def _first_of_each(
    items: list[ImportedTranscript], first_line: dict[str, int], bad: list[BadRecord], file: str
) -> list[ImportedTranscript]:
    """Records whose call id is new to this file; a repeat is reported, not counted as a call known before (the
    two may differ, and only one can be kept)."""
    out = []
    for item in items:
        call_id = item.record.meta.call_id
        if call_id in first_line:
            first = f" (first on line {first_line[call_id]})" if first_line[call_id] else ""
            reason = f"call_id {call_id!r} is repeated in this file{first}: this record is left out"
            bad.append(BadRecord(file, item.line, reason))
        else:
            first_line[call_id] = item.line
            out.append(item)
    return out


def register_transcripts(
    session: Session,
    records: Iterable[ImportedTranscript | TranscriptRecord | BadRecord],
    *,
    source_file: str | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Insert new transcribed calls with their (redacted) segments; calls already known are left untouched."""
    progress = progress or NoProgress()
    key = caller_hash_key(session)
    new = skipped = old = 0
    bad: list[BadRecord] = []
    seen: set[str] = set()
    first_line: dict[str, int] = {}
    for batch in _batches(records, BATCH):
        items = [ImportedTranscript(r) if isinstance(r, TranscriptRecord) else r for r in batch]
        bad.extend(r for r in items if isinstance(r, BadRecord))
        good = _first_of_each(
            [r for r in items if isinstance(r, ImportedTranscript)], first_line, bad, source_file or "request"
        )
        known = seen | _existing_ids(session, [r.record.meta.call_id for r in good])
        fresh, repeated = _unknown(good, lambda r: r.record.meta.call_id, known)
        fresh, past = _kept(fresh, lambda r: r.record.meta.started_at, session)
        skipped, old = skipped + repeated, old + past
        call_rows: list[dict[str, Any]] = []
        segment_rows: list[dict[str, Any]] = []
        for item in fresh:
            call, segments = _transcript_rows(item, key, source_file)
            call_rows.append(call)
            segment_rows.extend(segments)
        seen |= known
        if call_rows:
            session.execute(insert(Call), call_rows)
        if segment_rows:
            session.execute(insert(Segment), segment_rows)
        new += len(call_rows)
        progress.advance(len(batch))
    return IngestSummary(calls_new=new, skipped_existing=skipped, bad_records=tuple(bad), before_horizon=old)


def _placed(
    records: list[AudioRecord], place: Callable[[AudioRecord], AudioRecord], bad: list[BadRecord]
) -> Iterator[AudioRecord]:
    for record in records:
        try:
            yield place(record)
        except InvalidInput as exc:
            bad.append(BadRecord(record.source_file or record.audio_path, 0, exc.detail))


def register_audio(
    session: Session,
    records: Iterable[AudioRecord | BadRecord],
    *,
    progress: Progress | None = None,
    place: Callable[[AudioRecord], AudioRecord] = lambda record: record,
) -> IngestSummary:
    """Register recordings as pending calls (transcription picks them up); known call ids are skipped.
    ``place`` decides where a new call reads its recording from (it may refuse with InvalidInput)."""
    progress = progress or NoProgress()
    key = caller_hash_key(session)
    new = skipped = old = 0
    bad: list[BadRecord] = []
    seen: set[str] = set()
    for batch in _batches(records, AUDIO_BATCH):
        good = [r for r in batch if isinstance(r, AudioRecord)]
        bad.extend(r for r in batch if isinstance(r, BadRecord))
        known = seen | _existing_ids(session, [r.meta.call_id for r in good])
        fresh, repeated = _unknown(good, lambda r: r.meta.call_id, known)
        fresh, past = _kept(fresh, lambda r: r.meta.started_at, session)
        skipped, old = skipped + repeated, old + past
        rows: list[dict[str, Any]] = []
        for record in _placed(fresh, place, bad):
            caller_hash = hash_caller_id(key, record.meta.caller_id) if record.meta.caller_id else None
            rows.append(
                _call_row(
                    record.meta,
                    caller_hash,
                    status=CallStatus.PENDING,
                    audio_path=record.audio_path,
                    source_file=record.source_file or record.audio_path,
                )
            )
        seen |= known
        if rows:
            session.execute(insert(Call), rows)
        new += len(rows)
        progress.advance(len(batch))
    return IngestSummary(
        calls_new=new, skipped_existing=skipped, audio_registered=new, bad_records=tuple(bad), before_horizon=old
    )
