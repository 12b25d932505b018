"""/docs works without internet: Swagger UI and its assets come from the server itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

CHROMIUM = "/usr/bin/chromium"
if TYPE_CHECKING:
    from playwright import sync_api


def _references(html: str) -> list[str]:
    """The URLs a page loads: src and href attributes, and the spec URL handed to Swagger UI."""
    return [m.group(1) or m.group(2) for m in re.finditer(r"""(?:src|href)=["']([^"']+)|url:\s*'([^']+)'""", html)]


def test_docs_reference_no_external_host_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "cdn.jsdelivr.net" not in page.text and "fastapi.tiangolo.com" not in page.text
    urls = _references(page.text)
    assert {urlsplit(u).netloc for u in urls} == {""}, urls
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls) and any(u.endswith(".css") for u in urls)
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.content, url
    assert client.get("/openapi.json").json()["info"]["title"] == "callpulse"


@pytest.mark.browser
def test_swagger_ui_renders_with_the_network_cut_off(client: TestClient) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("needs chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    external: list[str] = []

    def serve(route: sync_api.Route) -> None:
        parts = urlsplit(route.request.url)
        if parts.netloc != "callpulse.test":
            external.append(route.request.url)
            route.abort()
            return
        answer = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        try:
            tab = browser.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda exc: errors.append(str(exc)))
            tab.route("**/*", serve)
            tab.goto("http://callpulse.test/docs")
            tab.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
            assert "callpulse" in tab.inner_text(".swagger-ui .info .title")
            tab.wait_for_selector(".opblock-summary-path[data-path='/api/v1/calls/transcripts']", timeout=30_000)
        finally:
            browser.close()
    assert external == [] and errors == []
