from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from core.settings import DeliveryRoute, DeliverySettings
from detect.delivery import (
    Channel,
    Endpoint,
    RouteFilter,
    email_message,
    endpoints_from_settings,
    next_attempt_at,
    retry_delay,
    slack_payload,
    summary_line,
    webhook_payload,
)

ALERT: dict[str, Any] = {
    "id": 7,
    "kind": "topic",
    "topic": "billing.unexpected_charge",
    "phrase": None,
    "dimension": {"queue": "billing"},
    "change_at": "2026-10-26T09:00:00+00:00",
    "detected_at": "2026-10-26T12:00:00+00:00",
    "baseline_rate": 0.061,
    "current_rate": 0.2104,
    "ratio": 3.45,
    "severity": "high",
    "status": "open",
    "top_terms": ["paper bill fee", "extra fee"],
    "example_call_ids": ["c1", "c2"],
}


def test_summary_says_what_how_big_since_when_where() -> None:
    line = summary_line(ALERT)
    assert line == "[HIGH] topic billing.unexpected_charge is up 3.5x since 2026-10-26 09:00 UTC (queue billing)"


def test_emerging_and_volume_alerts_are_named_by_phrase_or_volume() -> None:
    emerging = {**ALERT, "kind": "emerging", "topic": None, "phrase": "esim activation", "dimension": {}}
    assert 'new phrase "esim activation"' in summary_line(emerging)
    assert "all queues and languages" in summary_line(emerging)
    assert "total call volume" in summary_line({**ALERT, "kind": "volume", "topic": None, "dimension": {}})


def test_slack_payload_has_text_and_blocks_with_details() -> None:
    payload = slack_payload(ALERT)
    assert payload["text"] == summary_line(ALERT)
    assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section"]
    fields = " ".join(f["text"] for f in payload["blocks"][2]["fields"])
    for expected in ("*What*", "*Since*", "3.5x baseline", "queue billing", "paper bill fee, extra fee", "c1, c2"):
        assert expected in fields
    json.dumps(payload)  # serialisable as sent


@pytest.mark.parametrize(
    ("hours", "said"),
    [(26.9, " (about 27 hours of talk time)"), (0.4, " (about 24 minutes of talk time)"), (None, "\n")],
)
def test_how_big_reads_in_talk_time_where_the_calls_length_is_known(hours: float | None, said: str) -> None:
    alert = {**ALERT, "excess_calls": 323.0, "extra_call_hours": hours}
    text = email_message(alert, "callpulse@example.org", ["ops@example.org"]).get_content()
    assert f"323 extra calls so far{said}" in text


def test_webhook_payload_is_the_alert_json() -> None:
    assert webhook_payload(ALERT) == ALERT


def test_email_is_plain_text_with_subject() -> None:
    message = email_message(ALERT, "callpulse@example.org", ["ops@example.org"])
    assert message["Subject"].startswith("callpulse: [HIGH] topic billing.unexpected_charge")
    assert message["To"] == "ops@example.org"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert "Top terms: paper bill fee, extra fee" in body
    assert "Since: 2026-10-26 09:00 UTC" in body


def test_endpoints_from_settings() -> None:
    settings = DeliverySettings(
        webhook_urls=["http://a/hook"],
        slack_webhook_urls=["http://s/hook"],
        smtp_host="mail",
        email_to=["x@y", "z@y"],
    )
    assert endpoints_from_settings(settings) == (
        Endpoint(Channel.WEBHOOK, "http://a/hook"),
        Endpoint(Channel.SLACK, "http://s/hook"),
        Endpoint(Channel.EMAIL, "x@y"),
        Endpoint(Channel.EMAIL, "z@y"),
    )
    assert endpoints_from_settings(DeliverySettings(email_to=["x@y"])) == ()  # no SMTP host, no e-mail


