from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import InvalidInput
from core.models import Call, CallStatus
from ingest.audio import file_call_id
from ingest.job import ingest_paths
from tests.ingest.conftest import call_obj, write_jsonl, write_wav


def _calls(db: Database) -> dict[str, Call]:
    with db.session() as session:
        return {c.id: c for c in session.scalars(select(Call))}


def test_sidecar_with_audio_name_or_stem(db: Database, tmp_path: Path) -> None:
    a = write_wav(tmp_path / "call1.wav", freq=300)
    (tmp_path / "call1.wav.json").write_text(
        json.dumps({"call_id": "side-1", "started_at": "2026-11-02T10:00:00Z", "queue": "billing"}), encoding="utf-8"
    )
    b = write_wav(tmp_path / "call2.opus", freq=500)  # ingest does not decode; the name decides
    (tmp_path / "call2.json").write_text(
        json.dumps({"call_id": "side-2", "started_at": "2026-11-02T11:00:00+01:00", "caller_id": "+36 1 234 5678"}),
        encoding="utf-8",
    )
    summary = ingest_paths(db, [tmp_path])
    assert (summary.calls_new, summary.audio_registered, summary.bad_records) == (2, 2, ())
    calls = _calls(db)
    assert calls["side-1"].status == CallStatus.PENDING
    assert calls["side-1"].audio_path == str(a.resolve())
    assert calls["side-1"].queue == "billing"
    assert calls["side-2"].audio_path == str(b.resolve())
    assert calls["side-2"].started_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert calls["side-2"].caller_hash is not None and "5678" not in calls["side-2"].caller_hash


def test_manifest_csv_in_folder_and_explicit(db: Database, tmp_path: Path) -> None:
    rec = tmp_path / "rec"
    rec.mkdir()
    write_wav(rec / "x.wav", freq=310)
    write_wav(rec / "y.wav", freq=320)
    (rec / "manifest.csv").write_text(
        "file,call_id,started_at,queue,language\n"
        "x.wav,m-x,2026-11-02T09:00:00+00:00,tech,hr\n"
        "missing.wav,m-m,2026-11-02T09:00:00+00:00,tech,hr\n"
        "y.wav,m-y,not-a-date,tech,hr\n"
        ",m-e,2026-11-02T09:00:00+00:00,tech,hr\n",
        encoding="utf-8",
    )
    summary = ingest_paths(db, [rec])
    assert summary.calls_new == 1
    where = sorted((Path(b.file).name, b.line) for b in summary.bad_records)
    assert where == [("manifest.csv", 3), ("manifest.csv", 4), ("manifest.csv", 5)]
    assert "audio file not found" in " ".join(b.reason for b in summary.bad_records)
    assert "no audio file named in column 'file'" in " ".join(b.reason for b in summary.bad_records)
    assert _calls(db)["m-x"].language == "hr"
    again = ingest_paths(db, [rec / "manifest.csv"])
    assert (again.calls_new, again.skipped_existing) == (0, 1)


def test_audio_without_metadata_gets_content_hash_and_file_time(db: Database, tmp_path: Path) -> None:
    path = write_wav(tmp_path / "bare.flac", freq=700)
    when = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
    os.utime(path, (when.timestamp(), when.timestamp()))
    summary = ingest_paths(db, [path])
    assert summary.audio_registered == 1
    call_id = file_call_id(path)
    assert len(call_id) == 16
    call = _calls(db)[call_id]
    assert call.started_at == when
    assert call.status == CallStatus.PENDING
    copy = tmp_path / "sub"
    copy.mkdir()
    (copy / "same.wav").write_bytes(path.read_bytes())
    assert ingest_paths(db, [copy]).skipped_existing == 1  # same bytes, same call


def test_folder_with_transcripts_and_audio(db: Database, tmp_path: Path) -> None:
    write_jsonl(tmp_path / "t.jsonl", [call_obj("t1")])
    write_wav(tmp_path / "r.webm", freq=900)
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    summary = ingest_paths(db, [tmp_path])
    assert (summary.files, summary.calls_new, summary.audio_registered) == (2, 2, 1)


