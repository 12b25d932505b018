"""The key, alert, trend and search commands, run through the real Typer app on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from core.auth import verify_api_key
from core.db import Database
from core.models import Alert, AlertKind
from tests.api.seed import seed

runner = CliRunner()


def _db(tmp_path: Path) -> tuple[str, Database]:
    url = f"sqlite:///{tmp_path}/cli.db"
    db = Database(url)
    with db.session() as session:
        seed(session)
    return url, db


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    url, db = _db(tmp_path)
    created = runner.invoke(app, ["--db", url, "keys", "create", "--role", "ops", "--name", "pager"])
    assert created.exit_code == 0, created.output
    key = created.output.split()[-1]
    with db.session() as session:
        info = verify_api_key(session, key)
        assert info is not None and info.role == "ops"
    listed = runner.invoke(app, ["--db", url, "keys", "list"])
    assert "pager" in listed.output and key not in listed.output
    assert runner.invoke(app, ["--db", url, "keys", "revoke", str(info.id)]).exit_code == 0
    with db.session() as session:
        assert verify_api_key(session, key) is None
    missing = runner.invoke(app, ["--db", url, "keys", "revoke", "99"])
    assert missing.exit_code == 1
    assert runner.invoke(app, ["--db", url, "keys", "create", "--role", "root"]).exit_code != 0


def test_alerts_list_ack_resolve(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    listed = runner.invoke(app, ["--db", url, "alerts", "--json"])
    assert listed.exit_code == 0, listed.output
    alerts = json.loads(listed.output)
    assert {a["kind"] for a in alerts} == {"topic", "emerging"} and "example_call_ids" in alerts[0]
    topic_id = next(a["id"] for a in alerts if a["kind"] == "topic")
    assert runner.invoke(app, ["--db", url, "alerts", "ack", str(topic_id), "--comment", "looking"]).exit_code == 0
    assert runner.invoke(app, ["--db", url, "alerts", "resolve", str(topic_id)]).exit_code == 0
    again = runner.invoke(app, ["--db", url, "alerts", "resolve", str(topic_id)])
    assert again.exit_code == 1
    resolved = json.loads(runner.invoke(app, ["--db", url, "alerts", "--status", "resolved", "--json"]).output)
    assert [a["id"] for a in resolved] == [topic_id] and resolved[0]["acked_by"].startswith("cli")
    table = runner.invoke(app, ["--db", url, "alerts"])
    assert table.exit_code == 0 and "resolved" in table.output and "emerging" in table.output


def test_backtest_alerts_are_marked_and_can_be_left_out(tmp_path: Path) -> None:
    url, db = _db(tmp_path)
    with db.session() as session:
        session.execute(update(Alert).where(Alert.kind == AlertKind.EMERGING).values(replay=True))
    live = json.loads(runner.invoke(app, ["--db", url, "alerts", "--live", "--json"]).output)
    backtest = json.loads(runner.invoke(app, ["--db", url, "alerts", "--replay", "--json"]).output)
    assert [a["kind"] for a in live] == ["topic"] and [a["kind"] for a in backtest] == ["emerging"]
    table = runner.invoke(app, ["--db", url, "alerts"]).output
    assert "medium, open, backtest" in table and "high, open]" in table


def test_trends_and_search(tmp_path: Path) -> None:
    url, _ = _db(tmp_path)
    ranked = runner.invoke(app, ["--db", url, "trends", "--json"])
    assert ranked.exit_code == 0, ranked.output
    assert json.loads(ranked.output)["topics"][0]["topic"] == "outage.no_service"
    one = runner.invoke(
        app, ["--db", url, "trends", "--topic", "billing.unexpected_charge", "--bucket", "day", "--json"]
    )
    points = json.loads(one.output)["points"]
    assert len(points) == 56 and points[-1]["expected"] is not None
    by_queue = runner.invoke(app, ["--db", url, "trends", "--topic", "billing.unexpected_charge", "--by", "queue"])
    assert by_queue.exit_code == 0 and "billing" in by_queue.output
    split = ["--db", url, "trends", "--topic", "billing.unexpected_charge", "--by", "queue", "--json"]
    groups = [s["group"] for s in json.loads(runner.invoke(app, split).output)]
    assert {"queue": "billing"} in groups  # an object, as GET /topics/trends?group_by=queue gives it
    assert runner.invoke(app, ["--db", url, "trends", "--topic", "nope"]).exit_code == 1
    found = runner.invoke(app, ["--db", url, "search", '"paper bill fee"', "--speaker", "customer", "--json"])
    items = json.loads(found.output)["items"]
    assert [i["call_id"] for i in items] == ["call-fee-2", "call-fee-1", "call-fee-0"]
    table = runner.invoke(app, ["--db", url, "search", "esim", "--since", "2026-10-01"])
    assert table.exit_code == 0 and "call-esim-0" in table.output
    bad = runner.invoke(app, ["--db", url, "search", '"unclosed'])
    assert bad.exit_code == 1 and "quote" in bad.output
