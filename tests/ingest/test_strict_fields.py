"""Misspelt keys, languages that are not ISO 639-1 codes and non-finite numbers fail their record, loudly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from core.models import Call
from ingest.job import ingest_paths
from tests.ingest.conftest import call_obj, write_jsonl, write_wav


def _calls(db: Database) -> dict[str, Call]:
    with db.session() as session:
        return {c.id: c for c in session.scalars(select(Call))}


def test_misspelt_transcript_key_fails_that_record_and_the_batch_goes_on(db: Database, tmp_path: Path) -> None:
    typo = call_obj("typo")
    del typo["language"], typo["queue"]
    typo |= {"languag": "en", "queu": "billing"}
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("ok1"), typo, call_obj("ok2")])
    summary = ingest_paths(db, [path])
    assert summary.calls_new == 2
    (bad,) = summary.bad_records
    assert (bad.file, bad.line) == (str(path.resolve()), 2)
    assert bad.reason == "unknown key 'languag' (did you mean 'language'?)"
    assert set(_calls(db)) == {"ok1", "ok2"}


def test_misspelt_segment_key_is_refused(db: Database, tmp_path: Path) -> None:
    seg = {"start": 0, "end": 1, "speker": "agent", "text": "hi"}
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("s", segments=[seg])])
    (bad,) = ingest_paths(db, [path]).bad_records
    assert bad.reason == "segments[0]: unknown key 'speker' (did you mean 'speaker'?)"


def test_an_export_can_still_be_imported(db: Database, tmp_path: Path) -> None:
    exported = call_obj(
        "exp",
        caller_id=None,
        caller_hash="ab" * 32,
        status="tagged",
        source_file="/data/week.jsonl",
        topics=["billing.unexpected_charge"],
        qa={"greeting": True},
        segments=[{"start": 0, "end": 2, "speaker": "customer", "text": "my card is [CARD]", "redactions": []}],
    )
    summary = ingest_paths(db, [write_jsonl(tmp_path / "export.jsonl", [exported])])
    assert (summary.calls_new, summary.bad_records) == (1, ())


@pytest.mark.parametrize(
    ("language", "stored"), [("en", "en"), ("HR", "hr"), (" Hu ", "hu"), ("english", None), ("eng", None), ("e", None)]
)
def test_language_must_be_an_iso_639_1_code(db: Database, tmp_path: Path, language: str, stored: str | None) -> None:
    summary = ingest_paths(db, [write_jsonl(tmp_path / "calls.jsonl", [call_obj("l", language=language)])])
    if stored is None:
        (bad,) = summary.bad_records
        assert bad.reason == f"language must be a two-letter ISO 639-1 code such as 'en', not {language!r}"
    else:
        assert _calls(db)["l"].language == stored


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"duration_s": NaN', "duration_s must be a finite number, not nan"),
        ('{"duration_s": Infinity', "duration_s must be a finite number, not inf"),
        ('{"duration_s": "inf"', "duration_s must be a finite number, not inf"),
        ('{"segments": [{"start": 0, "end": Infinity, "text": "x"}]', "segments[0].end must be a finite number"),
    ],
)
def test_non_finite_numbers_are_refused(db: Database, tmp_path: Path, line: str, reason: str) -> None:
    base = json.dumps({k: v for k, v in call_obj("n").items() if k not in ("duration_s", "segments")})
    record = line + ", " + base[1:]
    (bad,) = ingest_paths(db, [write_jsonl(tmp_path / "calls.jsonl", [record])]).bad_records
    assert bad.reason.startswith(reason)


def _sidecar(folder: Path, name: str, meta: dict[str, Any], freq: float) -> Path:
    audio = write_wav(folder / f"{name}.wav", freq=freq)
    (folder / f"{name}.wav.json").write_text(json.dumps(meta), encoding="utf-8")
    return audio


def test_misspelt_sidecar_key_fails_that_recording(db: Database, tmp_path: Path) -> None:
    at = "2026-11-02T10:00:00Z"
    _sidecar(tmp_path, "good", {"call_id": "good", "started_at": at, "language": "en"}, 300)
    bad_audio = _sidecar(tmp_path, "bad", {"call_id": "bad", "started_at": at, "languag": "en"}, 400)
    _sidecar(tmp_path, "french", {"call_id": "fr", "started_at": at, "language": "french"}, 500)
    summary = ingest_paths(db, [tmp_path])
    assert set(_calls(db)) == {"good"}
    reasons = {Path(b.file).name: b.reason for b in summary.bad_records}
    assert reasons[bad_audio.name] == f"{bad_audio}.json: unknown key 'languag' (did you mean 'language'?)"
    assert "ISO 639-1" in reasons["french.wav"]


def test_unknown_manifest_column_fails_its_rows(db: Database, tmp_path: Path) -> None:
    write_wav(tmp_path / "x.wav", freq=310)
    (tmp_path / "manifest.csv").write_text(
        "file,call_id,started_at,queu\nx.wav,m-x,2026-11-02T09:00:00+00:00,tech\n", encoding="utf-8"
    )
    (bad,) = ingest_paths(db, [tmp_path]).bad_records
    assert (Path(bad.file).name, bad.line) == ("manifest.csv", 2)
    assert bad.reason == "unknown key 'queu' (did you mean 'queue'?)"
