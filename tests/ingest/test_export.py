from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import InvalidInput
from core.models import Call, CallStatus, TopicHit
from ingest.export import write_export
from ingest.job import ingest_paths
from tests.ingest.conftest import call_obj, write_jsonl


def _export(db: Database) -> list[dict[str, Any]]:
    buf = io.StringIO()
    with db.session() as session:
        write_export(session, buf)
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def _snapshot(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as session:
        return [
            (
                c.id,
                c.started_at,
                c.duration_s,
                c.language,
                c.queue,
                c.agent_id,
                c.caller_hash,
                c.direction,
                c.source_file,
                c.qa,
                [(s.idx, s.start, s.end, s.speaker, s.text, s.redactions) for s in c.segments],
            )
            for c in session.scalars(select(Call).order_by(Call.id))
        ]


def test_export_then_import_round_trips(db: Database, tmp_path: Path) -> None:
    lines = [
        call_obj("a", caller_id="+385 91 555 0101"),
        call_obj("b", language="hr", queue="tech", caller_id=None, direction=None),
        call_obj("c", started_at="2026-09-07T23:59:59-05:00", segments=[]),
        call_obj("d", segments=[{"start": 1.0, "end": 5.0, "speaker": "customer", "text": "card 4561 2345 6789 0123"}]),
    ]
    ingest_paths(db, [write_jsonl(tmp_path / "in.jsonl", lines)])
    with db.session() as session:
        call = session.get(Call, "a")
        assert call is not None
        call.status = CallStatus.TAGGED
        call.qa = {"greeting": True, "closing": False}
        session.add(TopicHit(call_id="a", topic_id="billing.unexpected_charge", matches=2))
    exported = _export(db)
    assert [e["call_id"] for e in exported] == ["c", "a", "b", "d"]  # oldest first, by UTC start
    first = exported[1]
    assert first["topics"] == ["billing.unexpected_charge"]
    assert first["status"] == "tagged"
    assert first["qa"] == {"greeting": True, "closing": False}
    assert "caller_id" not in first and len(first["caller_hash"]) == 64
    assert exported[3]["segments"][0]["text"] == "card [CARD]"
    assert exported[3]["segments"][0]["redactions"][0]["type"] == "CARD"

    out = write_jsonl(tmp_path / "export.jsonl", exported)
    fresh = Database(f"sqlite:///{tmp_path}/fresh.db")
    try:
        summary = ingest_paths(fresh, [out])
        assert (summary.calls_new, summary.bad_records) == (4, ())
        assert _snapshot(fresh) == _snapshot(db)
        assert _export(fresh)[1]["caller_hash"] == first["caller_hash"]  # kept, not hashed again
    finally:
        fresh.engine.dispose()


def test_pending_calls_are_not_exported(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        started = datetime(2026, 11, 2, 9, tzinfo=UTC)
        session.add(Call(id="p", started_at=started, status=CallStatus.PENDING, audio_path="/x.wav"))
    assert _export(db) == []


def test_unknown_format_is_refused(db: Database) -> None:
    with db.session() as session, pytest.raises(InvalidInput, match="unknown export format"):
        write_export(session, io.StringIO(), "xml")