def test_missing_path_is_an_error(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        ingest_paths(db, [tmp_path / "nope"])


def test_bad_sidecar_is_reported(db: Database, tmp_path: Path) -> None:
    write_wav(tmp_path / "c.wav")
    (tmp_path / "c.wav.json").write_text("{broken", encoding="utf-8")
    summary = ingest_paths(db, [tmp_path])
    assert summary.calls_new == 0
    (bad,) = summary.bad_records
    assert bad.file.endswith("c.wav")
    assert "sidecar is not valid JSON" in bad.reason


def test_a_recording_dated_by_a_broken_clock_is_a_bad_record(db: Database, tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "old.wav")
    os.utime(audio, (315532800, 315532800))  # 1980-01-01, a FAT recorder's clock after a reset
    summary = ingest_paths(db, [tmp_path])
    (bad,) = summary.bad_records
    assert summary.calls_new == 0 and "started_at must be between 2000-01-01" in bad.reason
    assert "(the file's time)" in bad.reason


def test_a_manifest_not_in_utf8_holds_back_its_rows_until_fixed_and_adds_nothing_twice(
    db: Database, tmp_path: Path
) -> None:
    """A spreadsheet saved as Windows-1250: the rows it cannot read are refused with the reason, their recordings
    are not registered under content ids meanwhile, and the fixed manifest adds them once, under their own ids."""
    rec = tmp_path / "rec"
    rec.mkdir()
    write_wav(rec / "a.wav", freq=330)
    write_wav(rec / "b.wav", freq=340)
    text = "file,call_id,started_at,queue,agent_id\na.wav,w-a,2026-11-02T09:00:00Z,tech,ana\n"
    text += "b.wav,w-b,2026-11-02T09:05:00Z,tech,đuro\n"
    (rec / "manifest.csv").write_bytes(text.encode("cp1250"))
    first = ingest_paths(db, [rec])
    assert (first.calls_new, first.audio_registered) == (1, 1)
    (bad,) = first.bad_records
    assert (Path(bad.file).name, bad.line) == ("manifest.csv", 3) and "not UTF-8" in bad.reason
    assert set(_calls(db)) == {"w-a"}
    # Excel's "Unicode text": UTF-16 and tab-separated
    (rec / "manifest.csv").write_text(text.replace(",", "\t"), encoding="utf-16")
    fixed = ingest_paths(db, [rec])
    assert (fixed.calls_new, fixed.skipped_existing, fixed.bad_records) == (1, 1, ())
    assert set(_calls(db)) == {"w-a", "w-b"} and _calls(db)["w-b"].agent_id == "đuro"


def test_a_phone_number_in_a_recordings_path_never_reaches_the_database(db: Database, tmp_path: Path) -> None:
    """Recorders name files after the caller: the call reads a copy named by its content, and the path is kept
    with a placeholder. Re-ingesting the folder adds nothing."""
    rec = tmp_path / "rec"
    rec.mkdir()
    source = write_wav(rec / "2026-10-26_0915_+385915550101.wav", freq=350)
    plain = write_wav(rec / "2026-10-26_0916.wav", freq=360)
    summary = ingest_paths(db, [rec])
    assert (summary.audio_registered, summary.bad_records) == (2, ())
    calls = {Path(c.source_file or "").name: c for c in _calls(db).values()}
    private = calls["2026-10-26_0915_[PHONE].wav"]
    kept = Path(private.audio_path or "")
    assert kept.parent == tmp_path / "audio" / "uploads" and kept.read_bytes() == source.read_bytes()
    assert calls[plain.name].audio_path == str(plain.resolve())  # nothing personal: read where it is
    stored = Path(db.engine.url.database or "")
    assert all(b"5550101" not in f.read_bytes() for f in stored.parent.glob(stored.name + "*"))  # and its WAL
    for kept_copy in kept.parent.iterdir():  # a re-ingest of known calls keeps no second copy
        kept_copy.unlink()
    again = ingest_paths(db, [rec])
    assert (again.calls_new, again.skipped_existing) == (0, 2) and list(kept.parent.iterdir()) == []


def test_a_recording_named_in_another_encoding_is_registered_from_a_copy(db: Database, tmp_path: Path) -> None:
    rec = tmp_path / "rec"
    rec.mkdir()
    name = os.fsdecode(b"poziv-\xe8ekanje.wav")  # Latin-2 "č" in a file name: not UTF-8
    source = write_wav(rec / name, freq=370)
    summary = ingest_paths(db, [rec])
    assert (summary.audio_registered, summary.bad_records) == (1, ())
    (call,) = _calls(db).values()
    assert call.source_file == str(rec.resolve() / "poziv-\ufffdekanje.wav")
    assert Path(call.audio_path or "").read_bytes() == source.read_bytes()


def test_a_manifest_separated_by_semicolons_is_read(db: Database, tmp_path: Path) -> None:
    """Spreadsheets in locales where the comma is the decimal mark save CSV with semicolons."""
    rec = tmp_path / "rec"
    rec.mkdir()
    write_wav(rec / "s.wav", freq=380)
    (rec / "manifest.csv").write_text("file;call_id;started_at;queue\ns.wav;semi-1;2026-11-02T09:00:00Z;tech\n")
    summary = ingest_paths(db, [rec])
    assert (summary.calls_new, summary.bad_records) == (1, ())
    assert _calls(db)["semi-1"].queue == "tech"