def test_backoff_doubles() -> None:
    assert [retry_delay(n, 2.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 16.0]
    last = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert next_attempt_at(last, 3, 2.0) == datetime(2026, 11, 2, 10, 0, 8, tzinfo=UTC)


def _like(**changes: Any) -> dict[str, Any]:
    return ALERT | changes


@pytest.mark.parametrize(
    ("only", "taken", "left"),
    [
        (RouteFilter(), [ALERT, _like(severity="low", kind="volume", topic=None, dimension={})], []),
        (RouteFilter(min_severity="medium"), [ALERT, _like(severity="medium")], [_like(severity="low")]),
        (RouteFilter(kinds=frozenset({"emerging"})), [_like(kind="emerging", topic=None)], [ALERT]),
        # a group takes its topics, not a topic whose id merely starts with the same letters
        (RouteFilter(topics=("billing",)), [ALERT], [_like(topic="billingx.fee"), _like(kind="emerging", topic=None)]),
        (RouteFilter(topics=("billing.unexpected_charge",)), [ALERT], [_like(topic="billing.bill_explanation")]),
        # an alert not confined to a queue reaches every queue's team
        (
            RouteFilter(queues=frozenset({"billing"})),
            [ALERT, _like(dimension={}), _like(dimension={"language": "hr"})],
            [_like(dimension={"queue": "tech"})],
        ),
        (
            RouteFilter(languages=frozenset({"hr"})),
            [ALERT, _like(dimension={"language": "hr"})],
            [_like(dimension={"language": "en"})],
        ),
    ],
)
def test_a_filter_takes_only_its_alerts(
    only: RouteFilter, taken: list[dict[str, Any]], left: list[dict[str, Any]]
) -> None:
    assert [only.takes(a) for a in taken] == [True] * len(taken)
    assert [only.takes(a) for a in left] == [False] * len(left)


def test_routes_become_filtered_endpoints_beside_the_plain_lists() -> None:
    settings = DeliverySettings(
        webhook_urls=["http://a/hook"],
        routes=[
            DeliveryRoute(channel="slack", target="http://s/billing", topics=["billing"], min_severity="high"),
            DeliveryRoute(channel="webhook", target="http://a/tech", queues=["tech"], kinds=["topic", "emerging"]),
        ],
    )
    plain, billing, tech = endpoints_from_settings(settings)
    assert plain == Endpoint(Channel.WEBHOOK, "http://a/hook")
    assert billing == Endpoint(Channel.SLACK, "http://s/billing", RouteFilter(min_severity="high", topics=("billing",)))
    assert tech.only == RouteFilter(kinds=frozenset({"topic", "emerging"}), queues=frozenset({"tech"}))


def test_a_fix_verdict_says_whether_the_fix_worked_and_who_resolved() -> None:
    fixed = ALERT | {
        "event": "fix",
        "recovery": "back_to_baseline",
        "resolved_at": "2026-10-27T16:30:00+00:00",
        "resolved_by": "ana",
        "resolve_comment": "fee switched off",
    }
    assert summary_line(fixed) == (
        "[FIX WORKED] topic billing.unexpected_charge is back to its level before the change after the resolve on "
        "2026-10-27 16:30 UTC (queue billing)"
    )
    still = fixed | {"recovery": "still_elevated"}
    assert summary_line(still).startswith("[STILL ELEVATED] topic billing.unexpected_charge is still elevated after")
    slack = slack_payload(fixed)
    assert slack["blocks"][0]["text"]["text"] == "callpulse alert #7: did the fix work?"
    body = email_message(fixed, "callpulse@localhost", ["ops@example.org"]).get_content()
    assert "Resolved: 2026-10-27 16:30 UTC by ana: fee switched off" in body


def test_a_queue_callers_cannot_reach_is_said_to_have_fallen() -> None:
    dropped = ALERT | {"kind": "volume", "topic": None, "dimension": {"queue": "shop"}, "ratio": 0.04}
    assert summary_line(dropped) == (
        "[HIGH] calls in queue shop fell to 0.0x its usual (callers are not reaching it) since 2026-10-26 09:00 UTC "
        "(queue shop)"
    )


def test_the_verdict_on_a_drop_says_whether_the_calls_came_back() -> None:
    dropped = ALERT | {"kind": "volume", "topic": None, "dimension": {"queue": "shop"}, "ratio": 0.0, "event": "fix"}
    back = dropped | {"recovery": "back_to_baseline", "resolved_at": "2026-10-27T16:30:00+00:00"}
    assert summary_line(back).startswith("[FIX WORKED] calls in queue shop are back after the resolve on 2026-10-27")
    assert summary_line(back | {"recovery": "still_elevated"}).startswith("[STILL DOWN] calls in queue shop are still")


@pytest.mark.parametrize(
    ("baseline", "current", "said"),
    [(0.061, 0.2104, "(5.05 calls a day now vs 1.46 usual)"), (12.0, 30.0, "(30 calls an hour now vs 12 usual)")],
)
def test_rates_below_one_an_hour_read_as_calls_a_day(baseline: float, current: float, said: str) -> None:
    alert = {**ALERT, "baseline_rate": baseline, "current_rate": current, "ratio": current / baseline}
    assert said in email_message(alert, "callpulse@example.org", ["ops@example.org"]).get_content()
