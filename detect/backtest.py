"""Re-running a backtest over the same hours replaces its alerts; what people did with them stays.

A replay deletes its earlier alerts in the range and decides again. An incident it finds again keeps the old
alert's id (links and notes that point at it stay valid) and its acknowledgement or resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.models import Alert, AlertStatus


@dataclass(frozen=True)
class KeptActions:
    id: int
    incident_key: str
    change_at: datetime
    last_seen_at: datetime
    status: AlertStatus
    acked_by: str | None
    acked_at: datetime | None
    ack_comment: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolve_comment: str | None


_ACTIONS = ("status", "acked_by", "acked_at", "ack_comment", "resolved_by", "resolved_at", "resolve_comment")


def keep_actions(alerts: list[Alert]) -> list[KeptActions]:
    return [
        KeptActions(
            a.id,
            a.incident_key,
            a.change_at,
            a.last_seen_at or a.detected_at,
            AlertStatus(a.status),
            *(getattr(a, name) for name in _ACTIONS[1:]),
        )
        for a in alerts
    ]


def carry_over(kept: list[KeptActions], created: list[Alert]) -> None:
    """Give each new alert the id and actions of an earlier one of the same incident whose time overlaps it."""
    free = list(kept)
    for alert in sorted(created, key=lambda a: a.detected_at):
        seen = alert.last_seen_at or alert.detected_at
        match = next(
            (
                k
                for k in free
                if k.incident_key == alert.incident_key and k.change_at <= seen and alert.change_at <= k.last_seen_at
            ),
            None,
        )
        if match is None:
            continue
        free.remove(match)
        alert.id = match.id
        for name in _ACTIONS:
            setattr(alert, name, getattr(match, name))
