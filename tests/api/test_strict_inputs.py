"""Calls sent over HTTP: misspelt keys, non-ISO languages and non-finite numbers are refused, naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import Database
from core.models import Call, Role
from tests.api.conftest import bearer
from tests.api.test_calls import TRANSCRIPT, upload, wav_bytes

URL = "/api/v1/calls/transcripts"


def _post(client: TestClient, key: str, body: Any) -> Any:
    return client.post(URL, json=body, headers=bearer(key))


def test_misspelt_transcript_key_is_a_422_naming_it(client: TestClient, keys: dict[Role, str]) -> None:
    body = {k: v for k, v in TRANSCRIPT.items() if k != "language"} | {"languag": "en"}
    response = _post(client, keys[Role.ADMIN], body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "body.languag: unknown field 'languag'"
    many = _post(client, keys[Role.ADMIN], [TRANSCRIPT, {**TRANSCRIPT, "call_id": "t-2", "queu": "x"}])
    assert many.status_code == 422 and many.json()["detail"] == "body.1.queu: unknown field 'queu'"
    seg = {**TRANSCRIPT, "segments": [{"start": 0, "end": 1, "speker": "agent", "text": "x"}]}
    assert _post(client, keys[Role.ADMIN], seg).json()["detail"] == "body.segments.0.speker: unknown field 'speker'"


@pytest.mark.parametrize(("language", "stored"), [("en", "en"), ("HR", "hr"), ("english", None), ("e", None)])
def test_language_must_be_iso_639_1(
    client: TestClient, keys: dict[Role, str], database: Database, language: str, stored: str | None
) -> None:
    response = _post(client, keys[Role.ADMIN], {**TRANSCRIPT, "language": language})
    if stored is None:
        assert response.status_code == 422
        assert response.json()["detail"] == (
            f"body.language: must be a two-letter ISO 639-1 code such as 'en', not {language!r}"
        )
        return
    assert response.status_code == 200, response.text
    with database.session() as session:
        call = session.get(Call, "t-1")
        assert call is not None and call.language == stored


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("field", ["duration_s", "segments.0.start", "segments.0.end"])
def test_non_finite_numbers_are_refused_clearly(
    client: TestClient, keys: dict[Role, str], literal: str, field: str
) -> None:
    body = json.loads(json.dumps(TRANSCRIPT))
    placeholder = 123456.5
    if field == "duration_s":
        body["duration_s"] = placeholder
    else:
        body["segments"][0][field.rsplit(".", 1)[1]] = placeholder
    raw = json.dumps(body).replace(str(placeholder), literal)
    headers = {**bearer(keys[Role.ADMIN]), "Content-Type": "application/json"}
    response = client.post(URL, content=raw.encode(), headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == f"body.{field}: Input should be a finite number"


def test_an_export_can_be_posted_back(client: TestClient, keys: dict[Role, str], database: Database) -> None:
    exported = {
        **TRANSCRIPT,
        "caller_hash": "ab" * 32,
        "status": "tagged",
        "source_file": "week.jsonl",
        "topics": ["billing.unexpected_charge"],
        "qa": {"greeting": True},
        "segments": [
            {
                "start": 0,
                "end": 4,
                "speaker": "customer",
                "text": "card [CARD]",
                "redactions": [{"type": "CARD", "start": 1.5, "end": 3.0}],
            }
        ],
    }
    response = _post(client, keys[Role.ADMIN], exported)
    assert response.status_code == 200, response.text
    with database.session() as session:
        call = session.get(Call, "t-1")
        assert call is not None
        assert (call.caller_hash, call.qa, call.source_file) == ("ab" * 32, {"greeting": True}, "week.jsonl")
        assert call.segments[0].redactions == [{"type": "CARD", "start": 1.5, "end": 3.0}]


def test_upload_metadata_with_a_misspelt_key_is_refused(client: TestClient, keys: dict[Role, str]) -> None:
    meta = {"call_id": "u-1", "started_at": "2026-11-02T10:00:00+00:00", "languag": "en"}
    response = upload(client, keys[Role.ADMIN], wav_bytes(), meta=meta)
    assert response.status_code == 400
    assert response.json()["detail"] == "invalid metadata: languag: unknown field 'languag'"
    meta = {"call_id": "u-1", "started_at": "2026-11-02T10:00:00+00:00", "language": "english"}
    response = upload(client, keys[Role.ADMIN], wav_bytes(), meta=meta)
    assert response.status_code == 400 and "ISO 639-1" in response.json()["detail"]
