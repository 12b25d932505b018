"""The real app on a fresh SQLite database, with one key per role and a small seeded dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.main import create_app
from core.auth import create_api_key
from core.db import Database
from core.models import Role
from core.settings import Settings
from tests.api.seed import seed


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/api.db", audio_dir=tmp_path / "audio")


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def database(app: FastAPI, client: TestClient) -> Database:
    db: Database = app.state.db
    return db


@pytest.fixture
def keys(database: Database) -> dict[Role, str]:
    out: dict[Role, str] = {}
    with database.session() as session:
        for role in Role:
            _, out[role] = create_api_key(session, role, f"{role}-test")
    return out


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def seeded(database: Database) -> Database:
    with database.session() as session:
        seed(session)
    return database
