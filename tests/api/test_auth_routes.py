"""Every route's access rule, driven by the app's own route table so a route without a rule fails here."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import make_session_cookie, read_session_cookie
from core.auth import ROLE_ORDER
from core.db import Database
from core.models import Role
from tests.api.conftest import bearer

# (method, route template) -> the weakest role allowed; None = public.
RULES: dict[tuple[str, str], Role | None] = {
    ("GET", "/health"): None,
    ("GET", "/ready"): None,
    ("GET", "/metrics"): None,
    ("POST", "/api/v1/calls"): Role.ADMIN,
    ("POST", "/api/v1/calls/transcripts"): Role.ADMIN,
    ("GET", "/api/v1/calls"): Role.QA,
    ("GET", "/api/v1/calls/{call_id}"): Role.QA,
    ("GET", "/api/v1/calls/{call_id}/audio"): Role.QA,
    ("GET", "/api/v1/topics"): Role.ANALYST,
    ("GET", "/api/v1/topics/{topic_id}/trend"): Role.ANALYST,
    ("GET", "/api/v1/trends"): Role.ANALYST,
    ("GET", "/api/v1/reports/pareto"): Role.ANALYST,
    ("GET", "/api/v1/alerts"): Role.ANALYST,
    ("GET", "/api/v1/alerts/{alert_id}"): Role.ANALYST,
    ("POST", "/api/v1/alerts/{alert_id}/ack"): Role.OPS,
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): Role.OPS,
    ("GET", "/api/v1/search"): Role.QA,
    ("GET", "/api/v1/taxonomy"): Role.ANALYST,
    ("PUT", "/api/v1/taxonomy"): Role.ADMIN,
}
EXAMPLE = {"{call_id}": "call-fee-0", "{topic_id}": "billing.unexpected_charge", "{alert_id}": "1"}
QUERY = {"/api/v1/search": "?q=fee", "/api/v1/trends": "?topics=billing.unexpected_charge"}


def _api_routes(app: FastAPI) -> set[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def _url(template: str) -> str:
    for name, value in EXAMPLE.items():
        template = template.replace(name, value)
    return template + QUERY.get(template, "")


def test_every_route_has_an_access_rule(app: FastAPI) -> None:
    assert _api_routes(app) == set(RULES)


@pytest.mark.parametrize(("method", "path"), sorted(RULES))
def test_route_access(client: TestClient, keys: dict[Role, str], seeded: Database, method: str, path: str) -> None:
    role = RULES[(method, path)]
    url = _url(path)
    if role is None:
        assert client.request(method, url).status_code == 200
        return
    anonymous = client.request(method, url)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert client.request(method, url, headers=bearer("cp_not-a-real-key")).status_code == 401
    rank = ROLE_ORDER.index(role)
    if rank > 0:
        weaker = client.request(method, url, headers=bearer(keys[ROLE_ORDER[rank - 1]]))
        assert weaker.status_code == 403
        assert weaker.json()["status"] == 403
    allowed = client.request(method, url, headers=bearer(keys[role]))
    assert allowed.status_code not in (401, 403, 500)


def test_revoked_key_is_rejected(client: TestClient, keys: dict[Role, str], database: Database) -> None:
    from core.auth import list_api_keys, revoke_api_key

    with database.session() as session:
        analyst = next(k for k in list_api_keys(session) if k.role == Role.ANALYST)
        revoke_api_key(session, analyst.id)
    assert client.get("/api/v1/topics", headers=bearer(keys[Role.ANALYST])).status_code == 401


def test_session_cookie_authenticates(client: TestClient, keys: dict[Role, str]) -> None:
    cookie = make_session_cookie(keys[Role.QA])
    assert read_session_cookie(cookie) == keys[Role.QA]
    client.cookies.set("callpulse_session", cookie)
    assert client.get("/api/v1/search?q=fee").status_code == 200
    client.cookies.set("callpulse_session", cookie[:-2] + "xx")
    assert client.get("/api/v1/search?q=fee").status_code == 401


def test_expired_or_forged_cookie_is_refused(keys: dict[Role, str]) -> None:
    cookie = make_session_cookie(keys[Role.QA], now=1_000_000)
    assert read_session_cookie(cookie, now=1_000_000 + 60) == keys[Role.QA]
    assert read_session_cookie(cookie, now=1_000_000 + 13 * 3600) is None
    assert read_session_cookie("garbage") is None
    assert read_session_cookie("Zm9v.bad") is None


def test_rate_limit_answers_429_with_retry_after(
    tmp_path: object, keys: dict[Role, str], app: FastAPI, client: TestClient
) -> None:
    from api.auth import RateLimiter

    app.state.rate_limiter = RateLimiter(per_minute=3)
    codes = [client.get("/api/v1/topics", headers=bearer(keys[Role.ANALYST])).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    last = client.get("/api/v1/topics", headers=bearer(keys[Role.ANALYST]))
    assert last.status_code == 429
    assert int(last.headers["retry-after"]) >= 1
    assert last.headers["content-type"] == "application/problem+json"
    # Another key has its own bucket.
    assert client.get("/api/v1/topics", headers=bearer(keys[Role.ADMIN])).status_code == 200
