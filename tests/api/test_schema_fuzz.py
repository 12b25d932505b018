"""Property-based fuzzing of every documented operation: never a 5xx, every response matches the schema."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app
from core.auth import create_api_key
from core.models import Role
from core.settings import Settings
from tests.api.seed import seed

ROOT = Path(tempfile.mkdtemp(prefix="callpulse-fuzz-"))
APP = create_app(Settings(database_url=f"sqlite:///{ROOT}/fuzz.db", audio_dir=ROOT / "audio"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)  # reading the schema needs no database
ADMIN_KEY: list[str] = []


@pytest.fixture(scope="module")
def running_app() -> Iterator[None]:
    with TestClient(APP):  # runs the lifespan: the database is open while the fuzzer calls the app
        with APP.state.db.session() as session:
            seed(session)
            _, key = create_api_key(session, Role.ADMIN, "fuzz")
        ADMIN_KEY[:] = [key]
        yield
    shutil.rmtree(ROOT, ignore_errors=True)


@pytest.mark.usefixtures("running_app")
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_api_never_fails_and_matches_its_schema(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_KEY[0]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
