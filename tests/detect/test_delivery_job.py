"""Delivery against real local servers: an HTTP endpoint that fails the first N requests, and an SMTP server."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Database
from core.models import Alert, AlertKind, AlertStatus, Delivery, Severity
from core.settings import DeliveryRoute, DeliverySettings, Settings
from detect.delivery_job import DeliveryReport, deliver_pending


@dataclass
class Inbox:
    fail_first: int = 0  # answer this many requests with 503 before succeeding
    requests: list[Any] = field(default_factory=list)  # every body received, failed or not
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """Record one request; True if it should succeed."""
        with self.lock:
            self.requests.append(None)
            return len(self.requests) > self.fail_first


@contextmanager
def http_endpoint(inbox: Inbox) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            ok = inbox.take()
            with inbox.lock:
                inbox.requests[-1] = json.loads(body)
            self.send_response(200 if ok else 503)
            self.end_headers()
            self.wfile.write(b"ok" if ok else b"try later")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Mailbox:
    fail_first: int = 0  # refuse this many MAIL commands with 451 before accepting
    messages: list[Message] = field(default_factory=list)
    refused: int = 0


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib's send_message."""

    mailbox: Mailbox

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 localhost")
            elif verb == "MAIL":
                if self.mailbox.refused < self.mailbox.fail_first:
                    self.mailbox.refused += 1
                    self._reply("451 try again later")
                else:
                    self._reply("250 ok")
            elif verb in ("RCPT", "RSET", "NOOP"):
                self._reply("250 ok")
            elif verb == "DATA":
                self._reply("354 end with .")
                self._read_data()
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")

    def _read_data(self) -> None:
        lines: list[bytes] = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        self.mailbox.messages.append(message_from_bytes(b"".join(lines)))


@contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    handler = type("Handler", (_SmtpHandler,), {"mailbox": mailbox})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def _alert(session: Session, **overrides: Any) -> Alert:
    values: dict[str, Any] = {
        "kind": AlertKind.TOPIC,
        "topic_id": "billing.unexpected_charge",
        "dimension": {"queue": "billing"},
        "incident_key": "topic:billing.unexpected_charge:queue=billing",
        "change_at": datetime(2026, 10, 26, 9, tzinfo=UTC),
        "detected_at": datetime(2026, 10, 26, 12, tzinfo=UTC),
        "last_seen_at": NOW - timedelta(hours=1),  # still going
        "baseline_rate": 0.06,
        "current_rate": 0.21,
        "ratio": 3.5,
        "severity": Severity.HIGH,
        "top_terms": ["paper bill fee"],
        "example_call_ids": ["c1"],
    }
    values.update(overrides)
    alert = Alert(**values)
    session.add(alert)
    session.flush()
    return alert


def _settings(**delivery: Any) -> Settings:
    delivery.setdefault("backoff_seconds", 0.01)
    delivery.setdefault("timeout_seconds", 2.0)
    return Settings(delivery=DeliverySettings(**delivery))


def _attempts(session: Session) -> list[tuple[int, str, int, bool, int | None]]:
    rows = session.scalars(select(Delivery).order_by(Delivery.id))
    return [(d.alert_id, d.channel, d.attempt, d.ok, d.status_code) for d in rows]


def test_webhook_retries_within_run_when_backoff_is_short(db: Database) -> None:
    inbox = Inbox(fail_first=2)
    with http_endpoint(inbox) as url, db.session() as session:
        alert = _alert(session)
        report = deliver_pending(session, _settings(webhook_urls=[url]), NOW)
        assert (report.attempts, report.delivered, report.failed) == (3, 1, 0)
        assert _attempts(session) == [
            (alert.id, "webhook", 1, False, 503),
            (alert.id, "webhook", 2, False, 503),
            (alert.id, "webhook", 3, True, 200),
        ]
        again = deliver_pending(session, _settings(webhook_urls=[url]), NOW + timedelta(hours=1))
        assert again.attempts == 0  # delivered once per endpoint
    body = inbox.requests[-1]
    assert body["id"] == alert.id
    assert body["topic"] == "billing.unexpected_charge"
    assert body["dimension"] == {"queue": "billing"}
    assert body["change_at"] == "2026-10-26T09:00:00+00:00"
    assert {"kind", "ratio", "severity", "status", "top_terms", "example_call_ids"} <= set(body)


