"""The alert inbox: list, read with evidence, acknowledge, resolve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from core.errors import Conflict, InvalidInput, NotFound
from core.models import Alert, AlertKind, AlertStatus, Call, Segment, Speaker, TopicHit, utcnow
from core.search import cursor_row_id, cursor_time, decode_cursor, encode_cursor
from core.spoken_words import phrase_stems, says
from core.typed_pii import redact_note

MAX_LIMIT = 200

_EMERGING_KEY = f"{AlertKind.EMERGING.value}:"


@dataclass(frozen=True)
class AlertFilter:
    status: AlertStatus | None = None
    kind: AlertKind | None = None
    topic: str | None = None
    since: datetime | None = None
    limit: int = 50
    cursor: str | None = None
    # True: backtest alerts only (detect --replay); False: live alerts only; None: live alerts and the backtest
    # alerts of incidents no live alert covers
    replay: bool | None = None


@dataclass(frozen=True)
class AlertExample:
    call_id: str
    started_at: datetime | None
    queue: str | None
    language: str | None
    segment_start: float | None
    speaker: str | None
    snippet: str | None
    evidence: str | None


def extra_call_hours(alert: Alert) -> float | None:
    """How big in agents' time: the extra calls at the average length of the incident's calls (talk time only:
    wrap-up comes on top). None where the length is unknown, and for calls that stopped coming (nobody talks)."""
    if not alert.mean_call_s or (alert.excess_calls or 0.0) <= 0 or alert.ratio < 1.0:
        return None
    return round(alert.excess_calls * alert.mean_call_s / 3600.0, 1)


def per(baseline_rate: float, current_rate: float) -> tuple[float, str]:
    """The factor and words to say an alert's rates in: calls a day where both are below one an hour ("0.00 ->
    0.11 calls/hour" reads as nothing; "0.1 -> 2.6 calls a day" as the problem it is)."""
    return (24.0, "calls a day") if max(baseline_rate, current_rate) < 1.0 else (1.0, "calls an hour")


def talk_time(hours: float | None) -> str:
    """ " (about 27 hours of talk time)" for an alert's extra_call_hours; "" when unknown."""
    if hours is None:
        return ""
    amount = f"{round(hours * 60)} minutes" if hours < 1 else f"{hours:.0f} hour{'s' * (round(hours) != 1)}"
    return f" (about {amount} of talk time)"


def alert_json(alert: Alert) -> dict[str, Any]:
    """The public alert shape of design.md, plus the inbox fields (who acknowledged, recovery ...)."""

    def iso(t: datetime | None) -> str | None:
        return t.isoformat() if t else None

    return {
        "id": alert.id,
        "kind": str(alert.kind),
        "topic": alert.topic_id,
        "phrase": alert.phrase,
        "dimension": dict(alert.dimension or {}),
        "change_at": iso(alert.change_at),
        "detected_at": iso(alert.detected_at),
        "baseline_rate": alert.baseline_rate,
        "current_rate": alert.current_rate,
        "ratio": alert.ratio,
        "excess_calls": round(float(alert.excess_calls or 0.0), 1),
        "mean_call_s": round(alert.mean_call_s, 1) if alert.mean_call_s else None,
        "extra_call_hours": extra_call_hours(alert),
        "severity": str(alert.severity),
        "status": str(alert.status),
        "top_terms": list(alert.top_terms or []),
        "example_call_ids": list(alert.example_call_ids or []),
        "last_seen_at": iso(alert.last_seen_at),
        "replay": bool(alert.replay),
        "acked_by": alert.acked_by,
        "acked_at": iso(alert.acked_at),
        "ack_comment": alert.ack_comment,
        "resolved_by": alert.resolved_by,
        "resolved_at": iso(alert.resolved_at),
        "resolve_comment": alert.resolve_comment,
        "recovery": alert.recovery,
    }


