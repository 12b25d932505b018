"""Times a query names: with an offset, within years date arithmetic can move through, the same on every route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.models import Role
from tests.api.conftest import bearer
from tests.api.test_calls import TRANSCRIPT

ROUTES = [
    "/api/v1/calls",
    "/api/v1/search?q=bill",
    "/api/v1/alerts?status=open",  # takes since only: its until is any time
    "/api/v1/reports/pareto",
    "/api/v1/topics/billing.unexpected_charge/trend",
    "/api/v1/trends?topics=billing.unexpected_charge",
]


CASES = [
    ("since", "0001-01-01T00:00:00+01:00", "must be between the years 1900 and 2199"),
    ("since", "9999-12-31T23:59:59-01:00", "must be between the years 1900 and 2199"),
    ("since", "2026-11-02T10:00:00", "Input should have timezone info"),
    ("until", "9999-12-31T23:59:59-01:00", "must be between the years 1900 and 2199"),
]


@pytest.mark.parametrize(
    ("route", "name", "value", "detail"),
    [(r, *case) for r in ROUTES for case in CASES if not (case[0] == "until" and "alerts" in r)],
)
def test_a_time_out_of_range_or_without_offset_is_a_422_naming_it(
    client: TestClient, keys: dict[Role, str], route: str, name: str, value: str, detail: str
) -> None:
    glue = "&" if "?" in route else "?"
    response = client.get(f"{route}{glue}{name}={value.replace('+', '%2B')}", headers=bearer(keys[Role.ADMIN]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"query.{name}: {detail}"


def test_filters_agree_across_routes(client: TestClient, keys: dict[Role, str]) -> None:
    admin = bearer(keys[Role.ADMIN])
    imported = client.post("/api/v1/calls/transcripts", json={**TRANSCRIPT, "language": "HR"}, headers=admin)
    assert imported.status_code == 200, imported.text
    # a language is stored lower case, and filtered the same way whichever case the user types
    assert [c["call_id"] for c in client.get("/api/v1/calls?language=HR", headers=admin).json()["items"]] == ["t-1"]
    found = client.get("/api/v1/search?q=paper&language=HR", headers=admin).json()["items"]
    assert [h["call_id"] for h in found] == ["t-1"]
    # a misspelt topic is a 404, not an empty list; an empty window is a 400, not an empty list
    missing = client.get("/api/v1/alerts?topic=nope", headers=admin)
    assert missing.status_code == 404 and missing.json()["detail"] == "no topic 'nope'"
    window = "since=2026-10-27T00:00:00Z&until=2026-10-26T00:00:00Z"
    backwards = client.get(f"/api/v1/calls?{window}", headers=admin)
    assert backwards.status_code == 400 and backwards.json()["detail"] == "since must be before until"
