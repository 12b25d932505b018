"""Re-running a backtest over the same hours replaces its alerts; what people did with them stays.

A replay deletes its earlier alerts in the range and decides again. An incident it finds again keeps the old
alert's id (links and notes that point at it stay valid) and its acknowledgement or resolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.models import Alert

_ACTIONS = ("status", "acked_by", "acked_at", "ack_comment", "resolved_by", "resolved_at", "resolve_comment")


@dataclass(frozen=True)
class KeptActions:
    id: int
    incident_key: str
    change_at: datetime
    last_seen_at: datetime
    actions: dict[str, Any]  # what people did: status, who acknowledged or resolved it, when, their comments


def keep_actions(alerts: list[Alert]) -> list[KeptActions]:
    return [
        KeptActions(
            a.id, a.incident_key, a.change_at, a.last_seen_at or a.detected_at, {n: getattr(a, n) for n in _ACTIONS}
        )
        for a in alerts
    ]


def carry_over(kept: list[KeptActions], created: list[Alert]) -> set[int]:
    """Give each new alert the id and actions of an earlier one of the same incident whose time overlaps it;
    the ids given again (those alerts were found again, they are not news)."""
    free = list(kept)
    reused: set[int] = set()
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
        reused.add(match.id)
        alert.id = match.id
        for name, value in match.actions.items():
            setattr(alert, name, value)
    return reused
