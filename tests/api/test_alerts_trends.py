"""Alerts (design.md's format, evidence, ack/resolve), topic trends with the band, grouped trends, Pareto."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from api.schemas import AlertOut
from core.alert_actions import alert_json
from core.db import Database
from core.models import DETECT_WATERMARK, Alert, AppMeta, Call, Delivery, Role
from tests.api.conftest import bearer

ALERT_KEYS = {
    "id",
    "kind",
    "topic",
    "phrase",
    "dimension",
    "change_at",
    "detected_at",
    "baseline_rate",
    "current_rate",
    "ratio",
    "severity",
    "status",
    "top_terms",
    "example_call_ids",
}

ALERT_COPY = "kind topic_id dimension incident_key change_at detected_at last_seen_at baseline_rate current_rate ratio"
ALERT_COPY += " severity top_terms example_call_ids"


def test_alert_list_detail_and_lifecycle(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    analyst, ops = bearer(keys[Role.ANALYST]), bearer(keys[Role.OPS])
    page = client.get("/api/v1/alerts", headers=analyst).json()
    assert [a["kind"] for a in page["items"]] == ["emerging", "topic"]  # newest detection first
    assert set(page["items"][0]) >= ALERT_KEYS
    topic_alert = page["items"][1]
    assert topic_alert["dimension"] == {"queue": "billing"} and topic_alert["status"] == "open"
    assert isinstance(topic_alert["excess_calls"], float)  # set by detection (tests/detect/test_engine.py)
    detail = client.get(f"/api/v1/alerts/{topic_alert['id']}", headers=analyst).json()
    example = detail["examples"][0]
    assert example["call_id"] == "call-fee-0" and example["segment_start"] == 10.0
    assert "paper bill fee" in example["snippet"] and example["evidence"] == "paper bill fee"
    emerging = client.get(f"/api/v1/alerts/{page['items'][0]['id']}", headers=analyst).json()
    assert "esim activation" in emerging["examples"][0]["snippet"].lower()

    acked = client.post(f"/api/v1/alerts/{topic_alert['id']}/ack", json={"comment": "on it"}, headers=ops).json()
    assert acked["status"] == "acknowledged" and acked["ack_comment"] == "on it"
    typo = client.post(f"/api/v1/alerts/{topic_alert['id']}/ack", json={"coment": "lost note"}, headers=ops)
    assert typo.status_code == 422 and "coment" in typo.json()["detail"]
    later = client.post(f"/api/v1/alerts/{topic_alert['id']}/ack", json={"comment": "fix at 3"}, headers=ops).json()
    assert later["acked_at"] == acked["acked_at"] and later["ack_comment"].endswith(": fix at 3")
    assert later["ack_comment"].startswith("on it\n")
    assert acked["acked_by"].startswith("ops-test") and acked["acked_at"]
    assert client.get("/api/v1/alerts", params={"status": "open"}, headers=analyst).json()["items"][0]["kind"] == (
        "emerging"
    )
    resolved = client.post(f"/api/v1/alerts/{topic_alert['id']}/resolve", headers=ops).json()
    assert resolved["status"] == "resolved" and resolved["resolved_by"].startswith("ops-test")
    again = client.post(f"/api/v1/alerts/{topic_alert['id']}/ack", headers=ops)
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert client.post("/api/v1/alerts/999/resolve", headers=ops).status_code == 404
    assert len(client.get("/api/v1/alerts", params={"replay": "false"}, headers=analyst).json()["items"]) == 2
    assert client.get("/api/v1/alerts", params={"replay": "true"}, headers=analyst).json()["items"] == []


def test_alert_schema_carries_every_field_of_the_alert(seeded: Database) -> None:
    # Pydantic drops unknown keys silently: a field added to alert_json but not to AlertOut would vanish from the API
    with seeded.session() as session:
        alert = session.scalars(select(Alert)).first()
        assert alert is not None
        assert set(alert_json(alert)) == set(AlertOut.model_fields)


def test_alert_schema_lists_the_values_of_kind_severity_and_status(client: TestClient) -> None:
    fields = client.get("/openapi.json").json()["components"]["schemas"]
    enums = {name: fields[name]["enum"] for name in ("AlertKind", "Severity", "AlertStatus")}
    assert enums == {
        "AlertKind": ["topic", "emerging", "volume"],
        "Severity": ["low", "medium", "high"],
        "AlertStatus": ["open", "acknowledged", "resolved"],
    }


def test_alert_pagination_and_filters(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    analyst = bearer(keys[Role.ANALYST])
    first = client.get("/api/v1/alerts", params={"limit": 1}, headers=analyst).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get("/api/v1/alerts", params={"limit": 1, "cursor": first["next_cursor"]}, headers=analyst).json()
    assert second["items"][0]["id"] != first["items"][0]["id"] and second["next_cursor"] is None
    only = client.get(
        "/api/v1/alerts", params={"kind": "topic", "topic": "billing.unexpected_charge"}, headers=analyst
    ).json()
    assert len(only["items"]) == 1
    assert client.get("/api/v1/alerts", params={"status": "bogus"}, headers=analyst).status_code == 422
    assert client.get("/api/v1/alerts", params={"since": "2026-10-01"}, headers=analyst).status_code == 422


def test_topic_trend_has_band_and_changepoints(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    analyst = bearer(keys[Role.ANALYST])
    with seeded.session() as session:  # a backtest of the same incident: one change, shown once
        fee = session.scalars(select(Alert).where(Alert.kind == "topic")).one()
        session.add(Alert(**{c: getattr(fee, c) for c in ALERT_COPY.split()}, replay=True))
    params = {"bucket": "day", "since": "2026-10-05T00:00:00Z", "until": "2026-10-19T00:00:00Z"}
    trend = client.get("/api/v1/topics/billing.unexpected_charge/trend", params=params, headers=analyst).json()
    points = trend["points"]
    assert len(points) == 14
    assert points[0]["t"].startswith("2026-10-05") and points[0]["total"] == 2 * (10 * 20 + 14 * 2)
    assert points[0]["expected"] is not None and points[0]["lower"] <= points[0]["count"] <= points[0]["upper"]
    fee_day = points[7]  # 2026-10-12, the fee starts at 09:00
    assert fee_day["count"] > fee_day["upper"]
    assert trend["changepoints"] == ["2026-10-12T09:00:00Z"]
    hourly = client.get(
        "/api/v1/topics/billing.unexpected_charge/trend", params={"queue": "tech"}, headers=analyst
    ).json()
    assert len(hourly["points"]) == 7 * 24 and all(p["count"] == 0 for p in hourly["points"])
    bad = client.get(
        "/api/v1/topics/billing.unexpected_charge/trend",
        params={"since": "2026-10-10T00:00:00Z", "until": "2026-10-01T00:00:00Z"},
        headers=analyst,
    )
    assert bad.status_code == 400


def test_grouped_trends_and_pareto(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    analyst = bearer(keys[Role.ANALYST])
    params = {
        "topics": "billing.unexpected_charge,outage.no_service",
        "bucket": "day",
        "group_by": "queue",
        "since": "2026-09-07T00:00:00Z",
        "until": "2026-09-08T00:00:00Z",
    }
    series = client.get("/api/v1/trends", params=params, headers=analyst).json()["items"]
    by = {(s["topic"], s["group"]["queue"]): s["points"][0]["count"] for s in series}
    assert by[("billing.unexpected_charge", "billing")] == 10 and by[("outage.no_service", "tech")] == 20
    assert by[("billing.unexpected_charge", "tech")] == 0
    agents = client.get(
        "/api/v1/trends",
        params={**params, "group_by": "agent", "since": "2026-10-12T00:00:00Z", "until": "2026-10-13T00:00:00Z"},
        headers=analyst,
    ).json()
    fee_agents = {
        s["group"]["agent"]
        for s in agents["items"]
        if s["topic"] == "billing.unexpected_charge" and s["points"][0]["count"]
    }
    assert fee_agents == {"agent-01", "agent-02", "agent-03"}
    pareto = client.get("/api/v1/reports/pareto", headers=analyst).json()["items"]
    assert [p["topic"] for p in pareto] == ["outage.no_service", "billing.unexpected_charge"]
    assert pareto[-1]["cumulative_share"] == 1.0 and pareto[0]["label"] == "No service"
    topics = client.get("/api/v1/topics", headers=analyst).json()["items"]
    assert {t["id"] for t in topics} == {"billing.unexpected_charge", "outage.no_service"}


def test_trends_of_an_unknown_topic_are_404(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    params = {"topics": "billing.unexpected_charge,nope", "group_by": "queue"}
    response = client.get("/api/v1/trends", params=params, headers=bearer(keys[Role.ANALYST]))
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no topic 'nope'"


def test_search_api(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    qa = bearer(keys[Role.QA])
    found = client.get("/api/v1/search", params={"q": '"paper bill fee"', "speaker": "customer"}, headers=qa).json()
    assert [i["call_id"] for i in found["items"]] == ["call-fee-2", "call-fee-1", "call-fee-0"]
    item = found["items"][0]
    assert item["segment_start"] == 10.0 and item["speaker"] == "customer" and item["queue"] == "billing"
    assert "<mark>paper bill fee</mark>" in item["snippet"] and "&lt;b&gt;why&lt;/b&gt;" in item["snippet"]
    racun = client.get("/api/v1/search", params={"q": "racun", "language": "hr"}, headers=qa).json()
    assert [i["call_id"] for i in racun["items"]] == ["call-racun"]
    dated = client.get(
        "/api/v1/search",
        params={"q": "fee", "since": "2026-10-12T10:00:00Z", "until": "2026-10-12T11:00:00Z", "agent_id": "agent-02"},
        headers=qa,
    ).json()
    assert {i["call_id"] for i in dated["items"]} == {"call-fee-1"}
    for q in ['"unclosed', "NOT fee", "fee AND", "(fee", "fee*x"]:
        response = client.get("/api/v1/search", params={"q": q}, headers=qa)
        assert response.status_code == 400, q
        assert response.headers["content-type"] == "application/problem+json"


def test_taxonomy_round_trip(client: TestClient, keys: dict[Role, str], seeded: Database) -> None:
    yaml_text = (
        "version: 2\ntopics:\n  - id: roaming.charges\n    label: Roaming charges\n"
        '    patterns:\n      en: ["roaming charge"]\n'
    )
    admin = bearer(keys[Role.ADMIN])
    put = client.put("/api/v1/taxonomy", content=yaml_text, headers={**admin, "content-type": "application/yaml"})
    assert put.status_code == 200, put.text
    assert put.json()["version"] == 2 and put.json()["calls_to_retag"] == 6
    got = client.get("/api/v1/taxonomy", headers=bearer(keys[Role.ANALYST])).json()
    assert [t["id"] for t in got["topics"]] == ["roaming.charges"]
    stale = client.put("/api/v1/taxonomy", content=yaml_text, headers={**admin, "content-type": "application/yaml"})
    assert stale.status_code == 400
    broken = client.put("/api/v1/taxonomy", json={"version": 3, "topics": "nope"}, headers=admin)
    assert broken.status_code == 400 and broken.headers["content-type"] == "application/problem+json"


def _gauge(metrics: str, name: str) -> float:
    (line,) = [line for line in metrics.splitlines() if line.startswith(f"{name} ")]
    return float(line.split()[1])


def test_ops_endpoints(client: TestClient, seeded: Database) -> None:
    with seeded.session() as session:  # a backtest's copy of the live topic alert is no second open alert
        live = session.scalars(select(Alert).where(Alert.kind == "topic")).one()
        session.add(Alert(**{n: getattr(live, n) for n in ALERT_COPY.split()}, replay=True))
        session.add(AppMeta(key=DETECT_WATERMARK, value="2026-10-14T09:00:00+00:00"))
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}
    client.get("/api/v1/topics")
    metrics = client.get("/metrics").text
    assert 'callpulse_http_requests_total{method="GET",route="/api/v1/topics",status="401"}' in metrics
    assert 'callpulse_calls{status="tagged"} 6.0' in metrics
    assert "callpulse_queue_depth 0.0" in metrics and 'callpulse_alerts{kind="topic",status="open"} 1.0' in metrics
    with seeded.session() as session:
        newest = session.scalar(select(func.max(Call.started_at)))
    assert newest is not None
    arrived = newest.timestamp()
    assert _gauge(metrics, "callpulse_newest_call_timestamp_seconds") == arrived
    until = datetime(2026, 10, 14, 10, tzinfo=UTC).timestamp()
    assert _gauge(metrics, "callpulse_decided_until_timestamp_seconds") == until
    assert client.get("/docs").status_code == 200


def test_an_ack_the_database_cannot_save_is_a_503_not_a_200(
    client: TestClient, keys: dict[Role, str], seeded: Database
) -> None:
    with seeded.session() as session:
        alert_id = session.scalars(select(Alert.id)).first()
    # A short busy timeout stands in for a long processing round that holds SQLite's write lock.
    seeded.engine.dispose()
    event.listen(seeded.engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=100"))
    holder = sqlite3.connect(seeded.engine.url.database or "", timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answer = client.post(
            f"/api/v1/alerts/{alert_id}/ack", json={"comment": "lost?"}, headers=bearer(keys[Role.OPS])
        )
    finally:
        holder.rollback()
        holder.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json" and answer.headers["retry-after"] == "5"
    with seeded.session() as session:
        assert session.get(Alert, alert_id).ack_comment is None  # type: ignore[union-attr]


def test_alert_detail_lists_its_deliveries_without_webhook_tokens(
    client: TestClient, keys: dict[Role, str], seeded: Database
) -> None:
    with seeded.session() as session:
        alert = session.scalars(select(Alert).where(Alert.kind == "topic")).one()
        alert_id, at = alert.id, alert.detected_at
        hook = "https://hooks.slack.com/services/T0/B0/token"
        session.add_all(
            [
                Delivery(alert_id=alert_id, channel="slack", target=hook, attempt=1, ok=False, error="HTTP 503: busy"),
                Delivery(alert_id=alert_id, channel="slack", target=hook, attempt=2, ok=True, status_code=200),
                Delivery(alert_id=alert_id, channel="email", target="ops@example.com", attempt=1, ok=False),
            ]
        )
        for delivery in session.new:
            delivery.attempted_at = at
    detail = client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(keys[Role.ANALYST])).json()
    shown = [(d["channel"], d["target"], d["event"], d["attempts"], d["delivered"]) for d in detail["deliveries"]]
    assert shown == [
        ("slack", "https://hooks.slack.com/…", "alert", 2, True),
        ("email", "ops@example.com", "alert", 1, False),
    ]
    assert "token" not in str(detail["deliveries"])
