"""The delivery job: send alerts that an endpoint has not yet received, record every attempt, never raise.

Each (alert, endpoint) pair is retried with exponential backoff across runs; a short wait inside a run is
allowed only when the backoff is small, so detection and the rest of the pipeline are never held up.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.alert_actions import alert_json
from core.models import Alert, AlertStatus, Delivery
from core.settings import DeliverySettings, Settings
from detect.delivery import (
    Channel,
    Endpoint,
    email_message,
    endpoints_from_settings,
    next_attempt_at,
    retry_delay,
    slack_payload,
    webhook_payload,
)
from detect.incidents import RECOVERY_WATCH

MAX_IN_RUN_WAIT_S = 1.0  # longer backoffs wait for a later run instead of sleeping here
_ERROR_CHARS = 500


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    attempts: int = 0
    delivered: int = 0
    failed: int = 0  # pairs still undelivered after this run (will be retried)
    waiting: int = 0  # pairs whose next retry is not yet due
    gave_up: int = 0  # pairs that used up max_attempts
    errors: tuple[str, ...] = field(default_factory=tuple)


def send(endpoint: Endpoint, alert: dict[str, Any], settings: DeliverySettings) -> AttemptResult:
    """One attempt; every failure comes back as a result, never as an exception."""
    try:
        if endpoint.channel is Channel.EMAIL:
            return _send_email(endpoint, alert, settings)
        payload = slack_payload(alert) if endpoint.channel is Channel.SLACK else webhook_payload(alert)
        response = httpx.post(endpoint.target, json=payload, timeout=settings.timeout_seconds)
        if response.is_success:
            return AttemptResult(True, response.status_code)
        return AttemptResult(False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")
    except Exception as exc:  # a broken endpoint must never stop detection
        return AttemptResult(False, None, f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS])


def _send_email(endpoint: Endpoint, alert: dict[str, Any], settings: DeliverySettings) -> AttemptResult:
    assert settings.smtp_host is not None
    message = email_message(alert, settings.smtp_from, [endpoint.target])
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds) as smtp:
        refused = smtp.send_message(message)
    if refused:
        return AttemptResult(False, None, f"recipient refused: {refused}"[:_ERROR_CHARS])
    return AttemptResult(True, 250)


@dataclass(frozen=True)
class Message:
    """One thing to send about an alert: the alert itself, or the verdict on its fix."""

    alert_id: int
    event: str  # as recorded in Delivery.event
    payload: dict[str, Any]  # the alert's public JSON, with "event": "alert" or "fix"


def _messages(session: Session, settings: DeliverySettings, now: datetime) -> list[Message]:
    """Live alerts not over for longer than max_age_hours, then the verdicts on fixes resolved within the watch:
    "did the fix work?" reaches the channels that heard of the problem. Backtest alerts are never sent."""
    live = session.scalars(
        select(Alert)
        .where(
            Alert.replay.is_(False),
            Alert.status != AlertStatus.RESOLVED,
            Alert.last_seen_at >= now - timedelta(hours=settings.max_age_hours),
        )
        .order_by(Alert.detected_at, Alert.id)
    )
    judged = session.scalars(
        select(Alert)
        .where(
            Alert.replay.is_(False),
            Alert.status == AlertStatus.RESOLVED,
            Alert.recovery.is_not(None),
            Alert.resolved_at >= now - RECOVERY_WATCH,
        )
        .order_by(Alert.resolved_at, Alert.id)
    )
    out = [Message(a.id, "alert", alert_json(a) | {"event": "alert"}) for a in live]
    return out + [Message(a.id, f"fix:{a.recovery}", alert_json(a) | {"event": "fix"}) for a in judged]


def _history(session: Session, alert_ids: list[int]) -> dict[tuple[int, str, str, str], list[Delivery]]:
    rows = session.scalars(select(Delivery).where(Delivery.alert_id.in_(alert_ids)).order_by(Delivery.attempt))
    history: dict[tuple[int, str, str, str], list[Delivery]] = {}
    for row in rows:
        history.setdefault((row.alert_id, row.event, row.channel, row.target), []).append(row)
    return history


def _deliver_pair(
    session: Session,
    message: Message,
    endpoint: Endpoint,
    past: list[Delivery],
    settings: DeliverySettings,
    now: datetime,
) -> tuple[str, int, list[str]]:
    """Attempts for one (message, endpoint); returns (outcome, attempts made, errors)."""
    made = len(past)
    errors: list[str] = []
    if made >= settings.max_attempts:
        return "gave_up", 0, []
    if past and now < next_attempt_at(past[-1].attempted_at, made, settings.backoff_seconds):
        return "waiting", 0, []
    started = time.monotonic()
    tried = 0
    while True:
        result = send(endpoint, message.payload, settings)
        made += 1
        tried += 1
        attempted_at = now + timedelta(seconds=time.monotonic() - started)
        session.add(
            Delivery(
                alert_id=message.alert_id,
                event=message.event,
                channel=str(endpoint.channel),
                target=endpoint.target,
                attempt=made,
                ok=result.ok,
                status_code=result.status_code,
                error=result.error,
                attempted_at=attempted_at,
            )
        )
        session.flush()
        if result.ok:
            return "delivered", tried, errors
        what = f"alert {message.alert_id}" + ("" if message.event == "alert" else f" ({message.event})")
        errors.append(f"{what} -> {endpoint}: {result.error}")
        delay = retry_delay(made, settings.backoff_seconds)
        if made >= settings.max_attempts:
            return "gave_up", tried, errors
        if delay > MAX_IN_RUN_WAIT_S:
            return "failed", tried, errors
        time.sleep(delay)


def deliver_pending(session: Session, settings: Settings, now: datetime) -> DeliveryReport:
    """Send every live alert, and the verdict on every recent fix, to every configured endpoint that takes it
    and has not yet received it (see ``_messages``).

    Resolved alerts are not sent as alerts, nor incidents over for longer than ``max_age_hours``: nobody needs
    paging for them (a first run over weeks of imported history finds old incidents too). An endpoint's filter is
    asked on every run, so an incident that grows past its severity bar is sent then.
    """
    endpoints = endpoints_from_settings(settings.delivery)
    if not endpoints:
        return DeliveryReport()
    messages = _messages(session, settings.delivery, now)
    history = _history(session, sorted({m.alert_id for m in messages}))
    counts = {"delivered": 0, "failed": 0, "waiting": 0, "gave_up": 0}
    attempts = 0
    errors: list[str] = []
    down: set[str] = set()
    for message in messages:
        for endpoint in endpoints:
            past = history.get((message.alert_id, message.event, str(endpoint.channel), endpoint.target), [])
            if not endpoint.only.takes(message.payload) or any(d.ok for d in past):
                continue
            if str(endpoint) in down:
                # One failing endpoint costs one timeout per run, not one per pending alert.
                counts["waiting"] += 1
                continue
            outcome, tried, pair_errors = _deliver_pair(session, message, endpoint, past, settings.delivery, now)
            counts[outcome] += 1
            attempts += tried
            errors.extend(pair_errors)
            if pair_errors and outcome != "delivered":
                down.add(str(endpoint))
    return DeliveryReport(attempts=attempts, errors=tuple(errors), **counts)
