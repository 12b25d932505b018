"""What an alert delivery says and when it is due: pure functions, no network, no database.

The alert is given in design.md's public alert format (a mapping), the same JSON a generic webhook receives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Any

from core.alert_actions import per, talk_time
from core.settings import DeliveryRoute, DeliverySettings


class Channel(StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"


SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class RouteFilter:
    """Which alerts a destination takes; an empty field takes all. An alert not confined to a queue (or a
    language) reaches every queue, so a queue's team gets it too."""

    min_severity: str = "low"
    kinds: frozenset[str] = frozenset()
    topics: tuple[str, ...] = ()  # topic ids, or groups: "billing" takes "billing.unexpected_charge"
    queues: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def takes(self, alert: Mapping[str, Any]) -> bool:
        if SEVERITY_RANK.get(str(alert.get("severity")), 0) < SEVERITY_RANK[self.min_severity]:
            return False
        if self.kinds and str(alert.get("kind")) not in self.kinds:
            return False
        topic = str(alert.get("topic") or "")
        if self.topics and not any(topic == t or topic.startswith(f"{t}.") for t in self.topics):
            return False
        dimension = alert.get("dimension") or {}
        return all(
            not wanted or dimension.get(name) is None or dimension[name] in wanted
            for name, wanted in (("queue", self.queues), ("language", self.languages))
        )


@dataclass(frozen=True)
class Endpoint:
    channel: Channel
    target: str  # URL, or the recipient address for e-mail
    only: RouteFilter = RouteFilter()

    def __str__(self) -> str:
        return f"{self.channel}:{self.target}"


def endpoints_from_settings(settings: DeliverySettings) -> tuple[Endpoint, ...]:
    """Every configured destination; each e-mail recipient is its own endpoint so one bad address stays local."""
    endpoints = [Endpoint(Channel.WEBHOOK, url) for url in settings.webhook_urls]
    endpoints += [Endpoint(Channel.SLACK, url) for url in settings.slack_webhook_urls]
    if settings.smtp_host:
        endpoints += [Endpoint(Channel.EMAIL, rcpt) for rcpt in settings.email_to]
    endpoints += [_routed(route) for route in settings.routes]
    return tuple(endpoints)


def _routed(route: DeliveryRoute) -> Endpoint:
    only = RouteFilter(
        min_severity=route.min_severity,
        kinds=frozenset(route.kinds),
        topics=tuple(route.topics),
        queues=frozenset(route.queues),
        languages=frozenset(route.languages),
    )
    return Endpoint(Channel(route.channel), route.target, only)


def retry_delay(attempts_made: int, backoff_seconds: float) -> float:
    """Wait after the n-th failed attempt: backoff, 2x backoff, 4x backoff ..."""
    return float(backoff_seconds * 2 ** max(attempts_made - 1, 0))


def next_attempt_at(last_attempt_at: datetime, attempts_made: int, backoff_seconds: float) -> datetime:
    return last_attempt_at + timedelta(seconds=retry_delay(attempts_made, backoff_seconds))


def _what(alert: Mapping[str, Any]) -> str:
    if alert.get("kind") == "emerging":
        return f'new phrase "{alert.get("phrase")}"'
    if alert.get("kind") == "volume":
        place = ", ".join(f"{k} {v}" for k, v in sorted((alert.get("dimension") or {}).items()))
        return f"calls in {place}" if place else "total call volume"
    return f"topic {alert.get('topic')}"


def _where(alert: Mapping[str, Any]) -> str:
    dimension = alert.get("dimension") or {}
    return ", ".join(f"{k} {v}" for k, v in sorted(dimension.items())) or "all queues and languages"


def _since(alert: Mapping[str, Any]) -> str:
    return _moment(alert.get("change_at"))


def _moment(value: str | None) -> str:
    if not value:
        return "unknown"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M %Z").strip()


def _fix_worked(alert: Mapping[str, Any]) -> bool:
    return alert.get("recovery") == "back_to_baseline"


def _is_fix(alert: Mapping[str, Any]) -> bool:
    return alert.get("event") == "fix"


