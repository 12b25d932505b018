"""`callpulse purge`: calls older than the retention period leave the database; their hourly counts stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from cli.context import console, fail, get_db
from cli.main import app
from core.db import Database
from core.errors import CallpulseError
from core.retention import PurgeReport, Storage, check_keep_days, purge, remove_files
from core.settings import get_settings


def storage() -> Storage:
    settings = get_settings()
    return Storage(settings.audio_dir, settings.transcribe.redacted_audio_dir)


def purge_older_than(
    db: Database, days: int, dry_run: bool = False, now: datetime | None = None
) -> tuple[PurgeReport, int]:
    """Purge calls started before midnight (UTC) ``days`` ago; (report, recordings removed)."""
    check_keep_days(days)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = moment.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
    with db.session() as session:
        report = purge(session, cutoff, storage(), dry_run)
    return report, 0 if dry_run else remove_files(report.files)


@app.command("purge")
def purge_command(
    older_than: Annotated[int, typer.Option("--older-than", help="Days of calls to keep (30 to 36500)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be deleted")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for schedulers)")] = False,
) -> None:
    """Delete calls older than the retention period, with their transcripts, topics, QA and the recordings
    callpulse keeps for them. Hourly counts stay: trends and detection carry on; those hours' counts are final."""
    try:
        if not (dry_run or yes):
            preview, _ = purge_older_than(get_db(), older_than, dry_run=True)
            when = f"{preview.cutoff:%Y-%m-%d %H:%M} UTC"
            question = f"delete {preview.calls} calls started before {when} and {len(preview.files)} recordings?"
            if not typer.confirm(question):
                raise typer.Exit(1)
        report, removed = purge_older_than(get_db(), older_than, dry_run)
    except CallpulseError as exc:
        fail(exc.detail)
    when = f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
    if report.dry_run:
        console.print(f"would delete {report.calls} calls started before {when} and {len(report.files)} recordings")
        return
    console.print(f"deleted {report.calls} calls started before {when} and {removed} recordings; hourly counts kept")
