"""An unknown topic in a search or call-list filter is an error (404), as in trends, not an empty result."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from core.db import Database
from core.models import Role
from tests.api.conftest import bearer
from tests.api.seed import seed


def test_unknown_topic_is_404_in_search_calls_and_trends(
    client: TestClient, keys: dict[Role, str], seeded: Database
) -> None:
    qa = bearer(keys[Role.QA])
    for url, params in (
        ("/api/v1/search", {"q": "bill", "topic": "nope"}),
        ("/api/v1/calls", {"topic": "nope"}),
        ("/api/v1/trends", {"topics": "nope"}),
    ):
        response = client.get(url, params=params, headers=qa)
        assert response.status_code == 404, url
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "no topic 'nope'"


def test_known_topic_still_filters(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    qa = bearer(keys[Role.QA])
    found = client.get("/api/v1/search", params={"q": "bill", "topic": "billing.unexpected_charge"}, headers=qa)
    assert found.status_code == 200 and found.json()["items"]
    calls = client.get("/api/v1/calls", params={"topic": "outage.no_service"}, headers=qa)
    assert [c["call_id"] for c in calls.json()["items"]] == ["call-old"]


def test_cli_search_with_unknown_topic_fails_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    with Database(url).session() as session:
        seed(session)
    result = CliRunner().invoke(app, ["--db", url, "search", "bill", "--topic", "nope"])
    assert result.exit_code == 1
    assert result.output == "error: no topic 'nope'\n"
    known = CliRunner().invoke(app, ["--db", url, "search", "bill", "--topic", "billing.unexpected_charge"])
    assert known.exit_code == 0 and "call-fee" in known.output
