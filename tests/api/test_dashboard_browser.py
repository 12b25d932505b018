"""The dashboard in a real browser: the real server over a seeded SQLite database, driven by headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import delete

from core.db import Database
from core.models import Alert, AlertKind, Severity
from tests.api.test_dashboard_data import AUDIO_CALL_ID, AUDIO_SEGMENTS, CALLPULSE, SPIKE_TOPIC, seed

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
README_SHOTS = {"overview", "alert"}

if not Path(CHROMIUM).exists() or shutil.which("espeak-ng") is None or shutil.which("sox") is None:
    pytest.skip("needs chromium, espeak-ng and sox", allow_module_level=True)
if TYPE_CHECKING:
    from playwright import sync_api
else:
    sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Site:
    base: str
    keys: dict[str, str]
    alert_id: int
    shots: Path


@dataclass
class Watch:
    """What a page did that it should not: console errors, uncaught exceptions, requests leaving the server."""

    base_host: str
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def attach(self, page: sync_api.Page) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self._request)

    def _request(self, request: sync_api.Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.base_host:
            self.external.append(request.url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _create_key(role: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        [CALLPULSE, "keys", "create", "--role", role], env=env, check=True, capture_output=True, text=True
    ).stdout
    return out.split()[-1]  # the key is the last word of the output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{work}/callpulse.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLPULSE_")}
    env |= {"CALLPULSE_DATABASE_URL": url, "CALLPULSE_AUDIO_DIR": str(work / "audio")}
    if "CALLPULSE_WHISPER__MODEL_CACHE_DIR" in os.environ:
        env["CALLPULSE_WHISPER__MODEL_CACHE_DIR"] = os.environ["CALLPULSE_WHISPER__MODEL_CACHE_DIR"]
    db = Database(url)
    alert_id = seed(db, url, work, env)
    db.engine.dispose()
    keys = {role: _create_key(role, env) for role in ("ops", "analyst")}
    port = _free_port()
    server = subprocess.Popen(
        [CALLPULSE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield Site(base, keys, alert_id, work / "screenshots")
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: sync_api.Browser, site: Site) -> Iterator[tuple[sync_api.Page, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    tab = context.new_page()
    watch = Watch(urlsplit(site.base).netloc)
    watch.attach(tab)
    yield tab, watch
    shown = tab.locator("#status.error")
    problem = shown.inner_text() if shown.count() else ""
    context.close()
    assert problem == "", f"the page reported: {problem}"
    assert watch.errors == [], f"console errors: {watch.errors}"
    assert watch.external == [], f"requests left the server: {watch.external}"


def _login(tab: sync_api.Page, site: Site, role: str = "ops", then: str = "/") -> None:
    tab.goto(site.base + then)
    tab.wait_for_url("**/login**")
    tab.fill("#api_key", site.keys[role])
    tab.click("button[type=submit]")
    tab.wait_for_url(site.base + then)


def _api(site: Site, path: str, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {site.keys['ops']}"}
    return httpx.get(f"{site.base}/api/v1{path}", params=params, headers=headers, timeout=30).json()


def _shot(tab: sync_api.Page, site: Site, name: str) -> Path:
    site.shots.mkdir(exist_ok=True)
    path = site.shots / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    if name in README_SHOTS and os.environ.get("UPDATE_SCREENSHOTS") == "1":  # refreshed on request only
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / path.name)
    return path


def test_pages_need_a_valid_key(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, watch = page
    tab.goto(site.base + "/search?q=fee")
    assert urlsplit(tab.url).path == "/login"
    tab.fill("#api_key", "cp_not-a-key")
    with tab.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST"):
        tab.click("button[type=submit]")
    assert "not valid" in tab.inner_text("[role=alert]")
    watch.errors = [e for e in watch.errors if "401" not in e]  # the rejected login answers 401 by design
    tab.fill("#api_key", site.keys["ops"])
    tab.click("button[type=submit]")
    tab.wait_for_url("**/search?q=fee")
    cookie = next(c for c in tab.context.cookies() if c["name"] == "callpulse_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_overview_marks_the_planted_spike(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    with tab.expect_request(lambda r: "/api/v1/reports/pareto" in r.url) as pareto:
        _login(tab, site)
    days = _api(site, "/topics/*/trend", bucket="day")
    assert parse_qs(urlsplit(pareto.value.url).query) == {"since": [days["since"]], "until": [days["until"]]}
    sync_api.expect(tab.locator("#pareto-window")).to_contain_text("the days of the daily chart")
    sync_api.expect(tab.locator("#volume-summary")).to_contain_text(" days (")
    chart_days = re.search(r"\((\d+ \w+) – (\d+ \w+)\)", tab.inner_text("#volume-summary"))
    assert chart_days is not None  # the Pareto names the chart's first and last day
    assert f"{chart_days[1]} – {chart_days[2]}" in tab.inner_text("#pareto-window")
    first = tab.locator("#alert-list .alert-item").first
    sync_api.expect(first).to_contain_text(SPIKE_TOPIC)
    sync_api.expect(first).to_contain_text("open")
    marker = tab.locator("#volume-markers .marker a", has_text=SPIKE_TOPIC)
    sync_api.expect(marker).to_have_count(1)
    tab.wait_for_selector("#volume-chart canvas")
    sync_api.expect(tab.locator("#pareto tbody tr").first).to_contain_text(".")
    assert tab.locator("#pareto tbody tr").count() >= 10
    _shot(tab, site, "overview")
    tab.click(".toggle button[data-bucket=hour]")
    sync_api.expect(tab.locator("#volume-summary")).to_contain_text("hours")
    _shot(tab, site, "overview-hour")
    marker.click()
    tab.wait_for_url(f"**/alerts/{site.alert_id}")


def test_alert_page_shows_the_change_and_can_be_acknowledged(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then=f"/alerts/{site.alert_id}")
    facts = tab.locator("#alert-facts")
    sync_api.expect(facts).to_contain_text(SPIKE_TOPIC)
    sync_api.expect(facts).to_contain_text(re.compile(r"×\d+\.\d \(baseline [\d.]+ calls/hour → now"))
    sync_api.expect(facts).to_contain_text(re.compile(r"Where(queue billing|all calls)"))
    tab.wait_for_selector("#alert-chart canvas")
    sync_api.expect(tab.locator("#trend-summary")).to_contain_text("expected range")
    sync_api.expect(tab.locator("#alert-examples mark").first).to_be_visible()
    assert "?t=" in (tab.locator("#alert-examples .example a").first.get_attribute("href") or "")
    _shot(tab, site, "alert")
    tab.click(".toggle button[data-bucket=day]")
    sync_api.expect(tab.locator("#trend-summary")).to_contain_text("daily")
    tab.fill("#triage-comment", "Paper bill fee confirmed with billing <team>")
    tab.click("#ack-button")
    sync_api.expect(tab.locator("#alert-status")).to_contain_text("acknowledged")
    sync_api.expect(tab.locator("#triage-log")).to_contain_text("billing <team>")  # shown as text, not markup
    assert _api(site, f"/alerts/{site.alert_id}")["status"] == "acknowledged"
    sync_api.expect(tab.locator("#ack-button")).to_have_text("Add note")  # a later note needs no HTTP client
    tab.click("#ack-button")
    sync_api.expect(tab.locator("#status")).to_contain_text("Write the note to add first")
    tab.fill("#triage-comment", "Vendor says fixed by 3 pm")
    tab.click("#ack-button")
    sync_api.expect(tab.locator("#triage-log")).to_contain_text("Vendor says fixed by 3 pm")
    sync_api.expect(tab.locator("#status")).to_contain_text("Note added")
    assert "Vendor says fixed by 3 pm" in _api(site, f"/alerts/{site.alert_id}")["ack_comment"]
    tab.fill("#triage-comment", "Fee removed from paper bills")
    tab.click("#resolve-button")
    sync_api.expect(tab.locator("#alert-status")).to_contain_text("resolved")
    sync_api.expect(tab.locator("#recovery")).to_contain_text("Back to baseline?")  # the detector has not looked yet
    assert tab.locator("#resolve-button").is_disabled()


def test_analysts_cannot_triage(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, role="analyst", then=f"/alerts/{site.alert_id}")
    sync_api.expect(tab.locator("#alert-facts")).to_contain_text(SPIKE_TOPIC)
    assert tab.locator("#ack-button").count() == 0
    sync_api.expect(tab.locator("#triage-h + p + dl + p")).to_contain_text("ops key")
    assert tab.locator("nav a", has_text="Search").count() == 0
    sync_api.expect(tab.locator("#alert-examples .example").first).to_be_visible()
    assert tab.locator("#alert-examples a").count() == 0  # no links into transcripts the key cannot open
    emerging = _api(site, "/alerts", kind="emerging")["items"][0]
    tab.goto(f"{site.base}/alerts/{emerging['id']}")  # a phrase: no topic trend, examples only
    sync_api.expect(tab.locator("#alert-chart")).to_contain_text("about a phrase")


def test_search_hit_opens_the_call_at_its_moment(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then="/search")
    tab.fill("#q", '"paper bill fee"')
    tab.select_option("select[name=speaker]", "customer")
    tab.fill("input[name=since]", "2026-11-02")
    tab.fill("input[name=until]", "2026-11-02")
    tab.press("#q", "Enter")
    hit = tab.locator("#results .hit").first
    sync_api.expect(hit.locator("mark").first).to_contain_text("paper", ignore_case=True)
    sync_api.expect(hit).to_contain_text(AUDIO_CALL_ID)
    _shot(tab, site, "search")
    customer_start = AUDIO_SEGMENTS[1][0]
    hit.locator("a").click()
    tab.wait_for_url(f"**/calls/{AUDIO_CALL_ID}?t=*")
    tab.wait_for_function(
        "(t) => Math.abs(document.querySelector('#call-audio').currentTime - t) < 0.3", arg=customer_start
    )
    sync_api.expect(tab.locator(".turn-row.active")).to_contain_text("paper bill fee")
    sync_api.expect(tab.locator("#call-qa")).to_contain_text("closing: missed")
    reply = AUDIO_SEGMENTS[2][0]
    tab.locator(".turn", has_text="remove the paper bill fee").click()
    tab.wait_for_function("(t) => document.querySelector('#call-audio').currentTime >= t", arg=reply - 0.05)
    _shot(tab, site, "call")
    tab.locator("#call-topics a", has_text=SPIKE_TOPIC).click()  # a topic chip leads to that topic's trend
    tab.wait_for_url("**/topics#topic-*")
    sync_api.expect(tab.locator("#topics-table tr.picked")).to_contain_text(SPIKE_TOPIC)


def test_search_pages_with_the_cursor(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then="/search?q=fee&queue=billing")
    sync_api.expect(tab.locator("#results .hit")).to_have_count(20)
    tab.click("#load-more")
    sync_api.expect(tab.locator("#results .hit")).to_have_count(40)
    redacted = tab.locator("#results .redacted")
    assert redacted.count() == 0 or redacted.first.is_visible()


def test_topics_page_and_phone_width(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then="/topics")
    sync_api.expect(tab.locator("#topics-table svg.sparkline")).to_have_count(12)
    # The planted eSIM problem surfaces as a phrase ("esim activation", "activation code", ...).
    sync_api.expect(tab.locator("#emerging-list .alert-item").first).to_contain_text(re.compile("esim|activation"))
    _shot(tab, site, "topics")
    tab.set_viewport_size({"width": 390, "height": 844})
    for path in ("/topics", "/", f"/alerts/{site.alert_id}", f"/calls/{AUDIO_CALL_ID}"):
        tab.goto(site.base + path)
        tab.wait_for_load_state("networkidle")
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a phone by {overflow}px"
        _shot(tab, site, "phone-" + (path.strip("/").split("/")[0] or "overview"))
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip"


def test_the_inbox_names_a_dropped_queue_and_a_silent_intake(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    db = Database(f"sqlite:///{site.shots.parent}/callpulse.db")
    at = datetime(2026, 9, 1, 9, tzinfo=UTC)  # before the seeded alerts: listed after them
    common = {"kind": AlertKind.VOLUME, "change_at": at, "detected_at": at, "last_seen_at": at, "current_rate": 0.0}
    with db.session() as session:
        dropped = Alert(**common, incident_key="volume:queue=shop", dimension={"queue": "shop"}, baseline_rate=9.0,
                        ratio=0.0, severity=Severity.HIGH)  # fmt: skip
        silent = Alert(**common, incident_key="volume:silence", dimension={}, baseline_rate=40.0, ratio=0.0,
                       severity=Severity.HIGH)  # fmt: skip
        session.add_all([dropped, silent])
    try:
        _login(tab, site)
        items = tab.locator("#alert-list .alert-item")
        sync_api.expect(items.filter(has_text="calls in queue shop")).to_have_count(1)
        sync_api.expect(items.filter(has_text="no calls arriving")).to_have_count(1)
    finally:
        with db.session() as session:
            session.execute(delete(Alert).where(Alert.incident_key.in_(["volume:queue=shop", "volume:silence"])))
        db.engine.dispose()
