"""The whole path from pending work to delivered alerts, one stage after another.

Each stage reads its input from the database and writes its output there, so running this twice, or after a
crash, only does what is still pending.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from cli.progress import RichProgress
from core.db import Database
from core.errors import CallpulseError, one_line
from core.models import Call, CallStatus
from core.retention import PurgeReport
from core.runlock import exclusive_run
from core.settings import ExecutorKind, get_settings
from ingest.job import ingest_paths
from ingest.register import IngestSummary

if TYPE_CHECKING:
    # Imported where used: loading faster-whisper and spaCy would slow every `callpulse` command's start.
    from detect.delivery_job import DeliveryReport
    from detect.engine import DetectionReport
    from detect.silence import SilenceReport
    from detect.tag_job import TagReport
    from detect.volumes import VolumeReport
    from transcribe.job import TranscribeReport


@dataclass(frozen=True)
class Intake:
    """Folders each run registers new files from before its work (drop folders a recorder writes to), and how
    long a file must have rested unchanged: a recording still being written waits for a later run."""

    paths: tuple[Path, ...]
    settle_s: float = 60.0


@dataclass(frozen=True)
class PipelineReport:
    transcribe: TranscribeReport | None
    tag: TagReport
    volumes: VolumeReport
    detect: DetectionReport
    delivery: DeliveryReport
    ingest: IngestSummary | None = None
    ingest_error: str | None = None  # the drop folders could not be read (unmounted?); the rest still ran
    purged: tuple[PurgeReport, int] | None = None  # retention: calls deleted, recordings removed
    silence: SilenceReport | None = None  # no call has arrived for hours that usually hold many
    transcribe_error: str | None = None  # transcription could not run (broker or workers); the rest still ran


def _take_in(db: Database, intake: Intake | None) -> tuple[IngestSummary | None, str | None]:
    """Register what the drop folders hold; a failure is reported, not raised, so pending work still runs."""
    if intake is None:
        return None, None
    try:
        return ingest_paths(db, intake.paths, RichProgress(), settled_before=time.time() - intake.settle_s), None
    except CallpulseError as exc:
        return None, exc.detail


def _audio_waiting(db: Database, retry_failed: bool) -> int:
    wanted = [Call.status == CallStatus.PENDING, Call.status == CallStatus.TRANSCRIBING]
    if retry_failed:
        wanted.append(Call.status == CallStatus.FAILED)
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Call).where(or_(*wanted))) or 0


def check_broker(url: str, timeout_s: float = 3.0) -> None:
    """Fail in one line, before any call is dispatched, when the Celery broker (also the result store) is down.

    Celery itself would retry for ~20 s and print a traceback per attempt; nothing is lost either way, because
    calls stay pending in the database until a run can dispatch them.
    """
    from kombu.connection import Connection
    from kombu.exceptions import OperationalError
    from kombu.utils.url import maybe_sanitize_url

    where = maybe_sanitize_url(url)  # no password on the terminal
    try:
        with Connection(url, connect_timeout=timeout_s) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=0, timeout=timeout_s)
    except KeyError as exc:  # kombu's lookup of the URL scheme
        raise CallpulseError(f"CALLPULSE_BROKER_URL {where}: {exc.args[0]}") from None
    except (OperationalError, OSError) as exc:
        raise CallpulseError(
            f"Celery broker / result store at {where} is unreachable ({exc}); calls stay pending "
            "(check CALLPULSE_BROKER_URL)"
        ) from None


def outage(exc: BaseException) -> str | None:
    """One line for a service that stopped answering mid-round (the database, the broker or its result store),
    or None for any other error. Nothing is lost then: every stage only does what is still pending, and the
    next run picks it up."""
    from kombu.exceptions import OperationalError as BrokerError
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        reason = one_line(exc.orig, 300)
        return f"the database stopped answering ({reason})"
    if isinstance(exc, BrokerError | ConnectionError):
        return f"the Celery broker or result store stopped answering ({one_line(exc, 300)})"
    return None


BUSY = "another `callpulse process` run is working on this database (it does the pending work)"


def run_alone(
    db: Database, workers: int | None = None, retry_failed: bool = False, intake: Intake | None = None
) -> PipelineReport | None:
    """``run_pipeline``, unless another run holds the database: None then."""
    with exclusive_run(db) as held:
        return run_pipeline(db, workers, retry_failed, intake) if held else None


def run_pipeline(
    db: Database, workers: int | None = None, retry_failed: bool = False, intake: Intake | None = None
) -> PipelineReport:
    """Take in the drop folders' new files (if any), transcribe, tag, count, detect (and whether the intake has
    gone silent), deliver, then apply the retention period (if set). The speech model is only loaded when audio is
    waiting."""
    from cli.retention_cmd import purge_older_than
    from detect.delivery_job import deliver_pending
    from detect.engine import run_detection
    from detect.silence import SilenceOptions, check_intake
    from detect.tag_job import retry_tag_failures, tag_pending
    from detect.volumes import refresh_volumes
    from transcribe.job import transcribe_pending

    settings = get_settings()
    ingested, ingest_error = _take_in(db, intake)
    transcribed, transcribe_error = None, None
    if _audio_waiting(db, retry_failed):
        try:
            if settings.executor == ExecutorKind.CELERY:
                check_broker(settings.broker_url)
            transcribed = transcribe_pending(db.url, workers or settings.workers, retry_failed, RichProgress())
        except CallpulseError as exc:  # the recordings stay pending; transcripts already in are tagged and counted
            transcribe_error = exc.detail
    if retry_failed:
        retry_tag_failures(db)
    tagged = tag_pending(db, RichProgress())
    volumes = refresh_volumes(db)
    detected = run_detection(db, progress=RichProgress())
    d = settings.detect
    quiet = SilenceOptions(hours=d.silence_hours, min_expected=d.silence_min_calls)
    silence = check_intake(db, datetime.now(UTC), quiet, timedelta(hours=d.cooldown_hours))
    with db.session() as session:
        delivered = deliver_pending(session, settings, datetime.now(UTC))
    purged = purge_older_than(db, settings.retention_days) if settings.retention_days else None
    return PipelineReport(
        transcribed, tagged, volumes, detected, delivered, ingested, ingest_error, purged, silence, transcribe_error
    )
