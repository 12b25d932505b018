"""The transcribe job against a real SQLite database: leases, idempotency, failures that do not stop a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.transcribe_bench import EvalFile
from core.db import Database
from core.executor import LocalExecutor
from core.models import Call, CallStatus, Segment
from core.progress import NoProgress
from transcribe.job import CallJob, process_call, transcribe_pending

from .conftest import needs_speech_data, tone_or_silence

pytestmark = [pytest.mark.slow, needs_speech_data]


def _add_call(db: Database, call_id: str, audio: Path, **fields: object) -> None:
    with db.session() as session:
        session.add(
            Call(
                id=call_id,
                started_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
                audio_path=str(audio),
                status=fields.pop("status", CallStatus.PENDING),
                **fields,
            )
        )


def _call(db: Database, call_id: str) -> Call:
    with db.session() as session:
        call = session.get(Call, call_id)
        assert call is not None
        return call


def _segment_count(db: Database, call_id: str) -> int:
    with db.session() as session:
        return session.execute(select(func.count()).where(Segment.call_id == call_id)).scalar_one()


def test_bad_recordings_fail_with_reasons_while_the_batch_goes_on(
    db: Database, card_call: Path, bad_files: dict[str, Path]
) -> None:
    _add_call(db, "good", card_call, language="en")
    for kind, path in bad_files.items():
        _add_call(db, kind, path)
    _add_call(db, "missing", Path("/nonexistent/call.wav"))
    report = transcribe_pending(db.url, workers=1, retry_failed=False, progress=NoProgress())
    assert (report.transcribed, report.failed, report.skipped) == (1, 6, 0)
    assert report.audio_s > 5 and report.realtime_factor > 0
    expected = {
        "corrupt": "not a decodable",
        "empty": "empty file",
        "text": "not a decodable",
        "truncated": "truncated",
        "truncated_wav": "truncated WAV",
        "missing": "not found",
    }
    for call_id, reason in expected.items():
        call = _call(db, call_id)
        assert call.status == CallStatus.FAILED and reason in (call.error or ""), (call_id, call.error)
    good = _call(db, "good")
    assert good.status == CallStatus.TRANSCRIBED and good.language == "en" and good.lease_until is None
    with db.session() as session:
        segments = session.scalars(select(Segment).where(Segment.call_id == "good").order_by(Segment.idx)).all()
        assert [s.speaker for s in segments][:2] == ["agent", "customer"]
        stored = " ".join(s.text for s in segments)
        assert "[CARD]" in stored and not any(ch.isdigit() for ch in stored)
        assert any(r["type"] == "CARD" for s in segments for r in (s.redactions or []))
        assert all(isinstance(w[0], float) for s in segments for w in (s.words or []))


def test_expired_leases_are_taken_again_and_finished_calls_never_twice(db: Database, tmp_path: Path) -> None:
    tone = tone_or_silence(tmp_path / "tone.wav", 3, 440.0)
    now = datetime.now(UTC)
    _add_call(db, "expired", tone, status=CallStatus.TRANSCRIBING, lease_until=now - timedelta(minutes=1), attempts=1)
    _add_call(db, "leased", tone, status=CallStatus.TRANSCRIBING, lease_until=now + timedelta(hours=1), attempts=1)
    _add_call(db, "done", tone, status=CallStatus.TRANSCRIBED)
    with db.session() as session:
        session.add(Segment(call_id="done", idx=0, start=0.0, end=1.0, speaker="agent", text="hello"))
    report = transcribe_pending(db.url, workers=1, retry_failed=False, progress=NoProgress())
    assert (report.transcribed, report.failed) == (1, 0)
    assert _call(db, "expired").status == CallStatus.TRANSCRIBED
    assert _call(db, "expired").attempts == 2
    assert _call(db, "leased").status == CallStatus.TRANSCRIBING  # another worker still owns it
    # Delivered twice (Celery redelivery, a second run): the finished call is left alone.
    assert process_call(CallJob(db.url, "done", str(tone))).status == "skipped"
    assert process_call(CallJob(db.url, "expired", str(tone))).status == "skipped"
    assert _segment_count(db, "done") == 1


def test_retry_failed_and_give_up_after_repeated_crashes(db: Database, tmp_path: Path) -> None:
    tone = tone_or_silence(tmp_path / "tone.wav", 2, 440.0)
    _add_call(db, "failed", tone, status=CallStatus.FAILED, error="decoder crashed")
    old = datetime.now(UTC) - timedelta(hours=1)
    _add_call(db, "crashy", tone, status=CallStatus.TRANSCRIBING, lease_until=old, attempts=3)
    report = transcribe_pending(db.url, workers=1, retry_failed=False, progress=NoProgress())
    assert _call(db, "failed").status == CallStatus.FAILED
    assert _call(db, "crashy").status == CallStatus.FAILED and "gave up" in (_call(db, "crashy").error or "")
    report = transcribe_pending(db.url, workers=1, retry_failed=True, progress=NoProgress())
    assert report.transcribed == 2
    assert _call(db, "failed").error is None and _call(db, "failed").status == CallStatus.TRANSCRIBED


def test_process_pool_of_two(db: Database, eval_files: dict[str, EvalFile], tmp_path: Path) -> None:
    _add_call(db, "reader", Path(eval_files["librivox"].path))
    _add_call(db, "tone", tone_or_silence(tmp_path / "tone.wav", 2, 300.0))
    report = transcribe_pending(db.url, workers=2, retry_failed=False, progress=NoProgress(), executor=LocalExecutor(2))
    assert (report.transcribed, report.failed) == (2, 0)
    assert _segment_count(db, "reader") >= 3 and _segment_count(db, "tone") == 0


def test_an_upload_stored_with_an_older_relative_path_is_found(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # servers once stored uploads relative to their working directory; the file name is the content's hash
    name = "ab" * 32 + ".wav"
    uploads = tmp_path / "audio" / "uploads"  # the configured audio dir (tests/conftest.py)
    uploads.mkdir(parents=True)
    tone_or_silence(uploads / name, 3.0, None)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _add_call(db, "legacy", Path("callpulse-audio/uploads") / name)
    report = transcribe_pending(db.url, workers=1, retry_failed=False, progress=NoProgress())
    assert report.failed == 0 and _call(db, "legacy").status == CallStatus.TRANSCRIBED
