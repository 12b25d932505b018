"""Shared fixtures: a fresh real SQLite database per test, settings isolated from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.db import Database
from core.settings import get_settings


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(__import__("os").environ):
        if key.startswith("CALLPULSE_") and key != "CALLPULSE_WHISPER__MODEL_CACHE_DIR":
            monkeypatch.delenv(key)
    monkeypatch.setenv("CALLPULSE_DATABASE_URL", f"sqlite:///{tmp_path}/callpulse.db")
    monkeypatch.setenv("CALLPULSE_AUDIO_DIR", str(tmp_path / "audio"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/test.db")
    yield database
    database.engine.dispose()
