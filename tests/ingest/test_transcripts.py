from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import Speaker
from ingest.metadata import BadRecord, ImportedTranscript
from ingest.transcripts import count_records, read_transcripts
from tests.ingest.conftest import call_obj, write_jsonl


def _good(items: list[ImportedTranscript | BadRecord]) -> list[ImportedTranscript]:
    return [i for i in items if isinstance(i, ImportedTranscript)]


def _bad(items: list[ImportedTranscript | BadRecord]) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


def test_reads_one_call_per_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("a"), call_obj("b", language="HR")])
    items = list(read_transcripts(path))
    assert [i.record.meta.call_id for i in _good(items)] == ["a", "b"]
    first = _good(items)[0].record
    assert first.meta.started_at == datetime(2026, 10, 26, 7, 15, tzinfo=UTC)
    assert first.meta.started_at.utcoffset() == timedelta(hours=2)
    assert first.meta.caller_id == "+385 91 555 0101"
    assert first.meta.duration_s == 8.0  # from the last segment when not given
    assert [s.speaker for s in first.segments] == [Speaker.AGENT, Speaker.CUSTOMER]
    assert _good(items)[1].record.meta.language == "hr"


def test_reads_single_json_and_gzip(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(call_obj("solo")), encoding="utf-8")
    packed = tmp_path / "many.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(call_obj("g1")) + "\n\n" + json.dumps(call_obj("g2")) + "\n")
    assert [i.record.meta.call_id for i in _good(list(read_transcripts(single)))] == ["solo"]
    assert [i.record.meta.call_id for i in _good(list(read_transcripts(packed)))] == ["g1", "g2"]
    assert count_records(packed) == 2


BAD_CASES: list[tuple[Any, str]] = [
    ("{not json", "invalid JSON"),
    ([1, 2], "expected a JSON object"),
    ({k: v for k, v in call_obj().items() if k != "call_id"}, "missing call_id"),
    (call_obj(call_id=42), "call_id must be a string"),
    (call_obj(started_at="2026-10-26T09:15:00"), "no UTC offset"),
    (call_obj(started_at="yesterday"), "not ISO 8601"),
    (call_obj(started_at=1700000000), "started_at must be an ISO 8601 string"),
    (call_obj(queue=["billing"]), "queue must be a string"),
    (call_obj(duration_s="long"), "duration_s must be a number"),
    (call_obj(segments="hello"), "segments must be a list"),
    (call_obj(segments=[{"start": 0, "end": 1, "speaker": "robot", "text": "hi"}]), "speaker must be agent"),
    (call_obj(segments=[{"start": 5, "end": 1, "speaker": "agent", "text": "hi"}]), "bad times"),
    (call_obj(segments=[{"start": -1, "end": 1, "speaker": "agent", "text": "hi"}]), "bad times"),
    (call_obj(segments=[{"start": "0", "end": 1, "speaker": "agent", "text": "hi"}]), "start must be a number"),
    (call_obj(segments=[{"start": 0, "end": 1, "speaker": "agent", "text": 7}]), "text must be a string"),
    (call_obj(caller_hash="not-a-hash"), "caller_hash must be"),
    (
        call_obj(segments=[{"start": 0, "end": 1, "speaker": "agent", "text": "x", "redactions": [{"type": "SSN"}]}]),
        "redactions items need a type",
    ),
    (call_obj(qa=[1]), "qa must be an object"),
    # Values JSON allows that no database column can hold, each refused on its own line, not a crash of the run.
    ('{"call_id": "x", "duration_s": 1' + "0" * 5000 + "}", "invalid JSON"),
    (call_obj(segments=[{"start": 0, "end": 10**400, "speaker": "agent", "text": "hi"}]), "end must be at most"),
    (call_obj(duration_s=10**400), "duration_s must be at most"),
    (call_obj(segments=[{"start": 0, "end": 1, "speaker": "agent", "text": "x" * 20001}]), "at most 20000"),
    (call_obj(agent_id="ag\ud800"), "agent_id has a character"),
    (call_obj(segments=[{"start": 0, "end": 1, "speaker": "agent", "text": "a\udfffb"}]), "text has a character"),
    (call_obj(started_at="0001-01-01T00:00:00+14:00"), "started_at must be between"),
    (call_obj(started_at="1970-01-01T00:00:00+00:00"), "started_at must be between"),
    (call_obj(call_id="a/b"), "call_id must not contain"),
    (call_obj(call_id="jane.roe@example.com"), "call_id holds email data"),
    (call_obj(call_id="4111111111111111"), "call_id holds card data"),
    (call_obj(call_id="cust-+385911234567-0001"), "call_id holds phone data"),
    (call_obj(agent_id="agent +44 20 7946 0958"), "agent_id holds phone data"),
    (call_obj(call_id="ctrl\u0000id"), "call_id must not contain"),
]


