from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from core.db import Database, caller_hash_key
from core.models import AppMeta, Call, CallStatus, Segment
from core.records import TranscriptRecord
from core.redact import hash_caller_id
from core.retention import PURGED_BEFORE
from ingest.job import ingest_paths
from ingest.metadata import BadRecord, ImportedTranscript
from ingest.register import register_transcripts
from ingest.transcripts import read_transcripts
from tests.ingest.conftest import call_obj, write_jsonl, write_wav

PII_TEXT = (
    "My card number is 4561 2345 6789 0123, expiry 12/27. Call me on +385 91 234 5678 "
    "or mail ivan.horvat@example.com, or john dot smith at example dot com."
)


def test_ingest_twice_adds_nothing_the_second_time(db: Database, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("a"), call_obj("b"), call_obj("a")])
    first = ingest_paths(db, [path])
    assert (first.files, first.calls_new, first.skipped_existing) == (1, 2, 0)
    # a call id repeated within one file is not a call known from before: the record left out is reported
    assert [(b.line, b.reason) for b in first.bad_records] == [
        (3, "call_id 'a' is repeated in this file (first on line 1): this record is left out")
    ]
    second = ingest_paths(db, [path])
    assert (second.calls_new, second.skipped_existing, second.readable, len(second.bad_records)) == (0, 2, 2, 1)
    with db.session() as session:
        assert session.scalar(text("select count(*) from calls")) == 2
        assert session.scalar(text("select count(*) from segments")) == 4


def test_existing_call_is_left_unchanged(db: Database, tmp_path: Path) -> None:
    ingest_paths(db, [write_jsonl(tmp_path / "v1.jsonl", [call_obj("a", queue="billing")])])
    ingest_paths(db, [write_jsonl(tmp_path / "v2.jsonl", [call_obj("a", queue="tech", segments=[])])])
    with db.session() as session:
        call = session.get(Call, "a")
        assert call is not None
        assert call.queue == "billing"
        assert len(call.segments) == 2


def test_transcripts_are_stored_as_transcribed_with_segments(db: Database, tmp_path: Path) -> None:
    summary = ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", [call_obj("a")])])
    assert summary.bad_records == ()
    with db.session() as session:
        call = session.get(Call, "a")
        assert call is not None
        assert call.status == CallStatus.TRANSCRIBED
        assert call.queue == "billing"
        assert call.source_file == str((tmp_path / "c.jsonl").resolve())
        assert [(s.idx, s.speaker, s.text) for s in call.segments] == [
            (0, "agent", "Good morning, how can I help?"),
            (1, "customer", "There is a paper bill fee on my bill."),
        ]


def test_caller_id_is_never_stored_in_clear(db: Database, tmp_path: Path) -> None:
    ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", [call_obj("a", caller_id="+385915550101")])])
    with db.session() as session:
        stored = session.scalar(select(Call.caller_hash).where(Call.id == "a"))
        key = caller_hash_key(session)
    assert stored == hash_caller_id(key, "+385 91 555 0101")  # formatting does not change the hash
    assert stored is not None and len(stored) == 64
    db.engine.dispose()  # closes connections so the WAL is checkpointed into the file
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))
    assert b"5550101" not in raw
    assert "5550101".encode("utf-16-le") not in raw


def test_pii_in_imported_text_is_redacted(db: Database, tmp_path: Path) -> None:
    segments = [{"start": 10.0, "end": 20.0, "speaker": "customer", "text": PII_TEXT}]
    ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", [call_obj("a", segments=segments)])])
    with db.session() as session:
        seg = session.scalars(select(Segment)).one()
        assert seg.text == (
            "My card number is [CARD], expiry [EXPIRY]. Call me on [PHONE] or mail [EMAIL], or [EMAIL]."
        )
        assert seg.redactions is not None
        assert [r["type"] for r in seg.redactions] == ["CARD", "EXPIRY", "PHONE", "EMAIL", "EMAIL"]
        assert all(10.0 <= r["start"] <= r["end"] <= 20.0 for r in seg.redactions)
        hits = session.execute(text("select count(*) from segments_fts where segments_fts match 'horvat'")).scalar()
        assert hits == 0
    db.engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))
    for secret in (b"4561 2345", b"6789 0123", b"234 5678", b"ivan.horvat", b"smith"):
        assert secret not in raw


def test_register_accepts_plain_records_and_bad_ones(db: Database, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [call_obj("a"), {"call_id": "b"}])
    items = list(read_transcripts(path))
    plain: list[TranscriptRecord | BadRecord] = [i.record if isinstance(i, ImportedTranscript) else i for i in items]
    with db.session() as session:
        summary = register_transcripts(session, plain)
    assert summary.calls_new == 1
    assert [b.line for b in summary.bad_records] == [2]