def test_long_backoff_waits_for_a_later_run(db: Database) -> None:
    inbox = Inbox(fail_first=1)
    with http_endpoint(inbox) as url, db.session() as session:
        _alert(session)
        settings = _settings(webhook_urls=[url], backoff_seconds=10.0)
        started = time.monotonic()
        first = deliver_pending(session, settings, NOW)
        assert time.monotonic() - started < 2.0  # no sleeping through the backoff
        assert (first.attempts, first.failed, first.delivered) == (1, 1, 0)
        early = deliver_pending(session, settings, NOW + timedelta(seconds=5))
        assert (early.attempts, early.waiting) == (0, 1)
        due = deliver_pending(session, settings, NOW + timedelta(seconds=11))
        assert (due.attempts, due.delivered) == (1, 1)
    assert len(inbox.requests) == 2


def test_gives_up_after_max_attempts_without_raising(db: Database) -> None:
    inbox = Inbox(fail_first=100)
    with http_endpoint(inbox) as url, db.session() as session:
        _alert(session)
        settings = _settings(webhook_urls=[url], max_attempts=3)
        report = deliver_pending(session, settings, NOW)
        assert (report.attempts, report.gave_up, len(report.errors)) == (3, 1, 3)
        assert "HTTP 503" in report.errors[0]
        later = deliver_pending(session, settings, NOW + timedelta(days=1))
        assert (later.attempts, later.gave_up) == (0, 1)
    assert len(inbox.requests) == 3


def test_failing_endpoint_is_tried_once_per_run_not_once_per_alert(db: Database) -> None:
    inbox = Inbox(fail_first=100)
    with http_endpoint(inbox) as url, db.session() as session:
        for key in ("a", "b", "c"):
            _alert(session, incident_key=key)
        report = deliver_pending(session, _settings(webhook_urls=[url], backoff_seconds=10.0), NOW)
        assert (report.attempts, report.failed, report.waiting) == (1, 1, 2)
    assert len(inbox.requests) == 1


def test_unreachable_endpoint_is_recorded_not_raised(db: Database) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there
    inbox = Inbox()
    with http_endpoint(inbox) as url, db.session() as session:
        _alert(session)
        settings = _settings(webhook_urls=[f"http://127.0.0.1:{port}/x", url], max_attempts=2)
        report = deliver_pending(session, settings, NOW)
        assert (report.delivered, report.gave_up) == (1, 1)
        failed = session.scalars(select(Delivery).where(Delivery.ok.is_(False))).all()
        assert len(failed) == 2
        assert all("ConnectError" in (d.error or "") for d in failed)
    assert len(inbox.requests) == 1


def test_slack_gets_text_and_blocks(db: Database) -> None:
    inbox = Inbox()
    with http_endpoint(inbox) as url, db.session() as session:
        _alert(session)
        deliver_pending(session, _settings(slack_webhook_urls=[url]), NOW)
    (body,) = inbox.requests
    assert body["text"].startswith("[HIGH] topic billing.unexpected_charge is up 3.5x")
    assert any(b["type"] == "section" and "fields" in b for b in body["blocks"])


def test_email_over_smtp_with_retry(db: Database) -> None:
    mailbox = Mailbox(fail_first=1)
    with smtp_server(mailbox) as port, db.session() as session:
        alert = _alert(session)
        settings = _settings(smtp_host="127.0.0.1", smtp_port=port, email_to=["ops@example.org"])
        report = deliver_pending(session, settings, NOW)
        assert (report.attempts, report.delivered) == (2, 1)
        assert [(a[1], a[3]) for a in _attempts(session)] == [("email", False), ("email", True)]
        assert alert.id is not None
    (message,) = mailbox.messages
    assert message["To"] == "ops@example.org"
    assert "billing.unexpected_charge" in message["Subject"]
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "Top terms: paper bill fee" in payload.decode()


def test_replay_resolved_and_long_over_alerts_are_not_sent(db: Database) -> None:
    inbox = Inbox()
    with http_endpoint(inbox) as url, db.session() as session:
        _alert(session, replay=True, incident_key="a")
        _alert(session, status=AlertStatus.RESOLVED, incident_key="b")
        _alert(session, incident_key="d", last_seen_at=NOW - timedelta(days=6))  # found in imported history
        live = _alert(session, status=AlertStatus.ACKNOWLEDGED, incident_key="c")
        report = deliver_pending(session, _settings(webhook_urls=[url]), NOW)
        assert report.delivered == 1
    assert [r["id"] for r in inbox.requests] == [live.id]