@pytest.mark.parametrize(("line", "reason"), BAD_CASES)
def test_bad_record_names_file_line_and_reason(tmp_path: Path, line: Any, reason: str) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", [call_obj("ok1"), line, call_obj("ok2")])
    items = list(read_transcripts(path))
    assert [i.record.meta.call_id for i in _good(items)] == ["ok1", "ok2"]
    (bad,) = _bad(items)
    assert bad.file == str(path)
    assert bad.line == 2
    assert reason in bad.reason
    assert str(bad).startswith(f"{path}:2: ")


def test_identifiers_that_only_look_like_numbers_are_kept_and_qa_notes_are_redacted(tmp_path: Path) -> None:
    ids = ["call-20261026-000213", "CRM-12345678", "2026-10-26-billing-000123"]
    qa = {"comment": "customer read out card 4111 1111 1111 1111, mail jane@example.com", "score": 3}
    path = write_jsonl(tmp_path / "ids.jsonl", [call_obj(i, qa=qa) for i in ids])
    good = _good(list(read_transcripts(path)))
    assert [g.record.meta.call_id for g in good] == ids
    assert good[0].qa == {"comment": "customer read out card [CARD], mail [EMAIL]", "score": 3}


def test_a_line_that_is_not_utf8_is_one_bad_record(tmp_path: Path) -> None:
    lines = [json.dumps(call_obj(f"L{i}")).encode() for i in range(5)]
    lines[2] = json.dumps(call_obj("Jos\u00e9")).encode().replace(b"\\u00e9", b"\xe9")  # latin-1 é
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")
    items = list(read_transcripts(path))
    assert [i.record.meta.call_id for i in _good(items)] == ["L0", "L1", "L3", "L4"]
    (bad,) = _bad(items)
    assert bad.line == 3 and "not UTF-8" in bad.reason
    assert count_records(path) == 5


def test_accepts_keys_an_export_adds(tmp_path: Path) -> None:
    exported = call_obj(
        "x",
        topics=["billing.unexpected_charge"],
        status="tagged",
        source_file="/data/week1.jsonl",
        qa={"greeting": True},
        caller_hash="ab" * 32,
        caller_id=None,
    )
    (item,) = list(read_transcripts(write_jsonl(tmp_path / "e.jsonl", [exported])))
    assert isinstance(item, ImportedTranscript)
    assert item.topics == ("billing.unexpected_charge",)
    assert item.qa == {"greeting": True}
    assert item.caller_hash == "ab" * 32
    assert item.source_file == "/data/week1.jsonl"


def test_unreadable_gzip_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(b"not gzip at all")
    (bad,) = list(read_transcripts(path))
    assert isinstance(bad, BadRecord)
    assert "unreadable" in bad.reason


def test_malformed_json_file_names_the_line_where_parsing_stopped(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    path.write_text('{\n  "call_id": "a",\n  "started_at": \n}\n', encoding="utf-8")
    (bad,) = list(read_transcripts(path))
    assert isinstance(bad, BadRecord)
    assert (bad.line, bad.reason) == (4, "invalid JSON: Expecting value (column 1)")
