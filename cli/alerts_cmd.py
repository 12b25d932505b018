"""`callpulse alerts`: the alert inbox from the command line."""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from typing import Annotated, Any

import typer

from cli.context import console, fail, get_db
from cli.main import app
from core import alert_actions
from core.delivery_log import DeliveryLine, delivery_log
from core.errors import CallpulseError
from core.models import MAX_ROW_ID, AlertStatus

alerts_app = typer.Typer(help="The alert inbox: list, show, acknowledge, resolve.")
app.add_typer(alerts_app, name="alerts")


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@alerts_app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    status: Annotated[AlertStatus | None, typer.Option("--status", help="open, acknowledged or resolved")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array in design.md's alert format")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 200,
    replay: Annotated[
        bool | None,
        typer.Option(
            "--replay/--live",
            help="Only backtest alerts (detect --replay) or only live ones; default: live alerts and the backtest "
            "alerts of incidents no live alert reports",
        ),
    ] = None,
) -> None:
    """List alerts, newest first (without a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    with get_db().session() as session:
        flt = alert_actions.AlertFilter(status=status, limit=limit, replay=replay)
        rows, _ = alert_actions.list_alerts(session, flt)
        items = [alert_actions.alert_json(a) for a in rows]
    if as_json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return
    print_alerts(items)


def _rates(a: dict[str, Any]) -> str:
    factor, unit = alert_actions.per(a["baseline_rate"], a["current_rate"])
    return f"{a['baseline_rate'] * factor:.2f} -> {a['current_rate'] * factor:.2f} {unit}"


def _check_id(alert_id: int) -> None:
    """An id no row can have is an unknown alert: the database driver would fail on it instead of finding none."""
    if not 0 <= alert_id <= MAX_ROW_ID:
        fail(f"no alert {alert_id}")


def _act(action: str, alert_id: int, comment: str | None) -> None:
    _check_id(alert_id)
    fn = alert_actions.acknowledge if action == "ack" else alert_actions.resolve
    try:
        with get_db().session() as session:
            alert = fn(session, alert_id, _who(), comment)
            status = alert.status
    except CallpulseError as exc:
        fail(exc.detail)
    console.print(f"alert {alert_id}: {status}")


@alerts_app.command("ack")
def ack(
    alert_id: Annotated[int, typer.Argument(help="Alert id")],
    comment: Annotated[str | None, typer.Option("--comment", help="Why / who is on it")] = None,
) -> None:
    """Acknowledge an alert."""
    _act("ack", alert_id, comment)


@alerts_app.command("resolve")
def resolve(
    alert_id: Annotated[int, typer.Argument(help="Alert id")],
    comment: Annotated[str | None, typer.Option("--comment", help="What fixed it")] = None,
) -> None:
    """Resolve an alert."""
    _act("resolve", alert_id, comment)


@alerts_app.command("show")
def show(
    alert_id: Annotated[int, typer.Argument(help="Alert id")],
    as_json: Annotated[
        bool, typer.Option("--json", help="The alert in design.md's format, with its deliveries")
    ] = False,
) -> None:
    """One alert: what, where, since when, how big, what callers said, who acknowledged or resolved it, and where
    it was delivered."""
    _check_id(alert_id)
    try:
        with get_db().session() as session:
            alert = alert_actions.get_alert(session, alert_id)
            item = alert_actions.alert_json(alert)
            examples = alert_actions.alert_examples(session, alert, limit=5)
            log = delivery_log(session, alert_id)
    except CallpulseError as exc:
        fail(exc.detail)
    if as_json:
        deliveries = [asdict(line) | {"last_at": line.last_at.isoformat()} for line in log]
        shown = [asdict(e) | {"started_at": e.started_at.isoformat() if e.started_at else None} for e in examples]
        print(json.dumps(item | {"examples": shown, "deliveries": deliveries}, indent=2, ensure_ascii=False))
        return
    print_alerts([item])
    for example in examples:
        console.print(f"   said:  {_example_text(example)}", markup=False, soft_wrap=True)
    for verb in ("acked", "resolved"):
        if item[f"{verb}_at"]:
            comment = item["ack_comment" if verb == "acked" else "resolve_comment"]
            note = f": {comment}" if comment else ""
            console.print(f"   {verb}: {_when(item[f'{verb}_at'])} by {item[f'{verb}_by']}{note}", markup=False)
    for line in log:
        console.print(f"   sent:  {_delivery_text(line)}", markup=False, soft_wrap=True)
    if not log:
        console.print("   sent:  not delivered anywhere (no destination configured, or none takes it)")


def _example_text(example: alert_actions.AlertExample) -> str:
    """Where and when in which call the words were said, and what was said: the evidence, in one line."""
    when = example.started_at.strftime("%Y-%m-%d %H:%M") if example.started_at else "?"
    place = "/".join(v for v in (example.queue, example.language) if v) or "?"
    at = f" at {example.segment_start:.0f}s" if example.segment_start is not None else ""
    said = f'{example.speaker or "?"}: "{example.snippet}"' if example.snippet else "(no matching segment)"
    return f"{example.call_id} ({when}, {place}){at}, {said}"


def _delivery_text(line: DeliveryLine) -> str:
    when = line.last_at.strftime("%Y-%m-%d %H:%M UTC")
    tries = f"{line.attempts} attempt{'s' * (line.attempts != 1)}"
    outcome = (
        f"delivered ({tries}, {when})" if line.delivered else f"not delivered ({tries}, last {when}: {line.last_error})"
    )
    return f"{line.event} to {line.channel} {line.target}: {outcome}"


AFTER_FIX = {
    "back_to_baseline": "back to baseline (volume fell back after the resolve)",
    "still_elevated": "still elevated (volume has not fallen back since the resolve)",
    "": "not known yet (waiting for enough calls after the resolve)",
}


AFTER_DROP_FIX = {
    "back_to_baseline": "calls are back (the place's calls returned after the resolve)",
    "still_elevated": "calls still missing (they have not come back since the resolve)",
    "": AFTER_FIX[""],
}


def _when(iso: str | None) -> str:
    return (iso or "").replace("T", " ")[:16] + " UTC" if iso else "?"


def print_alerts(items: list[dict[str, Any]]) -> None:
    """One block per alert: what, where, since when, how big, and the words that set it apart.

    Blocks rather than a table, so that nothing is cut off in a narrow terminal or a CI log.
    """
    if not items:
        console.print("no alerts")
        return
    for a in items:
        what = a["topic"] or (f'"{a["phrase"]}"' if a["phrase"] else "calls" if a["dimension"] else "all calls")
        where = ", ".join(f"{k}={v}" for k, v in a["dimension"].items()) or "all queues and languages"
        tag = ", backtest" if a.get("replay") else ""
        size = (
            f"no calls arrive (usually {a['baseline_rate']:.0f} an hour): check the recorder's export and ingest"
            if a["kind"] == "volume" and not a["ratio"] and not a["dimension"]
            else f"{_rates(a)} ({a['ratio']:.1f}x), "
            + (
                f"{a.get('excess_calls', 0):.0f} extra calls since the change"
                + alert_actions.talk_time(a.get("extra_call_hours"))
                if a["ratio"] >= 1
                else f"callers are not reaching it: {a.get('excess_calls', 0):.0f} calls missing so far"
            )
        )
        console.print(
            f"[bold]#{a['id']} {a['kind']} alert: {what}[/]  \\[{a['severity']}, {a['status']}{tag}]\n"
            f"   where: {where}\n"
            f"   since: {_when(a['change_at'])}   detected: {_when(a['detected_at'])}\n"
            f"   size:  {size}"
        )
        if a["top_terms"]:
            console.print("   terms: " + ", ".join(a["top_terms"][:8]))
        if a["example_call_ids"]:
            console.print("   calls: " + ", ".join(a["example_call_ids"][:5]))
        if a["status"] == "resolved":
            verdicts = AFTER_FIX if a["ratio"] >= 1 else AFTER_DROP_FIX
            console.print("   fix:   " + verdicts.get(a.get("recovery") or "", verdicts[""]))
