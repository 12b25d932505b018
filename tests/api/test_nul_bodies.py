"""Text with a NUL character is refused where it comes in, naming the field: PostgreSQL text cannot hold it (a 500
there), and SQLite keeps a value no filter can find."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import Database
from core.models import Call, Role
from tests.api.conftest import bearer
from tests.api.test_calls import TRANSCRIPT, upload, wav_bytes

TOPIC = {"id": "a.b", "label": "A", "patterns": {"en": ["foo"]}}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({**TRANSCRIPT, "queue": "q\x00"}, "body.queue"),
        (
            {**TRANSCRIPT, "segments": [{"start": 0, "end": 2, "speaker": "customer", "text": "a\x00b"}]},
            "body.segments.0.text",
        ),
        ([TRANSCRIPT, {**TRANSCRIPT, "call_id": "t-2", "agent_id": "\x00"}], "body.1.agent_id"),
    ],
)
def test_a_transcript_with_a_nul_is_a_400_naming_the_field(
    client: TestClient, keys: dict[Role, str], database: Database, body: Any, where: str
) -> None:
    response = client.post("/api/v1/calls/transcripts", json=body, headers=bearer(keys[Role.ADMIN]))
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"{where}: NUL characters are not allowed"
    with database.session() as session:
        assert session.get(Call, "t-1") is None


def test_upload_metadata_and_a_taxonomy_with_a_nul_are_refused(client: TestClient, keys: dict[Role, str]) -> None:
    admin = bearer(keys[Role.ADMIN])
    meta = {"call_id": "p-3", "started_at": "2026-11-02T10:00:00+00:00", "agent_id": "a\x00"}
    refused = upload(client, keys[Role.ADMIN], wav_bytes(), meta=meta)
    assert (refused.status_code, refused.json()["detail"]) == (400, "metadata.agent_id: NUL characters are not allowed")
    as_json = client.put(
        "/api/v1/taxonomy", json={"version": 2, "topics": [{**TOPIC, "label": "A\x00"}]}, headers=admin
    )
    assert (as_json.status_code, as_json.json()["detail"]) == (
        400,
        "body.topics.0.label: NUL characters are not allowed",
    )
    yaml_text = 'version: 2\ntopics:\n  - id: a.b\n    label: "A\\0"\n    patterns: {en: [foo]}\n'
    as_yaml = client.put("/api/v1/taxonomy", content=yaml_text, headers={**admin, "content-type": "application/yaml"})
    assert as_yaml.status_code == 400 and as_yaml.json()["detail"].endswith(
        "topics.0.label: NUL characters are not allowed"
    )


@pytest.mark.parametrize("version", [2**31, 9223372036854775808])
def test_a_taxonomy_version_the_database_cannot_hold_is_a_400(
    client: TestClient, keys: dict[Role, str], version: int
) -> None:
    response = client.put(
        "/api/v1/taxonomy", json={"version": version, "topics": [TOPIC]}, headers=bearer(keys[Role.ADMIN])
    )
    assert response.status_code == 400
    assert "'version' must be an integer from 1 to 2147483647" in response.json()["detail"]
