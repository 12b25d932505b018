"""Ids beyond what a row can have are a 4xx (or the not-found page), not a database error, on both databases."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from core.auth import create_api_key
from core.db import Database
from core.models import MAX_ROW_ID, Role
from core.settings import Settings
from tests.api.conftest import bearer
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

TOO_BIG = (MAX_ROW_ID + 1, 999_999_999_999_999_999, 2**63 - 1)


def _cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps(["2026-11-02T09:00:00+00:00", row_id]).encode()).decode().rstrip("=")


def check_row_ids(url: str, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(database_url=url, audio_dir=tmp_path / "audio"))) as client:
        db = Database(url)
        with db.session() as session:
            key = create_api_key(session, Role.ADMIN)[1]
        db.engine.dispose()
        admin = bearer(key)
        client.post("/login", data={"api_key": key, "next": "/"})
        for big in TOO_BIG:
            assert client.get(f"/api/v1/alerts/{big}", headers=admin).status_code == 422
            assert client.post(f"/api/v1/alerts/{big}/ack", headers=admin).status_code == 422
            assert client.get(f"/alerts/{big}").status_code == 404
            for path, params in (("/api/v1/alerts", {}), ("/api/v1/search", {"q": "fee"})):
                answer = client.get(path, params={**params, "cursor": _cursor(big)}, headers=admin)
                assert answer.status_code == 400, (path, big, answer.text)
        assert client.get("/alerts/" + "9" * 5000).status_code == 404


def test_row_ids_on_sqlite(tmp_path: Path) -> None:
    check_row_ids(f"sqlite:///{tmp_path}/ids.db", tmp_path)


@pytest.mark.postgres
def test_row_ids_on_postgres(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_row_ids") as db:
        check_row_ids(db.url, tmp_path)