def list_alerts(session: Session, flt: AlertFilter) -> tuple[list[Alert], str | None]:
    """Newest detection first; the cursor continues after the last alert of the page."""
    if not 1 <= flt.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    conds: list[ColumnElement[bool]] = []
    if flt.status is not None:
        conds.append(Alert.status == flt.status)
    if flt.kind is not None:
        conds.append(Alert.kind == flt.kind)
    if flt.topic is not None:
        conds.append(Alert.topic_id == flt.topic)
    if flt.since is not None:
        conds.append(Alert.detected_at >= flt.since)
    if flt.replay is not None:
        conds.append(Alert.replay.is_(flt.replay))
    else:
        conds.append(~_covered_by_live(session.get_bind().dialect.name))
    if flt.cursor is not None:
        at, last_id = decode_cursor(flt.cursor, 2)
        t = cursor_time(at)
        last_id = cursor_row_id(last_id)
        conds.append(or_(Alert.detected_at < t, and_(Alert.detected_at == t, Alert.id < last_id)))
    query = select(Alert).where(*conds).order_by(Alert.detected_at.desc(), Alert.id.desc()).limit(flt.limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    cursor = encode_cursor(rows[-1].detected_at, rows[-1].id) if more and rows else None
    return rows, cursor


def _json_has(array: SQLColumnExpression[Any], value: SQLColumnExpression[Any], dialect: str) -> ColumnElement[bool]:
    """Whether a JSON array column holds the value (SQLite and PostgreSQL spell the array walk differently)."""
    walk = func.json_array_elements_text if dialect == "postgresql" else func.json_each
    items = walk(array).table_valued("value").alias("items")
    return exists().select_from(items).where(items.c.value == value)


def _covered_by_live(dialect: str) -> ColumnElement[bool]:
    """A backtest alert whose incident a live alert also reports, at an overlapping time: the same incident key,
    or one of them took over the other's phrase (a topic added later now explains what live saw as a phrase).
    Listing both would show one incident twice; the live alert is the one people act on."""
    live = aliased(Alert)
    same_incident = or_(
        live.incident_key == Alert.incident_key,
        _json_has(Alert.merged_keys, live.incident_key, dialect),
        _json_has(live.merged_keys, Alert.incident_key, dialect),
    )
    return and_(
        Alert.replay.is_(True),
        exists().where(
            live.replay.is_(False),
            live.change_at <= func.coalesce(Alert.last_seen_at, Alert.detected_at),
            func.coalesce(live.last_seen_at, live.detected_at) >= Alert.change_at,
            same_incident,
        ),
    )


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def _alert_phrases(alert: Alert) -> list[list[str]]:
    """The stems of the alert's phrase and of the phrases that joined its incident: an example call may have
    been found through any of them. Topic alerts show the topic's own first hit instead."""
    if alert.kind != AlertKind.EMERGING:
        return []
    merged = [str(k).removeprefix(_EMERGING_KEY) for k in alert.merged_keys or [] if str(k).startswith(_EMERGING_KEY)]
    return [phrase_stems(p) for p in dict.fromkeys([alert.phrase or "", *merged]) if p]


def _segment_at(session: Session, call_id: str, start: float | None, phrases: list[list[str]]) -> Segment | None:
    segments = session.scalars(select(Segment).where(Segment.call_id == call_id).order_by(Segment.idx)).all()
    for stems in phrases:
        for seg in segments:
            if seg.speaker != Speaker.AGENT and says(seg.text, stems):
                return seg
    if start is not None:
        for seg in segments:
            if seg.start <= start < seg.end or seg.start >= start:
                return seg
    return None


def alert_examples(session: Session, alert: Alert, limit: int = 10) -> list[AlertExample]:
    """The example calls with the moment that matched: the topic's first hit, or the emerging phrase."""
    out: list[AlertExample] = []
    phrases = _alert_phrases(alert)
    for call_id in list(alert.example_call_ids or [])[:limit]:
        call = session.get(Call, str(call_id))
        if call is None:
            continue
        hit = session.get(TopicHit, (call.id, alert.topic_id)) if alert.topic_id else None
        seg = _segment_at(session, call.id, hit.first_start if hit else None, phrases)
        out.append(
            AlertExample(
                call_id=call.id,
                started_at=call.started_at,
                queue=call.queue,
                language=call.language,
                segment_start=seg.start if seg else (hit.first_start if hit else None),
                speaker=str(seg.speaker) if seg else None,
                snippet=seg.text if seg else None,
                evidence=hit.evidence if hit else alert.phrase,
            )
        )
    return out


def _locked_alert(session: Session, alert_id: int) -> Alert:
    """The alert read after taking the write lock on it, so two people acting on one alert at once are applied
    one after the other, the second on top of the first (read first, a later write would drop the earlier note).
    A no-op UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite, which has no row locks."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(status=Alert.status)
        .execution_options(synchronize_session=False)
    )
    alert = session.get(Alert, alert_id, populate_existing=True)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def acknowledge(session: Session, alert_id: int, who: str, comment: str | None = None) -> Alert:
    """open -> acknowledged; acknowledging again keeps the first acknowledgement and adds its comment (a note
    such as "vendor says fixed by 3 pm" must not be lost); resolved alerts conflict."""
    alert = _locked_alert(session, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict(f"alert {alert_id} is already resolved")
    comment = _redacted(comment)
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acked_by = who
        alert.acked_at = utcnow()
        alert.ack_comment = comment
    elif comment:
        alert.ack_comment = f"{alert.ack_comment}\n{who}: {comment}" if alert.ack_comment else comment
    return alert


def resolve(session: Session, alert_id: int, who: str, comment: str | None = None) -> Alert:
    """open/acknowledged -> resolved; resolving twice conflicts so a second fix report is not lost silently."""
    alert = _locked_alert(session, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise Conflict(f"alert {alert_id} is already resolved")
    alert.status = AlertStatus.RESOLVED
    alert.resolved_by = who
    alert.resolved_at = utcnow()
    alert.resolve_comment = _redacted(comment)
    return alert


def _redacted(comment: str | None) -> str | None:
    # "call him back on 091 555 0123": a note may hold what speech holds; ticket numbers and versions stay
    return redact_note(comment) if comment else comment
