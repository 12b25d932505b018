"""`callpulse detect` (live or replayed spike detection) and `callpulse detect-series` (any CSV series)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from cli.alerts_cmd import print_alerts
from cli.context import console, fail, get_db
from cli.main import app
from cli.progress import RichProgress
from core import alert_actions
from core.errors import CallpulseError, InvalidInput
from core.models import Alert
from core.moments import parse_moment
from core.progress import NoProgress
from detect.engine import run_detection
from detect.series_cli import SeriesPoint, read_series_csv, series_alarms, series_changepoints


@app.command("detect")
def detect(
    replay: Annotated[bool, typer.Option("--replay", help="Walk stored history causally, as a backtest")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Replay from this time (ISO 8601)")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Replay as of this time: the hours complete by then (ISO 8601)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new alerts as JSON")] = False,
) -> None:
    """Decide every complete hourly bucket not decided yet (or, with --replay, all of history) and print new alerts."""
    try:
        start = parse_moment(since, "--since") if since is not None else None
        end = parse_moment(until, "--until") if until is not None else None
        if (start or end) and not replay:
            raise InvalidInput("--since/--until only apply to --replay")
        if start and end and start >= end:
            raise InvalidInput("--since must be before --until")
        db = get_db()
        report = run_detection(
            db, replay=replay, since=start, until=end, progress=NoProgress() if as_json else RichProgress()
        )
        with db.session() as session:
            alerts = session.scalars(
                select(Alert).where(Alert.id.in_(report.new_alert_ids)).order_by(Alert.detected_at)
            )
            items: list[dict[str, Any]] = [alert_actions.alert_json(a) for a in alerts]
    except CallpulseError as exc:
        fail(exc.detail)
    if as_json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return
    span = (
        f"{report.first_bucket:%Y-%m-%d %H:00} .. {report.last_bucket:%Y-%m-%d %H:00}"
        if report.first_bucket
        else "none"
    )
    console.print(
        f"{report.buckets} hourly buckets decided ({span}), {len(items)} new alerts, "
        f"{len(report.updated_alert_ids)} {'found again' if report.replay else 'updated'}, {report.seconds:.1f}s"
    )
    if items:
        print_alerts(items)


def _points(points: list[SeriesPoint]) -> list[dict[str, Any]]:
    return [{"index": p.index, "timestamp": p.timestamp.isoformat()} for p in points]


@app.command("detect-series")
def detect_series(
    csv_path: Annotated[Path, typer.Argument(help="CSV with a header timestamp,count[,total]")],
    causal: Annotated[bool, typer.Option("--causal", help="Streaming alarms instead of offline changepoints")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Run the detector on any series: offline changepoints (start index of each new regime) or causal alarms."""
    try:
        series = read_series_csv(csv_path)
        alarms = series_alarms(series) if causal else None
        points = alarms.points if alarms else series_changepoints(series)
    except CallpulseError as exc:
        fail(exc.detail)
    key = "alarms" if causal else "changepoints"
    rows = len(series.counts)
    if as_json:
        extra = {"alarms_from_row": alarms.first_row} if alarms else {}
        print(json.dumps({"rows": rows, key: _points(points), **extra}, indent=2))
        return
    console.print(f"{rows} rows, {len(points)} {key}")
    if alarms and alarms.first_row > 0:
        reach = "no row" if alarms.first_row >= rows else f"rows from {alarms.first_row} on"
        console.print(f"  (the first {min(alarms.first_row, rows)} rows build the reference: {reach} can alarm)")
    for p in points:
        console.print(f"  row {p.index}  {p.timestamp.isoformat()}")
