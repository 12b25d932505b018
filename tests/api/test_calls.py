"""Uploads (content sniffing, size limit, safe names), transcript imports, call lists and audio ranges."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from core.db import Database
from core.models import AppMeta, Call, CallStatus, Role
from core.recordings import upload_dir
from core.retention import PURGED_BEFORE
from core.settings import ApiSettings, Settings
from ingest.audio import file_call_id
from tests.api.conftest import bearer


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    frames = b"\x00\x01" * int(seconds * rate)
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(frames))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    )
    return header + b"data" + struct.pack("<I", len(frames)) + frames


META = {
    "call_id": "up-1",
    "started_at": "2026-11-02T10:00:00+00:00",
    "queue": "billing",
    "caller_id": "+385 91 555 0101",
}


def upload(client: TestClient, key: str, data: bytes, meta: dict[str, str] | None = None, name: str = "a.wav") -> Any:
    files = {"audio": (name, data, "application/octet-stream")}
    form = {"metadata": json.dumps(meta if meta is not None else META)}
    return client.post("/api/v1/calls", files=files, data=form, headers=bearer(key))


def test_upload_registers_a_pending_call_with_a_safe_name(
    client: TestClient, keys: dict[Role, str], database: Database, settings: Settings
) -> None:
    response = upload(client, keys[Role.ADMIN], wav_bytes(), name="../../etc/passwd")
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "audio/wav"
    with database.session() as session:
        call = session.get(Call, "up-1")
        assert call is not None and call.status == CallStatus.PENDING
        stored = Path(call.audio_path or "")
        # Ten given digits in a row turn up in a random 64-hex digest about once in 10**10 runs.
        assert call.caller_hash and len(call.caller_hash) == 64 and "3859155501" not in call.caller_hash
    assert stored.resolve().parent == (settings.audio_dir / "uploads").resolve()
    assert "passwd" not in stored.name and stored.suffix == ".wav"
    again = upload(client, keys[Role.ADMIN], wav_bytes(), name="x.wav")
    assert again.status_code == 200 and again.json()["created"] is False


def test_upload_without_metadata_is_named_as_ingest_names_the_same_file(
    client: TestClient, keys: dict[Role, str], tmp_path: Path
) -> None:
    data = b"OggS" + bytes(200)
    files = {"audio": ("x.ogg", data, "audio/ogg")}
    response = client.post("/api/v1/calls", files=files, headers=bearer(keys[Role.ADMIN]))
    assert response.status_code == 201
    same_file = tmp_path / "x.ogg"
    same_file.write_bytes(data)
    assert response.json()["call_id"] == file_call_id(same_file)


@pytest.mark.parametrize(
    ("data", "status"),
    [(b"<html>not audio</html>" * 10, 415), (b"MZ\x90\x00" + bytes(100), 415), (b"", 415)],
)
def test_upload_rejects_what_is_not_audio(client: TestClient, keys: dict[Role, str], data: bytes, status: int) -> None:
    response = upload(client, keys[Role.ADMIN], data, name="evil.wav")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_upload_rejects_bad_metadata_and_missing_file(client: TestClient, keys: dict[Role, str]) -> None:
    bad = upload(client, keys[Role.ADMIN], wav_bytes(), meta={"call_id": "../x", "started_at": "yesterday"})
    assert bad.status_code == 400
    naive = upload(client, keys[Role.ADMIN], wav_bytes(), meta={"call_id": "n-1", "started_at": "2026-11-02T10:00:00"})
    assert naive.json()["detail"] == "invalid metadata: started_at: Input should have timezone info"
    form = {"metadata": "{not json"}
    files = {"audio": ("a.wav", wav_bytes(), "audio/wav")}
    assert client.post("/api/v1/calls", files=files, data=form, headers=bearer(keys[Role.ADMIN])).status_code == 400
    no_file = client.post("/api/v1/calls", data={"metadata": "{}"}, headers=bearer(keys[Role.ADMIN]))
    assert no_file.status_code == 400
    not_multipart = client.post("/api/v1/calls", json={"a": 1}, headers=bearer(keys[Role.ADMIN]))
    assert not_multipart.status_code == 400


def test_upload_too_large_is_413(tmp_path: Path, keys: dict[Role, str]) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/big.db", audio_dir=tmp_path / "a", api=ApiSettings(max_upload_mb=1)
    )
    app: FastAPI = create_app(settings)
    with TestClient(app) as client:
        from core.auth import create_api_key

        with app.state.db.session() as session:
            _, key = create_api_key(session, Role.ADMIN)
        response = upload(client, key, wav_bytes(seconds=80, rate=8000))  # ~1.3 MB
        assert response.status_code == 413
        assert not list((tmp_path / "a" / "uploads").glob("*.wav"))


def test_audio_supports_range_requests(client: TestClient, keys: dict[Role, str]) -> None:
    data = wav_bytes()
    assert upload(client, keys[Role.ADMIN], data).status_code == 201
    url, qa = "/api/v1/calls/up-1/audio", bearer(keys[Role.QA])
    whole = client.get(url, headers=qa)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "audio/wav" and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={**qa, "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = client.get(url, headers={**qa, "Range": "bytes=-4"})
    assert tail.status_code == 206 and tail.content == data[-4:]
    open_end = client.get(url, headers={**qa, "Range": f"bytes={len(data) - 3}-"})
    assert open_end.content == data[-3:]
    for bad in (f"bytes={len(data)}-", "bytes=20-10", "bytes=abc"):
        refused = client.get(url, headers={**qa, "Range": bad})
        assert refused.status_code == 416, bad
        assert refused.headers["content-range"] == f"bytes */{len(data)}"


def test_audio_of_call_without_recording_is_404(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    response = client.get("/api/v1/calls/call-fee-0/audio", headers=bearer(keys[Role.QA]))
    assert response.status_code == 404


TRANSCRIPT = {
    "call_id": "t-1",
    "started_at": "2026-11-02T09:00:00+01:00",
    "language": "en",
    "queue": "billing",
    "segments": [
        {"start": 0, "end": 2, "speaker": "agent", "text": "Hello"},
        {"start": 2, "end": 6, "speaker": "customer", "text": "my card is 4111 1111 1111 1111 and a paper bill fee"},
    ],
}


def test_transcript_import_is_idempotent_and_redacts(
    client: TestClient, keys: dict[Role, str], database: Database
) -> None:
    admin = bearer(keys[Role.ADMIN])
    first = client.post("/api/v1/calls/transcripts", json=TRANSCRIPT, headers=admin)
    assert first.status_code == 200 and first.json() == {"created": ["t-1"], "existing": []}
    second = client.post(
        "/api/v1/calls/transcripts", json=[TRANSCRIPT, {**TRANSCRIPT, "call_id": "t-2"}], headers=admin
    )
    assert second.json() == {"created": ["t-2"], "existing": ["t-1"]}
    detail = client.get("/api/v1/calls/t-1", headers=bearer(keys[Role.QA])).json()
    assert detail["status"] == "transcribed"
    assert detail["started_at"].startswith("2026-11-02T08:00:00")
    assert "4111" not in detail["segments"][1]["text"]
    found = client.get("/api/v1/search", params={"q": '"paper bill fee"'}, headers=bearer(keys[Role.QA])).json()
    assert {i["call_id"] for i in found["items"]} == {"t-1", "t-2"}


@pytest.mark.parametrize(
    "body",
    [
        {"call_id": "x"},
        {**TRANSCRIPT, "started_at": "2026-11-02T09:00:00"},
        {**TRANSCRIPT, "started_at": "1970-01-01T00:00:00Z"},
        {**TRANSCRIPT, "segments": [{"start": 0, "end": 1, "speaker": "robot", "text": "x"}]},
        {**TRANSCRIPT, "segments": [{"start": 5, "end": 1, "speaker": "agent", "text": "x"}]},
        [1, 2],
    ],
)
def test_invalid_transcripts_are_problems(client: TestClient, keys: dict[Role, str], body: object) -> None:
    response = client.post("/api/v1/calls/transcripts", json=body, headers=bearer(keys[Role.ADMIN]))
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"call_id": "jane.roe@example.com"}, "call_id: holds email data"),
        ({"agent_id": "+385 91 123 4567"}, "agent_id: holds phone data"),
        ({"queue": "4111-1111-1111-1111"}, "queue: holds card data"),
    ],
)
def test_personal_data_in_an_identifier_is_refused_and_qa_notes_are_redacted(
    client: TestClient, keys: dict[Role, str], database: Database, fields: dict[str, str], detail: str
) -> None:
    admin = bearer(keys[Role.ADMIN])
    refused = client.post("/api/v1/calls/transcripts", json={**TRANSCRIPT, **fields}, headers=admin)
    assert refused.status_code == 422 and detail in refused.json()["detail"], refused.text
    noted = {**TRANSCRIPT, "call_id": "t-qa", "qa": {"comment": "wrote to jane@example.com"}}
    assert client.post("/api/v1/calls/transcripts", json=noted, headers=admin).status_code == 200
    with database.session() as session:
        assert session.get(Call, "t-qa").qa == {"comment": "wrote to [EMAIL]"}  # type: ignore[union-attr]


def test_call_list_filters_and_pages(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    qa = bearer(keys[Role.QA])
    everything = client.get("/api/v1/calls", headers=qa).json()["items"]
    assert len(everything) == 6
    assert [c["started_at"] for c in everything] == sorted((c["started_at"] for c in everything), reverse=True)
    billing = client.get(
        "/api/v1/calls", params={"queue": "billing", "topic": "billing.unexpected_charge"}, headers=qa
    ).json()["items"]
    assert {c["call_id"] for c in billing} == {"call-fee-0", "call-fee-1", "call-fee-2"}
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/calls", params=params, headers=qa).json()
        seen += [c["call_id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [c["call_id"] for c in everything]
    detail = client.get("/api/v1/calls/call-fee-1", headers=qa).json()
    assert detail["topics"] == ["billing.unexpected_charge"] and len(detail["segments"]) == 4
    assert detail["topic_hits"][0]["evidence"] == "paper bill fee"
    assert client.get("/api/v1/calls/nope", headers=qa).status_code == 404
    assert client.get("/api/v1/calls", params={"cursor": "%%%"}, headers=qa).status_code == 400


def test_invalid_transcript_problems_name_the_fields_of_the_body_as_sent(
    client: TestClient, keys: dict[Role, str]
) -> None:
    admin = {**bearer(keys[Role.ADMIN]), "Content-Type": "application/json"}
    one = client.post("/api/v1/calls/transcripts", json={**TRANSCRIPT, "call_id": 5}, headers=admin).json()
    assert one["detail"] == "body.call_id: Input should be a valid string"
    many = client.post("/api/v1/calls/transcripts", json=[TRANSCRIPT, {"call_id": "y"}], headers=admin).json()
    assert many["detail"] == "body.1.started_at: Field required"
    broken = client.post("/api/v1/calls/transcripts", content=b'{"call_id": ', headers=admin)
    assert broken.status_code == 422 and broken.headers["content-type"] == "application/problem+json"
    assert broken.json()["detail"].startswith("body: not valid JSON at character 12: Expecting value")


def test_transcript_import_orders_segments_and_refuses_a_call_sent_twice(
    client: TestClient, keys: dict[Role, str], database: Database
) -> None:
    admin = bearer(keys[Role.ADMIN])
    turns = [
        {"start": 5.0, "end": 9.0, "speaker": "agent", "text": "later"},
        {"start": 0.0, "end": 6.0, "speaker": "customer", "text": "earlier"},
    ]
    twice = client.post("/api/v1/calls/transcripts", json=[TRANSCRIPT, TRANSCRIPT], headers=admin)
    assert twice.status_code == 400 and "appears more than once in this request" in twice.json()["detail"]
    ordered = client.post("/api/v1/calls/transcripts", json={**TRANSCRIPT, "segments": turns}, headers=admin)
    assert ordered.status_code == 200
    detail = client.get("/api/v1/calls/t-1", headers=bearer(keys[Role.QA])).json()
    assert [s["text"] for s in detail["segments"]] == ["earlier", "later"]  # stored as ingest stores them


def test_calls_tagging_could_not_take_are_listed_as_failed(
    client: TestClient, keys: dict[Role, str], seeded: Database
) -> None:
    with seeded.session() as session:
        call = session.get(Call, "call-fee-1")
        assert call is not None
        call.error = "tagging failed: ValueError: [E088] Text of length 1100000 exceeds maximum of 1000000"
    failed = client.get("/api/v1/calls", params={"status": "failed"}, headers=bearer(keys[Role.QA])).json()
    assert [(c["call_id"], c["status"]) for c in failed["items"]] == [("call-fee-1", "tagged")]
    assert failed["items"][0]["error"].startswith("tagging failed")  # why, though its status is kept


def test_a_refused_upload_leaves_no_recording_behind(
    client: TestClient, keys: dict[Role, str], settings: Settings
) -> None:
    bad = upload(client, keys[Role.ADMIN], wav_bytes(), meta={"call_id": "n-1", "started_at": "2026-11-02T10:00:00"})
    assert bad.status_code == 400
    assert not [p for p in upload_dir(settings.audio_dir).rglob("*") if p.is_file()]


def test_calls_before_the_retention_horizon_are_refused(
    client: TestClient, keys: dict[Role, str], database: Database, settings: Settings
) -> None:
    with database.session() as session:
        session.add(AppMeta(key=PURGED_BEFORE, value="2026-11-01T00:00:00+00:00"))
    old = upload(client, keys[Role.ADMIN], wav_bytes(), meta={**META, "started_at": "2026-10-31T23:00:00+00:00"})
    assert old.status_code == 400 and old.headers["content-type"] == "application/problem+json"
    assert "before the retention horizon" in old.json()["detail"]
    assert not [p for p in upload_dir(settings.audio_dir).rglob("*") if p.is_file()]
    assert upload(client, keys[Role.ADMIN], wav_bytes()).status_code == 201
    body = {"call_id": "t-old", "started_at": "2026-10-30T10:00:00+00:00", "segments": []}
    imported = client.post("/api/v1/calls/transcripts", json=body, headers=bearer(keys[Role.ADMIN]))
    assert imported.status_code == 400 and "retention horizon" in imported.json()["detail"]
    with database.session() as session:
        assert session.get(Call, "t-old") is None


def test_a_blank_call_id_is_refused_and_one_with_spaces_around_is_trimmed(
    client: TestClient, keys: dict[Role, str]
) -> None:
    blank = upload(client, keys[Role.ADMIN], wav_bytes(), meta={**META, "call_id": "  "})
    assert blank.status_code == 400 and blank.json()["detail"].startswith("invalid metadata: call_id:")
    padded = upload(client, keys[Role.ADMIN], wav_bytes(), meta={**META, "call_id": " up-7 "})
    assert padded.status_code == 201 and padded.json()["call_id"] == "up-7"


def test_metadata_may_come_as_a_file_part(client: TestClient, keys: dict[Role, str]) -> None:
    files = {
        "audio": ("a.wav", wav_bytes(), "audio/wav"),
        "metadata": ("meta.json", json.dumps({**META, "call_id": "up-9"}).encode(), "application/json"),
    }
    response = client.post("/api/v1/calls", files=files, headers=bearer(keys[Role.ADMIN]))
    assert response.status_code == 201, response.text
    assert response.json()["call_id"] == "up-9"
    files["metadata"] = ("meta.json", b"\xff\xfe", "application/json")
    bad = client.post("/api/v1/calls", files=files, headers=bearer(keys[Role.ADMIN]))
    assert (bad.status_code, bad.json()["detail"]) == (400, "metadata is not UTF-8 text")
