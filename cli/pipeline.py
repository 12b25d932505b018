"""The whole path from pending work to delivered alerts, one stage after another.

Each stage reads its input from the database and writes its output there, so running this twice, or after a
crash, only does what is still pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from cli.progress import RichProgress
from core.db import Database
from core.models import Call, CallStatus
from core.settings import get_settings

if TYPE_CHECKING:
    # Imported where used: loading faster-whisper and spaCy would slow every `callpulse` command's start.
    from detect.delivery_job import DeliveryReport
    from detect.engine import DetectionReport
    from detect.tag_job import TagReport
    from detect.volumes import VolumeReport
    from transcribe.job import TranscribeReport


@dataclass(frozen=True)
class PipelineReport:
    transcribe: TranscribeReport | None
    tag: TagReport
    volumes: VolumeReport
    detect: DetectionReport
    delivery: DeliveryReport


def _audio_waiting(db: Database, retry_failed: bool) -> int:
    wanted = [Call.status == CallStatus.PENDING, Call.status == CallStatus.TRANSCRIBING]
    if retry_failed:
        wanted.append(Call.status == CallStatus.FAILED)
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Call).where(or_(*wanted))) or 0


def run_pipeline(db: Database, workers: int | None = None, retry_failed: bool = False) -> PipelineReport:
    """Transcribe, tag, count, detect, deliver. The speech model is only loaded when audio is waiting."""
    from detect.delivery_job import deliver_pending
    from detect.engine import run_detection
    from detect.tag_job import tag_pending
    from detect.volumes import refresh_volumes
    from transcribe.job import transcribe_pending

    settings = get_settings()
    transcribed = None
    if _audio_waiting(db, retry_failed):
        transcribed = transcribe_pending(db.url, workers or settings.workers, retry_failed, RichProgress())
    tagged = tag_pending(db, RichProgress())
    volumes = refresh_volumes(db)
    detected = run_detection(db, progress=RichProgress())
    with db.session() as session:
        delivered = deliver_pending(session, settings, datetime.now(UTC))
    return PipelineReport(transcribed, tagged, volumes, detected, delivered)
