"""Uploaded audio stays reachable whatever the working directory of the server or the workers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from core.auth import create_api_key
from core.models import Call, CallStatus, Role
from core.settings import Settings
from tests.api.conftest import bearer
from tests.api.test_calls import upload, wav_bytes


def test_upload_with_a_relative_audio_dir_stores_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "server")
    settings = Settings(database_url=f"sqlite:///{tmp_path}/paths.db", audio_dir=Path("callpulse-audio"))
    assert settings.audio_dir == tmp_path / "server" / "callpulse-audio"
    app = create_app(settings)
    data = wav_bytes()
    with TestClient(app) as client:
        with app.state.db.session() as session:
            _, admin = create_api_key(session, Role.ADMIN)
            _, qa = create_api_key(session, Role.QA)
        assert upload(client, admin, data).status_code == 201
        with app.state.db.session() as session:
            call = session.get(Call, "up-1")
            assert call is not None and call.audio_path is not None
            stored = Path(call.audio_path)
        assert stored.is_absolute()
        assert stored == tmp_path / "server" / "callpulse-audio" / "uploads" / f"{hashlib.sha256(data).hexdigest()}.wav"
        monkeypatch.chdir(tmp_path / "elsewhere")
        assert client.get("/api/v1/calls/up-1", headers=bearer(qa)).json()["has_audio"] is True
        served = client.get("/api/v1/calls/up-1/audio", headers=bearer(qa))
        assert served.status_code == 200 and served.content == data


def test_uploads_stored_with_a_relative_path_are_found_in_the_upload_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = wav_bytes()
    name = f"{hashlib.sha256(data).hexdigest()}.wav"
    audio_dir = tmp_path / "audio"
    (audio_dir / "uploads").mkdir(parents=True)
    (audio_dir / "uploads" / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/legacy.db", audio_dir=audio_dir))
    started = datetime(2026, 11, 2, 10, tzinfo=UTC)
    with TestClient(app) as client:
        with app.state.db.session() as session:
            _, qa = create_api_key(session, Role.QA)
            for call_id, path in (
                ("old-upload", f"callpulse-audio/uploads/{name}"),
                ("gone", f"callpulse-audio/uploads/{'0' * 64}.wav"),
            ):
                session.add(Call(id=call_id, started_at=started, status=CallStatus.PENDING, audio_path=path))
        old = client.get("/api/v1/calls/old-upload/audio", headers=bearer(qa))
        assert old.status_code == 200 and old.content == data
        assert client.get("/api/v1/calls/old-upload", headers=bearer(qa)).json()["has_audio"] is True
        assert client.get("/api/v1/calls/gone/audio", headers=bearer(qa)).status_code == 404
        assert client.get("/api/v1/calls/gone", headers=bearer(qa)).json()["has_audio"] is False