def test_bad_records_do_not_stop_the_file(db: Database, tmp_path: Path) -> None:
    lines = [call_obj("a"), "{oops", call_obj("b", started_at="2026-10-26 09:00"), call_obj("c")]
    summary = ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", lines)])
    assert summary.calls_new == 2
    assert [(b.line, b.reason.split(":")[0]) for b in summary.bad_records] == [
        (2, "invalid JSON"),
        (3, "started_at has no UTC offset"),
    ]


def test_segments_without_words_or_pii_store_sql_null(db: Database, tmp_path: Path) -> None:
    segments = [
        {"start": 0.0, "end": 5.0, "speaker": "agent", "text": "Good morning."},
        {"start": 5.0, "end": 9.0, "speaker": "customer", "text": "My card is 4561 2345 6789 0123."},
        {"start": 9.0, "end": 12.0, "speaker": "customer", "text": "Thanks."},
    ]
    ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", [call_obj("a", segments=segments)])])
    with db.session() as session:
        rows = session.execute(
            text("select idx, words is null, redactions is null, json_type(redactions) from segments order by idx")
        ).all()
    assert [tuple(r) for r in rows] == [(0, 1, 1, None), (1, 1, 0, "array"), (2, 1, 1, None)]


def test_segments_are_stored_in_time_order_whatever_the_file_order(db: Database, tmp_path: Path) -> None:
    """Some exports list one channel's turns, then the other's: the conversation is stored as it was spoken."""
    turns = [
        {"start": 0.5, "end": 3.0, "speaker": "agent", "text": "Good morning."},
        {"start": 9.0, "end": 11.0, "speaker": "agent", "text": "Let me check."},
        {"start": 3.2, "end": 8.0, "speaker": "customer", "text": "There is a fee on my bill."},
        {"start": 9.0, "end": 10.0, "speaker": "customer", "text": "Thanks."},
    ]
    ingest_paths(db, [write_jsonl(tmp_path / "c.jsonl", [call_obj("a", segments=turns)])])
    with db.session() as session:
        rows = session.execute(select(Segment.idx, Segment.start, Segment.text).order_by(Segment.idx)).all()
    assert [(r.idx, r.start, r.text) for r in rows] == [
        (0, 0.5, "Good morning."),
        (1, 3.2, "There is a fee on my bill."),
        (2, 9.0, "Let me check."),  # equal starts keep the file's order
        (3, 9.0, "Thanks."),
    ]


def test_calls_older_than_the_retention_horizon_are_not_registered_again(db: Database, tmp_path: Path) -> None:
    # a drop folder still holds recordings and exports whose calls retention removed: taken in again, they would
    # be transcribed again and purged again every round, into hours whose counts are final
    with db.session() as session:
        session.add(AppMeta(key=PURGED_BEFORE, value="2026-10-01T00:00:00+00:00"))
    (tmp_path / "drop").mkdir()
    old = write_wav(tmp_path / "drop" / "old.wav")
    os.utime(old, (datetime(2026, 9, 3, tzinfo=UTC).timestamp(),) * 2)
    write_wav(tmp_path / "drop" / "new.wav", freq=330.0)
    write_jsonl(
        tmp_path / "drop" / "calls.jsonl",
        [call_obj("kept"), call_obj("gone", started_at="2026-09-30T23:59:00+00:00")],
    )
    summary = ingest_paths(db, [tmp_path / "drop"])
    assert (summary.calls_new, summary.before_horizon, summary.readable, summary.bad_records) == (2, 2, 4, ())
    with db.session() as session:
        assert sorted(c.started_at >= datetime(2026, 10, 1, tzinfo=UTC) for c in session.scalars(select(Call))) == [
            True,
            True,
        ]


def test_a_record_with_a_nul_is_a_bad_record_and_the_next_goes_in(db: Database, tmp_path: Path) -> None:
    # PostgreSQL text cannot hold a NUL: inserted, it failed the whole file
    path = write_jsonl(tmp_path / "nul.jsonl", [call_obj("a", queue="bil\x00ling"), call_obj("b")])
    summary = ingest_paths(db, [path])
    assert summary.calls_new == 1
    assert [(b.line, b.reason) for b in summary.bad_records] == [(1, "queue: NUL characters are not allowed")]


def test_a_sidecar_with_a_nul_fails_its_recording(db: Database, tmp_path: Path) -> None:
    write_wav(tmp_path / "c1.wav")
    (tmp_path / "c1.json").write_text(json.dumps({"call_id": "c1", "agent_id": "a\x00"}))
    summary = ingest_paths(db, [tmp_path])
    assert summary.calls_new == 0
    assert [b.reason for b in summary.bad_records] == [
        f"{tmp_path / 'c1.json'}: agent_id: NUL characters are not allowed"
    ]
