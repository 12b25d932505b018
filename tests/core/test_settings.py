"""Settings refuse configurations that would fail silently later (delivery) or depend on the cwd (audio)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import DeliverySettings, Settings, get_settings


def test_audio_dir_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLPULSE_AUDIO_DIR", "data/../audio")
    assert get_settings().audio_dir == tmp_path / "audio"


@pytest.mark.parametrize("url", ["not-a-url", "ftp://x/y", "http://", "https:///path", "mailto:ops@example.com"])
def test_webhook_urls_must_be_http(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CALLPULSE_DELIVERY__WEBHOOK_URLS", f'["https://hooks.example.com/a", "{url}"]')
    with pytest.raises(ValidationError, match=r"is not an http:// or https:// URL with a host") as info:
        get_settings()
    assert repr(url) in str(info.value)
    with pytest.raises(ValidationError, match="slack_webhook_urls"):
        DeliverySettings(slack_webhook_urls=[url])


def test_http_webhook_urls_are_accepted() -> None:
    urls = ["http://127.0.0.1:8080/hook", "https://hooks.example.com/services/T0/B0/x?y=1"]
    settings = DeliverySettings(webhook_urls=urls, slack_webhook_urls=urls[1:])
    assert settings.webhook_urls == urls


def test_email_recipients_need_an_smtp_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLPULSE_DELIVERY__EMAIL_TO", '["ops@example.com"]')
    with pytest.raises(ValidationError, match=r"delivery\.email_to is set but delivery\.smtp_host is not"):
        get_settings()
    monkeypatch.setenv("CALLPULSE_DELIVERY__SMTP_HOST", "mail.example.com")
    get_settings.cache_clear()
    assert get_settings().delivery.email_to == ["ops@example.com"]
    assert Settings().delivery.smtp_host == "mail.example.com"


def test_routes_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    routes = (
        '[{"channel": "slack", "target": "https://hooks.example.com/billing", "topics": ["billing"],'
        ' "min_severity": "high"}, {"channel": "email", "target": "tech-lead@example.com", "queues": ["tech"]}]'
    )
    monkeypatch.setenv("CALLPULSE_DELIVERY__ROUTES", routes)
    monkeypatch.setenv("CALLPULSE_DELIVERY__SMTP_HOST", "mail.example.com")
    billing, tech = get_settings().delivery.routes
    assert (billing.channel, billing.topics, billing.min_severity, billing.queues) == ("slack", ["billing"], "high", [])
    assert (tech.channel, tech.target, tech.queues, tech.min_severity) == (
        "email",
        "tech-lead@example.com",
        ["tech"],
        "low",
    )


def test_an_email_route_needs_an_smtp_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLPULSE_DELIVERY__ROUTES", '[{"channel": "email", "target": "ops@example.com"}]')
    with pytest.raises(ValidationError, match=r"e-mail route but delivery\.smtp_host is not set"):
        get_settings()


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"channel": "webhook", "target": "ftp://x/y"}, "is not an http:// or https:// URL with a host"),
        ({"channel": "email", "target": "ops.example.com"}, "is not an address"),
        ({"channel": "pager", "target": "https://x/y"}, "channel"),
        ({"channel": "slack", "target": "https://x/y", "min_severity": "urgent"}, "min_severity"),
        ({"channel": "slack", "target": "https://x/y", "kinds": ["spike"]}, "kinds"),
    ],
)
def test_a_route_that_could_never_deliver_is_refused(route: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DeliverySettings.model_validate({"routes": [route]})


@pytest.mark.parametrize(
    ("days", "message"), [("29", "greater than or equal to 30"), ("1000000", "less than or equal to 36500")]
)
def test_retention_days_stay_within_what_a_purge_can_take(
    monkeypatch: pytest.MonkeyPatch, days: str, message: str
) -> None:
    monkeypatch.setenv("CALLPULSE_RETENTION_DAYS", days)
    with pytest.raises(ValidationError, match=message):
        get_settings()
    monkeypatch.setenv("CALLPULSE_RETENTION_DAYS", "36500")
    get_settings.cache_clear()
    assert get_settings().retention_days == 36500
