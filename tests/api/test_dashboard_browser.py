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
from core.models import TOTAL, Alert, AlertKind, Severity, VolumeBucket
from tests.alerts import topic_alert
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
    sync_api.expect(tab.locator("#pareto-window")).to_contain_text("not only the hours shown")  # still the days
    _shot(tab, site, "overview-hour")
    marker.click()
    tab.wait_for_url(f"**/alerts/{site.alert_id}")


def test_alert_page_shows_the_change_and_can_be_acknowledged(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then=f"/alerts/{site.alert_id}")
    facts = tab.locator("#alert-facts")
    sync_api.expect(facts).to_contain_text(SPIKE_TOPIC)
    sync_api.expect(facts).to_contain_text(re.compile(r"×\d+\.\d \(baseline [\d.]+ calls (an hour|a day) → now"))
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
    sync_api.expect(tab.locator("#triage-status.error")).to_contain_text("Write the note to add first")
    tab.fill("#triage-comment", "Vendor says fixed by 3 pm")
    tab.click("#ack-button")
    sync_api.expect(tab.locator("#triage-log")).to_contain_text("Vendor says fixed by 3 pm")
    sync_api.expect(tab.locator("#triage-status")).to_contain_text("Note added")
    assert "Vendor says fixed by 3 pm" in _api(site, f"/alerts/{site.alert_id}")["ack_comment"]
    tab.fill("#triage-comment", "Fee removed from paper bills")
    tab.click("#resolve-button")
    sync_api.expect(tab.locator("#alert-status")).to_contain_text("resolved")
    sync_api.expect(tab.locator("#recovery")).to_contain_text("Back to baseline?")  # the detector has not looked yet
    assert tab.locator("#resolve-button").is_disabled()
    sync_api.expect(tab.locator("#triage-comment")).to_be_disabled()  # nothing could send what is typed there


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
    sync_api.expect(tab.locator("#trend-summary")).to_contain_text("about a phrase")
    sync_api.expect(tab.locator("#alert-chart")).to_be_hidden()  # no blank chart area
    sync_api.expect(tab.locator(".toggle")).to_be_hidden()  # no bucket toggle that changes nothing


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


def _site_db(site: Site) -> Database:
    return Database(f"sqlite:///{site.shots.parent}/callpulse.db")


ERROR_RED = "rgb(220, 38, 38)"


def test_triage_feedback_is_by_the_buttons_and_a_stale_alert_catches_up(
    page: tuple[sync_api.Page, Watch], site: Site
) -> None:
    tab, watch = page
    db = _site_db(site)
    with db.session() as session:
        fresh = topic_alert(SPIKE_TOPIC, datetime(2026, 10, 30, 9, tzinfo=UTC))
        fresh.incident_key = "test:stale-tab"
        session.add(fresh)
        session.flush()
        alert_id = fresh.id
    try:
        _login(tab, site, then=f"/alerts/{alert_id}")
        tab.wait_for_selector("#alert-chart canvas")
        tab.fill("#triage-comment", "Customer asked: call me at [PHONE]")
        tab.click("#ack-button")
        feedback = tab.locator("#triage-status")
        sync_api.expect(feedback).to_have_text("Alert acknowledged.")
        # Next to the buttons (the page is taller than the window), not at the page's top or bottom.
        buttons, message = tab.locator("#ack-button").bounding_box(), feedback.bounding_box()
        assert buttons is not None and message is not None
        assert 0 < message["y"] - buttons["y"] < 80
        sync_api.expect(feedback).to_be_in_viewport()
        sync_api.expect(tab.locator("#triage-log .redacted")).to_have_text("PHONE")  # a chip, as in transcripts

        # Resolved in another tab: this page still offers "Add note" until the server says no.
        headers = {"Authorization": f"Bearer {site.keys['ops']}"}
        httpx.post(f"{site.base}/api/v1/alerts/{alert_id}/resolve", json={}, headers=headers).raise_for_status()
        tab.fill("#triage-comment", "Still seeing it")
        tab.click("#ack-button")
        sync_api.expect(feedback).to_contain_text("already resolved")
        sync_api.expect(feedback).to_have_css("color", ERROR_RED)
        sync_api.expect(tab.locator("#alert-status")).to_contain_text("resolved")  # reloaded, not the stale copy
        for control in ("#ack-button", "#resolve-button", "#triage-comment"):
            sync_api.expect(tab.locator(control)).to_be_disabled()
        watch.errors = [e for e in watch.errors if "409" not in e]  # the refused action answers 409 by design
    finally:
        with db.session() as session:
            session.execute(delete(Alert).where(Alert.id == alert_id))
        db.engine.dispose()


def test_errors_on_the_page_line_are_red(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site)
    tab.wait_for_selector("#volume-chart canvas")
    tab.evaluate("CP.status('probe', true)")
    sync_api.expect(tab.locator("#status")).to_have_css("color", ERROR_RED)
    tab.evaluate("CP.status('')")  # the fixture fails a page that shows an error


def test_chart_dates_read_day_month_in_utc(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site, then=f"/alerts/{site.alert_id}")
    tab.wait_for_selector("#alert-chart canvas")
    # The tick labels are drawn on the canvas; uPlot keeps the texts it drew on the axis (vendored, pinned).
    ticks = tab.evaluate("document.querySelector('#alert-chart')._plot.axes[0]._values")
    assert ticks, "no x-axis labels"
    for tick in ticks:
        assert re.fullmatch(r"(\d\d:\d\d\n?)?(\d{1,2} [A-Z][a-z]{2,3})?", tick) and "/" not in tick, ticks
    box = tab.locator("#alert-chart .u-over").bounding_box()
    assert box is not None
    tab.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hovered = tab.locator("#alert-chart .u-legend .u-series").first.locator(".u-value")
    sync_api.expect(hovered).to_have_text(re.compile(r"\d{1,2} [A-Z][a-z]{2,3} 2026, \d\d:00 UTC"))


PARTIAL_DAY = datetime(2026, 11, 2, tzinfo=UTC)  # the seeded calls end on 1 Nov at 23:50


def test_a_partial_last_day_is_marked_not_drawn_as_a_collapse(page: tuple[sync_api.Page, Watch], site: Site) -> None:
    tab, _ = page
    _login(tab, site)
    summary = tab.locator("#volume-summary")
    sync_api.expect(summary).to_contain_text("calls of the top")
    assert "partial" not in summary.inner_text()  # the seeded last day is whole
    db = _site_db(site)
    hours = [PARTIAL_DAY.replace(hour=h) for h in range(10)]  # 2 Nov until 10:00
    with db.session() as session:
        for topic in (TOTAL, SPIKE_TOPIC):
            session.add_all(VolumeBucket(bucket_start=t, topic_id=topic, queue="billing", language="en", count=2)
                            for t in hours)  # fmt: skip
    try:
        tab.reload()
        sync_api.expect(summary).to_contain_text("2 Nov is partial: calls until 10:00 UTC, drawn dashed")
        tab.goto(site.base + "/topics")
        spike_row = tab.locator("#topic-billing-unexpected_charge")
        sync_api.expect(spike_row.locator(".spark-partial")).to_have_count(1)
        sync_api.expect(tab.locator("#per-day-h")).to_contain_text("2 Nov partial")
        sync_api.expect(tab.locator("#calls-h")).to_contain_text(re.compile(r"Calls \d{1,2} \w+ – 2 Nov"))
    finally:
        with db.session() as session:
            session.execute(delete(VolumeBucket).where(VolumeBucket.bucket_start.in_(hours)))
        db.engine.dispose()
