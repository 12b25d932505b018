"""What became of an alert's deliveries: per endpoint and event, the attempts and their outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Delivery


@dataclass(frozen=True)
class DeliveryLine:
    channel: str
    target: str  # a webhook URL shown without its path and query: Slack's secret is in them
    event: str  # alert, or fix:<verdict>
    attempts: int
    delivered: bool
    last_at: datetime
    last_error: str | None


def shown_target(channel: str, target: str) -> str:
    """An e-mail address as it is; a URL as scheme and host, the path (a webhook's token) left out."""
    if channel == "email":
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…" if parts.netloc else "…"


def delivery_log(session: Session, alert_id: int) -> list[DeliveryLine]:
    """One line per (endpoint, event) in the order first tried; a delivered one counts the attempts it took."""
    rows = session.scalars(select(Delivery).where(Delivery.alert_id == alert_id).order_by(Delivery.id))
    grouped: dict[tuple[str, str, str], list[Delivery]] = {}
    for row in rows:
        grouped.setdefault((row.channel, row.target, row.event), []).append(row)
    return [
        DeliveryLine(
            channel=channel,
            target=shown_target(channel, target),
            event=event,
            attempts=len(tries),
            delivered=any(t.ok for t in tries),
            last_at=tries[-1].attempted_at,
            last_error=None if tries[-1].ok else tries[-1].error,
        )
        for (channel, target, event), tries in grouped.items()
    ]
