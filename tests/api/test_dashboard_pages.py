"""Dashboard page routes over HTTP: login and session cookie, redirects, roles, escaping, static files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.dashboard import STATIC_DIR
from api.dashboard.session import safe_next
from api.main import create_app
from core.auth import create_api_key
from core.db import Database
from core.settings import get_settings
from tests.alerts import topic_alert

PAGES = ("/", "/topics", "/search", "/alerts/1", "/calls/call-1")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


def _key(role: str) -> str:
    db = Database(get_settings().database_url)
    with db.session() as session:
        key = create_api_key(session, role)[1]
    db.engine.dispose()
    return key


def _alert() -> int:
    db = Database(get_settings().database_url)
    with db.session() as session:
        alert = topic_alert("topic:billing.unexpected_charge", datetime(2026, 11, 2, 9, tzinfo=UTC))
        session.add(alert)
        session.flush()
        alert_id = alert.id
    db.engine.dispose()
    return alert_id


def _log_in(client: TestClient, role: str) -> None:
    response = client.post("/login", data={"api_key": _key(role), "next": "/"}, follow_redirects=False)
    assert response.status_code == 303


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    if path != "/":
        assert "next=" in response.headers["location"]


def test_login_sets_a_strict_session_cookie_and_follows_next(client: TestClient) -> None:
    response = client.post("/login", data={"api_key": _key("qa"), "next": "/search?q=fee"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/search?q=fee"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("callpulse_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/search").status_code == 200
    assert client.get("/api/v1/topics").status_code == 200  # the same cookie authenticates the JSON API


def test_cookie_is_secure_behind_https(client: TestClient) -> None:
    response = client.post(
        "/login", data={"api_key": _key("qa")}, headers={"x-forwarded-proto": "https"}, follow_redirects=False
    )
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_or_revoked_keys_are_refused(client: TestClient) -> None:
    response = client.post("/login", data={"api_key": "cp_nope", "next": "/"}, follow_redirects=False)
    assert response.status_code == 401
    assert "not valid" in response.text
    assert "set-cookie" not in response.headers
    client.cookies.set("callpulse_session", "forged.value")
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_login_never_redirects_off_site(target: str) -> None:
    assert safe_next(target) == "/"
    assert safe_next("/alerts/3?x=1") == "/alerts/3?x=1"


def test_logout_clears_the_session(client: TestClient) -> None:
    _log_in(client, "ops")
    assert client.get("/").status_code == 200
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and 'callpulse_session=""' in response.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_triage_controls_follow_the_role(client: TestClient) -> None:
    alert_id = _alert()
    _log_in(client, "analyst")
    page = client.get(f"/alerts/{alert_id}").text
    assert 'id="ack-button"' not in page and "needs an ops key" in page
    assert 'href="/search"' not in page  # analysts cannot read transcripts
    for path in ("/search", "/calls/call-1"):
        refused = client.get(path)
        assert refused.status_code == 403 and "need a qa key" in refused.text
    _log_in(client, "ops")
    page = client.get(f"/alerts/{alert_id}").text
    assert 'id="ack-button"' in page and 'id="resolve-button"' in page


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_csp_friendly(client: TestClient, path: str) -> None:
    _log_in(client, "admin")
    response = client.get(path)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "external resource"


def test_user_content_in_the_address_is_escaped(client: TestClient) -> None:
    _log_in(client, "qa")
    page = client.get("/calls/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").text
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_static_files_and_vendored_chart_licence(client: TestClient) -> None:
    for path in ("js/common.js", "js/charts.js", "css/app.css", "vendor/uplot/uPlot.iife.min.js"):
        assert client.get(f"/static/{path}").status_code == 200
    licence = (Path(STATIC_DIR) / "vendor" / "uplot" / "LICENSE").read_text()
    assert "MIT" in licence or "Permission is hereby granted" in licence


@pytest.mark.parametrize(
    "path", ["/alerts/abc", "/alerts/1.5", "/alerts/%D9%A3", "/alerts/99999999999999999999", "/alerts/99999"]
)
def test_a_mistyped_alert_address_is_a_page_that_leads_back(client: TestClient, path: str) -> None:
    _log_in(client, "analyst")
    response = client.get(path)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "does not exist" in response.text and 'href="/"' in response.text


def test_an_unknown_call_is_a_page_that_leads_back(client: TestClient) -> None:
    _log_in(client, "qa")
    response = client.get("/calls/nope-404")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Call nope-404 does not exist" in response.text and 'href="/"' in response.text
    assert 'id="call-audio"' not in response.text  # not the empty call page with a dead player
    _log_in(client, "analyst")
    assert client.get("/calls/nope-404").status_code == 403  # no hint to a weaker key about which calls exist


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_address_is_a_page_for_browsers(client: TestClient) -> None:
    stranger = client.get("/nonexistent", headers=BROWSER, follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")
    _log_in(client, "analyst")
    response = client.get("/nonexistent/deeper?x=1", headers=BROWSER)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Page /nonexistent/deeper does not exist" in response.text and 'href="/"' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/api/v1/nonexistent", BROWSER),  # the API answers problem+json whoever asks
        ("GET", "/api", BROWSER),
        ("GET", "/api/v1/calls/nope-404", BROWSER),
        ("GET", "/nonexistent", {"accept": "application/json"}),
        ("GET", "/nonexistent", {}),
        ("POST", "/nonexistent", BROWSER),
    ],
)
def test_other_unknown_addresses_stay_problem_json(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    _log_in(client, "qa")
    response = client.request(method, path, headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
