"""`callpulse process` (all pending work) and `callpulse demo` (the sample corpus, end to end)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from cli.alerts_cmd import print_alerts
from cli.context import console, err_console, fail, get_db
from cli.main import app
from cli.pipeline import BUSY, Intake, PipelineReport, outage, run_alone, run_pipeline
from cli.progress import RichProgress
from core import alert_actions
from core.auth import create_api_key
from core.db import Database
from core.errors import CallpulseError, one_line
from core.models import AlertStatus, Call, Role
from ingest.job import ingest_paths

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# Rounds closer together find nothing more: detection decides whole hours, and a drop folder's file waits for
# --settle (60 s by default) anyway; nearer 0 the loop spins, re-reading the database many times a second.
MIN_EVERY_MINUTES = 1.0


def _failed_files(db: Database, report: PipelineReport) -> dict[str, str]:
    """Where each failed recording is: a content-hash call id alone does not tell the user which file to check."""
    ids = [call_id for call_id, _ in report.transcribe.failures] if report.transcribe else []
    if not ids:
        return {}
    with db.session() as session:
        # the file as the user named it: a recording with a phone number in its path is read from a copy
        rows = session.execute(
            select(Call.id, func.coalesce(Call.source_file, Call.audio_path)).where(Call.id.in_(ids))
        )
        return {call_id: path for call_id, path in rows if path}


MAX_LISTED = 5  # failures listed per stage; the rest are counted


def _summary(report: PipelineReport, files: dict[str, str] | None = None) -> Table:
    table = Table("stage", "result", show_header=False)
    _ingest_rows(table, report)
    if report.transcribe_error is not None:
        table.add_row("transcribe", Text.assemble(("not run", "red"), f" {report.transcribe_error}"))
    t = report.transcribe
    if t is not None:
        left = f", {t.left} still with the workers (stored when they finish)" if t.left else ""
        if t.skipped:  # claimed by another worker or run: its lease says when a later run may take it over
            left += f", {t.skipped} being transcribed elsewhere"
        table.add_row(
            "transcribe",
            f"{t.transcribed} calls, {t.failed} failed, {t.audio_s / 60:.1f} audio min, "
            f"{t.realtime_factor:.1f}x real time{left}",
        )
        for call_id, reason in t.failures:
            where = f" ({(files or {})[call_id]})" if call_id in (files or {}) else ""
            table.add_row("", Text.assemble(("failed", "red"), f" {call_id}{where}: {reason}"))
    g = report.tag
    failed = f", {g.failed} failed" if g.failed else ""
    table.add_row(
        "tag", f"{g.tagged} new, {g.retagged} re-tagged{failed} (taxonomy v{g.taxonomy_version}), {g.seconds:.1f}s"
    )
    _failure_rows(table, [f"{call_id}: {reason}" for call_id, reason in g.failures], "failed calls")
    if g.halted:
        table.add_row("", Text.assemble(("stopped", "red"), f" {g.halted}"))
    table.add_row("volumes", f"{report.volumes.hours} hours refreshed")
    d = report.detect
    table.add_row("detect", f"{d.buckets} hourly buckets decided, {len(d.new_alert_ids)} new alerts, {d.seconds:.1f}s")
    quiet = report.silence.silence if report.silence else None
    if report.silence is not None and quiet is not None:
        table.add_row(
            "",
            Text.assemble(
                ("no calls", "red"),
                f" since {quiet.since:%Y-%m-%d %H:00} UTC ({quiet.hours} hours that usually hold about "
                f"{quiet.expected:.0f}): alert #{report.silence.alert_id}; check the recorder's export and ingest",
            ),
        )
    r = report.delivery
    table.add_row("deliver", f"{r.delivered} delivered, {r.failed} to retry, {r.gave_up} gave up")
    _failure_rows(table, r.errors, "failed attempts")
    if report.purged is not None:
        purged, removed = report.purged
        before = f"{purged.cutoff:%Y-%m-%d} UTC"
        table.add_row("retention", f"{purged.calls} calls started before {before} deleted, {removed} recordings")
    return table


def _ingest_rows(table: Table, report: PipelineReport) -> None:
    if report.ingest_error is not None:
        table.add_row("ingest", Text.assemble(("failed", "red"), f" {report.ingest_error}"))
    i = report.ingest
    if i is None:
        return
    waiting = f", {i.waiting} file{'s' * (i.waiting != 1)} still being written (next run)" if i.waiting else ""
    table.add_row(
        "ingest",
        f"{i.calls_new} new calls ({i.audio_registered} recordings), {len(i.bad_records)} bad records{waiting}",
    )
    _failure_rows(table, [str(bad) for bad in i.bad_records], "bad records")


def _failure_rows(table: Table, failures: Sequence[str], what: str) -> None:
    for failure in failures[:MAX_LISTED]:
        table.add_row("", Text.assemble(("failed", "red"), f" {failure}"))
    if len(failures) > MAX_LISTED:
        table.add_row("", f"... {len(failures) - MAX_LISTED} more {what}")


@app.command("process")
def process(
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Transcription processes")] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Try failed recordings, and calls tagging could not take, again")
    ] = False,
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=MIN_EVERY_MINUTES,
            help=f"Keep running: start a round every N minutes, at least {MIN_EVERY_MINUTES:g} (Ctrl-C stops)",
        ),
    ] = None,
    max_rounds: Annotated[int | None, typer.Option("--max-rounds", min=1, help="With --every: stop after N")] = None,
    ingest: Annotated[
        list[Path] | None,
        typer.Option(
            "--ingest",
            help="A drop folder (or file) to register new recordings and transcripts from first, every round; "
            "may be given more than once",
        ),
    ] = None,
    settle: Annotated[
        float,
        typer.Option(
            "--settle", min=0.0, help="With --ingest: seconds a file must rest unchanged (one being written waits)"
        ),
    ] = 60.0,
) -> None:
    """Run all pending work: transcribe, tag, refresh volumes, detect, deliver alerts."""
    db = get_db()
    intake = Intake(tuple(ingest), settle) if ingest else None
    if every is None:
        try:
            report = run_alone(db, workers, retry_failed, intake)
        except CallpulseError as exc:
            fail(exc.detail)
        except Exception as exc:
            if (reason := outage(exc)) is None:
                raise
            fail(f"{reason}; nothing is lost: run again once it answers")
        if report is None:
            err_console.print(f"skipped: {BUSY}", markup=False, soft_wrap=True)
            return
        console.print(_summary(report, _failed_files(db, report)))
        # the run went on, but a scheduler must see that tagging is broken, the drop folder unreadable or the
        # recordings untranscribed
        if report.transcribe_error:
            err_console.print(f"error: {report.transcribe_error}", markup=False, soft_wrap=True)
        if report.tag.halted or report.ingest_error or report.transcribe_error:
            raise typer.Exit(1)
        return
    _keep_processing(db, workers, retry_failed, intake, (every * 60.0, max_rounds))


def _keep_processing(
    db: Database, workers: int | None, retry_failed: bool, intake: Intake | None, schedule: tuple[float, int | None]
) -> None:
    """Rounds of all pending work, one every ``period_s``. A failed round is reported and the next one picks
    up where it stopped (every stage only does what is still pending); Ctrl-C ends the loop between stages."""
    period_s, max_rounds = schedule
    rounds = 0
    try:
        while max_rounds is None or rounds < max_rounds:
            started = time.monotonic()
            console.print(f"round {rounds + 1} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
            try:
                report = run_alone(db, workers, retry_failed, intake)
                if report is None:
                    err_console.print(f"round skipped: {BUSY}", markup=False, soft_wrap=True)
                else:
                    console.print(_summary(report, _failed_files(db, report)))
            except CallpulseError as exc:
                err_console.print(f"round failed: {exc.detail}; the next round retries", markup=False, soft_wrap=True)
            except Exception as exc:  # a loop that runs for months must outlive any one round
                reason = outage(exc)
                if reason is None:
                    err_console.print_exception()  # a fault of ours: shown in full, to be reported
                    reason = f"{type(exc).__name__}: {one_line(exc, 300)}"
                err_console.print(f"round failed: {reason}; the next round retries", markup=False, soft_wrap=True)
            rounds += 1
            if max_rounds is None or rounds < max_rounds:
                time.sleep(max(0.0, period_s - (time.monotonic() - started)))
    except KeyboardInterrupt:
        console.print(f"stopped after {rounds} rounds")


@app.command("demo")
def demo(
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the dashboard afterwards")] = True,
    host: Annotated[str, typer.Option(help="Dashboard interface")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port")] = 8000,
) -> None:
    """Ingest samples/, process it, print the alerts and serve the dashboard."""
    db = get_db()
    try:
        paths = [p for p in (SAMPLES / "transcripts", SAMPLES / "audio") if p.exists()]
        summary = ingest_paths(db, paths, RichProgress())
        console.print(
            f"ingested {summary.calls_new} new calls, {summary.audio_registered} recordings "
            f"({summary.skipped_existing} already known)"
        )
        report = run_pipeline(db)
        console.print(_summary(report, _failed_files(db, report)))
    except CallpulseError as exc:
        fail(exc.detail)
    with db.session() as session:
        rows, _ = alert_actions.list_alerts(session, alert_actions.AlertFilter(status=AlertStatus.OPEN, limit=50))
        print_alerts([alert_actions.alert_json(a) for a in rows])
    if not serve:
        return
    with db.session() as session:
        _, key = create_api_key(session, Role.ADMIN, "demo")
    console.print(f"\nDashboard: http://{host}:{port}/  (log in with this admin key)\n{key}")
    from cli.serve_cmd import serve as serve_command

    serve_command(host=host, port=port, workers=1)
