"""A drop folder: files changed within the settle time may still be being written and wait for a later run."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ingest.sources import plan_paths
from tests.ingest.conftest import call_obj, write_jsonl, write_wav

NOW = time.time()
SETTLED = NOW - 60.0


def _age(path: Path, seconds: float) -> Path:
    os.utime(path, (NOW - seconds, NOW - seconds))
    return path


def _planned(folder: Path) -> tuple[list[str], list[str], int]:
    plan = plan_paths([folder], settled_before=SETTLED)
    return sorted(i.audio.name for i in plan.audio), sorted(f.name for f in plan.transcript_files), plan.waiting


def test_a_recording_still_being_written_waits_and_one_at_rest_is_taken(tmp_path: Path) -> None:
    _age(write_wav(tmp_path / "old.wav", freq=300), 600)
    write_wav(tmp_path / "new.wav", freq=310)  # written just now
    _age(write_jsonl(tmp_path / "old.jsonl", [call_obj("t1")]), 600)
    write_jsonl(tmp_path / "new.jsonl", [call_obj("t2")])
    assert _planned(tmp_path) == (["old.wav"], ["old.jsonl"], 2)
    _age(tmp_path / "new.wav", 120)
    _age(tmp_path / "new.jsonl", 120)
    assert _planned(tmp_path) == (["new.wav", "old.wav"], ["new.jsonl", "old.jsonl"], 0)
    everything = plan_paths([tmp_path])  # a plain ingest takes all, however recent
    assert (len(everything.audio), everything.waiting) == (2, 0)


def test_a_recording_waits_for_its_sidecar_and_the_sidecar_is_never_read_as_a_transcript(tmp_path: Path) -> None:
    audio = _age(write_wav(tmp_path / "c1.wav", freq=320), 600)
    sidecar = tmp_path / "c1.json"
    sidecar.write_text(json.dumps({"call_id": "side-1", "started_at": "2026-11-02T10:00:00Z"}), encoding="utf-8")
    assert _planned(tmp_path) == ([], [], 2)  # registered now, the call would lack its metadata for good
    _age(sidecar, 600)
    os.utime(audio)  # the recording is being rewritten, its sidecar is at rest
    assert _planned(tmp_path) == ([], [], 1)
    _age(audio, 600)
    assert _planned(tmp_path) == (["c1.wav"], [], 0)


def test_a_manifest_being_written_holds_back_its_folders_recordings(tmp_path: Path) -> None:
    rec = tmp_path / "rec"
    rec.mkdir()
    _age(write_wav(rec / "x.wav", freq=330), 600)
    manifest = rec / "manifest.csv"
    manifest.write_text("file,call_id,started_at\nx.wav,m-x,2026-11-02T09:00:00+00:00\n", encoding="utf-8")
    assert _planned(tmp_path) == ([], [], 2)
    _age(manifest, 600)
    plan = plan_paths([tmp_path], settled_before=SETTLED)
    assert [(i.audio.name, i.fields is not None) for i in plan.audio] == [("x.wav", True)]
