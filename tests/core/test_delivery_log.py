"""A delivery log shows where an alert went without showing a webhook's secret."""

from __future__ import annotations

import pytest

from core.delivery_log import shown_target


@pytest.mark.parametrize(
    ("channel", "target", "shown"),
    [
        ("slack", "https://hooks.slack.com/services/T0/B0/XyZsecret", "https://hooks.slack.com/…"),
        ("webhook", "https://user:pass@ops.example.com:8443/hook?token=abc", "https://ops.example.com:8443/…"),
        ("email", "ops@example.com", "ops@example.com"),
    ],
)
def test_a_target_is_shown_without_its_path_or_credentials(channel: str, target: str, shown: str) -> None:
    assert shown_target(channel, target) == shown