def _how_big(alert: Mapping[str, Any]) -> str:
    ratio, current, baseline = alert.get("ratio"), alert.get("current_rate"), alert.get("baseline_rate")
    if _no_calls(alert):
        return f"no calls now vs {baseline:.3g} an hour usually"
    factor, unit = per(float(baseline or 0.0), float(current or 0.0))
    rates = f"{float(current or 0.0) * factor:.3g} {unit} now vs {float(baseline or 0.0) * factor:.3g} usual"
    extra = float(alert.get("excess_calls") or 0.0)
    if float(ratio or 0.0) < 1.0:
        return f"{ratio:.1f}x usual ({rates}), {extra:.0f} calls missing so far"
    talk = talk_time(alert.get("extra_call_hours"))
    return f"{ratio:.1f}x baseline ({rates}), {extra:.0f} extra calls so far{talk}"


def _terms(alert: Mapping[str, Any]) -> str:
    return ", ".join(str(t) for t in (alert.get("top_terms") or [])[:8]) or "none"


def _no_calls(alert: Mapping[str, Any]) -> bool:
    """The intake's silence alert: total volume at nothing."""
    return alert.get("kind") == "volume" and not alert.get("ratio") and not alert.get("dimension")


def _moved(alert: Mapping[str, Any]) -> str:
    ratio = float(alert.get("ratio") or 0.0)
    return f"is up {ratio:.1f}x" if ratio >= 1.0 else f"fell to {ratio:.1f}x its usual (callers are not reaching it)"


def summary_line(alert: Mapping[str, Any]) -> str:
    """One line: severity, what, how big, since when, where; for a fix, whether it worked."""
    if _no_calls(alert) and not _is_fix(alert):
        return (
            f"[{str(alert.get('severity', '')).upper()}] no calls have arrived since {_since(alert)}, in hours that "
            f"usually hold about {float(alert.get('baseline_rate') or 0):.0f} an hour: check the recorder's export "
            "and ingest"
        )
    if _is_fix(alert):
        worked, dropped = _fix_worked(alert), float(alert.get("ratio") or 0.0) < 1.0
        verdict = {
            (True, False): "is back to its level before the change",
            (False, False): "is still elevated",
            (True, True): "are back",
            (False, True): "are still missing",
        }[(worked, dropped)]
        tag = "FIX WORKED" if worked else "STILL DOWN" if dropped else "STILL ELEVATED"
        return (
            f"[{tag}] {_what(alert)} {verdict} after the resolve on {_moment(alert.get('resolved_at'))} "
            f"({_where(alert)})"
        )
    return (
        f"[{str(alert.get('severity', '')).upper()}] {_what(alert)} {_moved(alert)} "
        f"since {_since(alert)} ({_where(alert)})"
    )


def detail_lines(alert: Mapping[str, Any]) -> list[tuple[str, str]]:
    examples = ", ".join(str(c) for c in (alert.get("example_call_ids") or [])[:5]) or "none"
    fix = []
    if _is_fix(alert):
        comment = f": {alert['resolve_comment']}" if alert.get("resolve_comment") else ""
        who = alert.get("resolved_by") or "unknown"
        fix = [("Resolved", f"{_moment(alert.get('resolved_at'))} by {who}{comment}")]
    return [
        *fix,
        ("What", _what(alert)),
        ("Since", _since(alert)),
        ("How big", _how_big(alert)),
        ("Where", _where(alert)),
        ("Top terms", _terms(alert)),
        ("Example calls", examples),
        ("Alert", f"#{alert.get('id')} ({alert.get('kind')}, {alert.get('severity')}, {alert.get('status')})"),
    ]


def webhook_payload(alert: Mapping[str, Any]) -> dict[str, Any]:
    return dict(alert)


def slack_payload(alert: Mapping[str, Any]) -> dict[str, Any]:
    """Slack incoming-webhook message: `text` for notifications, `blocks` for the layout."""
    fields = [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in detail_lines(alert)[:6]]
    return {
        "text": summary_line(alert),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _header(alert)}},
            {"type": "section", "text": {"type": "mrkdwn", "text": summary_line(alert)}},
            {"type": "section", "fields": fields},
        ],
    }


def _header(alert: Mapping[str, Any]) -> str:
    return f"callpulse alert #{alert.get('id')}" + (": did the fix work?" if _is_fix(alert) else "")


def email_message(alert: Mapping[str, Any], sender: str, recipients: Sequence[str]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"callpulse: {summary_line(alert)}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    body = [summary_line(alert), ""] + [f"{name}: {value}" for name, value in detail_lines(alert)]
    message.set_content("\n".join(body) + "\n")
    return message