def test_no_endpoints_does_nothing(db: Database) -> None:
    with db.session() as session:
        _alert(session)
        assert deliver_pending(session, _settings(), NOW) == DeliveryReport()


def test_routes_send_each_team_its_alerts_and_a_grown_incident_when_it_grows(db: Database) -> None:
    billing_inbox, tech_inbox = Inbox(), Inbox()
    with http_endpoint(billing_inbox) as billing_url, http_endpoint(tech_inbox) as tech_url, db.session() as session:
        routes = [
            DeliveryRoute(channel="slack", target=billing_url, topics=["billing"], min_severity="high"),
            DeliveryRoute(channel="webhook", target=tech_url, queues=["tech"]),
        ]
        fee = _alert(session)  # billing topic, high, in queue billing
        outage = _alert(
            session, topic_id="outage.no_service", dimension={"queue": "tech"}, incident_key="o", severity=Severity.LOW
        )
        esim = _alert(session, kind=AlertKind.EMERGING, topic_id=None, phrase="esim activation", dimension={})
        bill = _alert(
            session, topic_id="billing.bill_explanation", dimension={}, incident_key="b", severity=Severity.MEDIUM
        )
        first = deliver_pending(session, _settings(routes=routes), NOW)
        assert (first.delivered, first.failed) == (4, 0)
        bill.severity = Severity.HIGH  # the incident grew past the billing team's bar
        later = deliver_pending(session, _settings(routes=routes), NOW + timedelta(hours=1))
        assert later.delivered == 1
    assert [b["text"].split("]")[0] for b in billing_inbox.requests] == ["[HIGH", "[HIGH"]
    assert [b["blocks"][0]["text"]["text"] for b in billing_inbox.requests] == [
        f"callpulse alert #{fee.id}",
        f"callpulse alert #{bill.id}",
    ]
    # the tech queue's team: its queue's outage, and what is not confined to one queue; not billing's fee
    assert [b["id"] for b in tech_inbox.requests] == [outage.id, esim.id, bill.id]


def test_the_verdict_on_a_fix_reaches_the_channels_that_heard_of_the_problem_once_per_verdict(db: Database) -> None:
    inbox, tech_inbox = Inbox(), Inbox()
    with http_endpoint(inbox) as url, http_endpoint(tech_inbox) as tech_url, db.session() as session:
        settings = _settings(
            webhook_urls=[url], routes=[DeliveryRoute(channel="webhook", target=tech_url, queues=["tech"])]
        )
        alert = _alert(session)  # in queue billing: not the tech team's
        assert deliver_pending(session, settings, NOW).delivered == 1
        alert.status, alert.resolved_at, alert.resolved_by = AlertStatus.RESOLVED, NOW, "ana"
        alert.resolve_comment = "fee switched off"
        unknown = deliver_pending(session, settings, NOW + timedelta(hours=2))  # too few calls since to tell
        assert unknown.attempts == 0
        alert.recovery = "back_to_baseline"
        judged = deliver_pending(session, settings, NOW + timedelta(hours=20))
        assert (judged.delivered, deliver_pending(session, settings, NOW + timedelta(hours=21)).attempts) == (1, 0)
        alert.recovery = "still_elevated"  # it came back within the watch
        assert deliver_pending(session, settings, NOW + timedelta(days=3)).delivered == 1
        alert.recovery = "back_to_baseline"  # a verdict already told is not told again
        assert deliver_pending(session, settings, NOW + timedelta(days=4)).attempts == 0
        events = session.scalars(select(Delivery.event).order_by(Delivery.id)).all()
        assert events == ["alert", "fix:back_to_baseline", "fix:still_elevated"]
        old = _alert(session, incident_key="old", status=AlertStatus.RESOLVED, recovery="back_to_baseline")
        old.resolved_at = NOW - timedelta(days=15)  # beyond the watch: nobody waits for it any more
        assert deliver_pending(session, settings, NOW + timedelta(days=4)).attempts == 0
    assert [(b["event"], b.get("recovery")) for b in inbox.requests] == [
        ("alert", None),
        ("fix", "back_to_baseline"),
        ("fix", "still_elevated"),
    ]
    assert tech_inbox.requests == []
