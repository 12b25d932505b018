"""The alert inbox: analysts read, ops acknowledge and resolve."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import AnalystKey, OpsKey, SessionDep, actor
from api.schemas import (
    AlertAction,
    AlertDetail,
    AlertExampleOut,
    AlertOut,
    AlertPage,
    DeliveryOut,
    Moment,
    problem_responses,
)
from core import alert_actions
from core.delivery_log import delivery_log
from core.models import MAX_ROW_ID, AlertKind, AlertStatus
from core.trend_series import require_topic

router = APIRouter(prefix="/alerts", tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


@router.get(
    "",
    summary="List alerts, newest first (role: analyst)",
    description="An unknown topic answers 404.",
    response_model=AlertPage,
    responses=problem_responses(400, 404),
)
def list_alerts(
    session: SessionDep,
    _key: AnalystKey,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    since: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    replay: Annotated[
        bool | None,
        Query(
            description="true: backtest alerts only (detect --replay); false: live alerts only; unset: live alerts "
            "and the backtest alerts of incidents no live alert reports"
        ),
    ] = None,
) -> AlertPage:
    if topic is not None:
        require_topic(session, topic)  # a misspelt topic must not look like "no alerts"
    flt = alert_actions.AlertFilter(status, kind, topic, since, limit, cursor, replay)
    rows, next_cursor = alert_actions.list_alerts(session, flt)
    return AlertPage(items=[AlertOut(**alert_actions.alert_json(a)) for a in rows], next_cursor=next_cursor)


@router.get(
    "/{alert_id}",
    summary="One alert with its evidence: example calls and the matching moment (role: analyst)",
    response_model=AlertDetail,
    responses=problem_responses(404),
)
def get_alert(alert_id: AlertId, session: SessionDep, _key: AnalystKey) -> AlertDetail:
    alert = alert_actions.get_alert(session, alert_id)
    examples = [AlertExampleOut(**asdict(e)) for e in alert_actions.alert_examples(session, alert)]
    deliveries = [DeliveryOut(**asdict(line)) for line in delivery_log(session, alert_id)]
    return AlertDetail(**alert_actions.alert_json(alert), examples=examples, deliveries=deliveries)


@router.post(
    "/{alert_id}/ack",
    summary="Acknowledge an alert (role: ops)",
    response_model=AlertOut,
    responses=problem_responses(404, 409),
)
def ack_alert(alert_id: AlertId, session: SessionDep, key: OpsKey, body: AlertAction | None = None) -> AlertOut:
    alert = alert_actions.acknowledge(session, alert_id, actor(key), body.comment if body else None)
    return AlertOut(**alert_actions.alert_json(alert))


@router.post(
    "/{alert_id}/resolve",
    summary="Resolve an alert (role: ops)",
    response_model=AlertOut,
    responses=problem_responses(404, 409),
)
def resolve_alert(alert_id: AlertId, session: SessionDep, key: OpsKey, body: AlertAction | None = None) -> AlertOut:
    alert = alert_actions.resolve(session, alert_id, actor(key), body.comment if body else None)
    return AlertOut(**alert_actions.alert_json(alert))
