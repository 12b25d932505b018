"""`callpulse alerts`: a resolved alert says whether its fix worked, or that it is not known yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.context import console
from cli.main import app
from core.db import Database
from core.models import (
    MAX_ROW_ID,
    Alert,
    AlertKind,
    AlertStatus,
    Call,
    CallStatus,
    Segment,
    Severity,
    Speaker,
    TopicHit,
)
from core.settings import DeliverySettings, Settings
from detect.delivery_job import deliver_pending
from tests.detect.test_delivery_job import Inbox, http_endpoint


def database_with_alert(tmp_path: Path, **fields: object) -> str:
    """A database holding one fee alert (``fields`` override its defaults); its URL."""
    url = f"sqlite:///{tmp_path}/alerts.db"
    at = datetime(2026, 10, 26, 9, tzinfo=UTC)
    database = Database(url)
    with database.session() as session:
        session.add(
            Alert(
                **{
                    "kind": AlertKind.TOPIC, "topic_id": "billing.unexpected_charge", "incident_key": "topic:fee",
                    "change_at": at, "detected_at": at, "last_seen_at": at, "baseline_rate": 1.0,
                    "current_rate": 3.0, "ratio": 3.0, "severity": Severity.HIGH, **fields,
                }
            )
        )  # fmt: skip
    database.engine.dispose()
    return url


@pytest.mark.parametrize(
    ("recovery", "said"),
    [
        ("back_to_baseline", "fix:   back to baseline"),
        ("still_elevated", "fix:   still elevated"),
        (None, "not known yet"),
    ],
)
def test_a_resolved_alert_says_whether_its_fix_worked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recovery: str | None, said: str
) -> None:
    monkeypatch.setattr(console, "width", 200)
    resolved_at = datetime(2026, 10, 27, 9, tzinfo=UTC)
    url = database_with_alert(tmp_path, status=AlertStatus.RESOLVED, resolved_at=resolved_at, recovery=recovery)
    resolved = CliRunner().invoke(app, ["--db", url, "alerts", "--status", "resolved"])
    assert resolved.exit_code == 0, resolved.output
    assert said in resolved.stdout


def test_an_open_alert_says_nothing_of_a_fix(tmp_path: Path) -> None:
    listed = CliRunner().invoke(app, ["--db", database_with_alert(tmp_path), "alerts"])
    assert listed.exit_code == 0, listed.output
    assert "billing.unexpected_charge" in listed.stdout and "fix:" not in listed.stdout


def test_show_tells_who_resolved_an_alert_and_where_it_was_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)
    resolved_at = datetime(2026, 10, 27, 9, tzinfo=UTC)
    url = database_with_alert(tmp_path, last_seen_at=resolved_at, dimension={"queue": "billing"})
    inbox, broken = Inbox(fail_first=1), Inbox(fail_first=99)
    database = Database(url)
    with http_endpoint(inbox) as good, http_endpoint(broken) as bad, database.session() as session:
        settings = Settings(
            delivery=DeliverySettings(
                webhook_urls=[good], slack_webhook_urls=[bad + "/T0/B0/secret"], max_attempts=2, backoff_seconds=0.01
            )
        )
        deliver_pending(session, settings, resolved_at)
        alert = session.scalars(select(Alert)).one()
        alert.status, alert.resolved_at, alert.resolved_by = AlertStatus.RESOLVED, resolved_at, "ana"
        alert.resolve_comment = "fee switched off"
        call_at = datetime(2026, 10, 26, 9, 40, tzinfo=UTC)
        session.add(Call(id="c1", started_at=call_at, language="hr", queue="billing", status=CallStatus.TAGGED))
        said = "Na računu mi je nova naknada za papirnati račun."
        session.add(Segment(call_id="c1", idx=0, start=8.0, end=12.0, speaker=Speaker.CUSTOMER, text=said))
        session.add(TopicHit(call_id="c1", topic_id="billing.unexpected_charge", first_start=8.0, evidence="naknada"))
        alert.example_call_ids = ["c1"]
    database.engine.dispose()
    shown = CliRunner().invoke(app, ["--db", url, "alerts", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "resolved: 2026-10-27 09:00 UTC by ana: fee switched off" in shown.stdout
    assert 'said:  c1 (2026-10-26 09:40, billing/hr) at 8s, customer: "Na računu mi je nova naknada' in shown.stdout
    assert "alert to webhook http://127.0.0.1:" in shown.stdout and "/…: delivered (2 attempts, " in shown.stdout
    assert "alert to slack http://127.0.0.1:" in shown.stdout and "not delivered (2 attempts, last " in shown.stdout
    assert "HTTP 503" in shown.stdout and "secret" not in shown.stdout  # a webhook's token stays out of sight
    as_json = json.loads(CliRunner().invoke(app, ["--db", url, "alerts", "show", "1", "--json"]).stdout)
    assert [(e["call_id"], e["evidence"]) for e in as_json["examples"]] == [("c1", "naknada")]
    assert [(d["channel"], d["event"], d["attempts"], d["delivered"]) for d in as_json["deliveries"]] == [
        ("webhook", "alert", 2, True),
        ("slack", "alert", 2, False),
    ]
    missing = CliRunner().invoke(app, ["--db", url, "alerts", "show", "9"])
    assert missing.exit_code == 1 and "no alert 9" in missing.output


@pytest.mark.parametrize("command", ["show", "ack", "resolve"])
@pytest.mark.parametrize("alert_id", ["999", str(MAX_ROW_ID + 1), "9223372036854775808", "99999999999999999999999"])
def test_an_id_no_alert_has_is_an_unknown_alert_in_one_line(tmp_path: Path, command: str, alert_id: str) -> None:
    url = database_with_alert(tmp_path)
    result = CliRunner().invoke(app, ["--db", url, "alerts", command, alert_id])
    assert result.exit_code == 1
    assert result.stderr == f"error: no alert {alert_id}\n"
