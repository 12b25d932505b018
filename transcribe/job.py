"""The transcribe job: lease pending calls, transcribe them on an executor, store results idempotently.

Each call is claimed by the worker that transcribes it (status TRANSCRIBING + lease_until), so the
same function is safe under the local pool and under Celery redelivery. The lease expiry is the token:
a worker only stores results while the call is still leased with the exact expiry it set, and only if
the call has no segments yet, so no call is ever written twice. A killed run loses nothing: its leases
expire and the calls count as pending again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from core.db import Database
from core.executor import Executor, get_executor
from core.models import Call, CallStatus, Job, JobStatus, Segment
from core.progress import Progress
from core.recordings import recording_path
from core.settings import get_settings
from transcribe.engine import decode_budget, get_model
from transcribe.pipeline import CallHints, TranscribeOptions, TranscriptionResult, transcribe_call

__all__ = [
    "CallJob",
    "CallOutcome",
    "TranscribeReport",
    "init_worker",
    "process_call",
    "transcribe_call",
    "transcribe_pending",
]

LEASE_MARGIN_S = 600.0
UNKNOWN_DURATION_S = 600.0
MAX_ATTEMPTS = 3  # a recording that kills its worker every time is failed instead of retried forever
_databases: dict[str, Database] = {}


@dataclass(frozen=True)
class CallJob:
    db_url: str
    call_id: str
    audio_path: str
    language: str | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class CallOutcome:
    call_id: str
    status: str  # transcribed | failed | skipped
    audio_s: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class TranscribeReport:
    transcribed: int
    failed: int
    skipped: int
    audio_s: float
    wall_s: float
    failures: tuple[tuple[str, str], ...] = ()
    left: int = 0  # still with Celery workers when this run stopped waiting: they store them when done

    @property
    def realtime_factor(self) -> float:
        """Audio seconds transcribed per wall-clock second."""
        return self.audio_s / self.wall_s if self.wall_s > 0 else 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _database(url: str) -> Database:
    db = _databases.get(url)
    if db is None:
        db = _databases[url] = Database(url)
    return db


def init_worker() -> None:
    """Per-process initializer: load the model before the first call arrives."""
    get_model(TranscribeOptions.from_settings(get_settings()).engine)


def _claim(db: Database, job: CallJob, options: TranscribeOptions) -> datetime | None:
    now = _now()
    audio_s = job.duration_s or UNKNOWN_DURATION_S
    token = now + timedelta(seconds=LEASE_MARGIN_S + decode_budget(audio_s, options.decode))
    claimable = or_(
        Call.status == CallStatus.PENDING, and_(Call.status == CallStatus.TRANSCRIBING, Call.lease_until < now)
    )
    with db.session() as session:
        claimed = session.execute(
            update(Call)
            .where(Call.id == job.call_id, claimable)
            .values(status=CallStatus.TRANSCRIBING, lease_until=token, attempts=Call.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return token if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def _ours(session: Session, call_id: str, token: datetime) -> bool:
    leased = select(Call.id).where(
        Call.id == call_id, Call.status == CallStatus.TRANSCRIBING, Call.lease_until == token
    )
    has_segments = select(func.count()).select_from(Segment).where(Segment.call_id == call_id)
    return session.execute(leased).first() is not None and session.execute(has_segments).scalar_one() == 0


def _fail(db: Database, call_id: str, token: datetime, reason: str) -> bool:
    with db.session() as session:
        done = session.execute(
            update(Call)
            .where(Call.id == call_id, Call.status == CallStatus.TRANSCRIBING, Call.lease_until == token)
            .values(status=CallStatus.FAILED, error=reason[:2000], lease_until=None)
            .execution_options(synchronize_session=False)
        )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _store(db: Database, result: TranscriptionResult, token: datetime) -> bool:
    """Segments and status in one transaction, only while the lease is still ours."""
    with db.session() as session:
        if not _ours(session, result.call_id, token):
            return False
        for idx, seg in enumerate(result.segments):
            session.add(
                Segment(
                    call_id=result.call_id,
                    idx=idx,
                    start=round(seg.start, 3),
                    end=round(seg.end, 3),
                    speaker=seg.speaker,
                    text=seg.text,
                    words=[[round(w.start, 3), round(w.end, 3), w.text] for w in seg.words] or None,
                    redactions=[{"type": r.kind, "start": r.start, "end": r.end} for r in seg.redactions] or None,
                )
            )
        call = session.get(Call, result.call_id)
        assert call is not None
        call.status = CallStatus.TRANSCRIBED
        call.language = result.language
        call.language_probability = result.language_probability
        call.duration_s = call.duration_s or round(result.duration_s, 3)
        call.error = None
        call.lease_until = None
    return True


def process_call(job: CallJob) -> CallOutcome:
    """Claim, transcribe and store one call. Every failure of the recording ends as a FAILED call."""
    options = TranscribeOptions.from_settings(get_settings())
    db = _database(job.db_url)
    token = _claim(db, job, options)
    if token is None:
        return CallOutcome(job.call_id, "skipped")
    with db.session() as session:
        attempts = session.execute(select(Call.attempts).where(Call.id == job.call_id)).scalar_one()
    if attempts > MAX_ATTEMPTS:
        reason = f"gave up after {attempts - 1} attempts that never finished (worker killed or crashed)"
        _fail(db, job.call_id, token, reason)
        return CallOutcome(job.call_id, "failed", error=reason)
    try:
        result = transcribe_call(job.call_id, job.audio_path, CallHints(language=job.language), options)
    except Exception as exc:  # the job boundary: PyAV and CTranslate2 raise far more than AudioError
        reason = str(getattr(exc, "detail", "")) or f"{type(exc).__name__}: {exc}"
        _fail(db, job.call_id, token, reason)
        return CallOutcome(job.call_id, "failed", error=reason)
    if not _store(db, result, token):
        return CallOutcome(job.call_id, "skipped")
    return CallOutcome(job.call_id, "transcribed", audio_s=result.duration_s)


def _pending_jobs(db: Database, retry_failed: bool) -> list[CallJob]:
    now = _now()
    with db.session() as session:
        if retry_failed:
            session.execute(
                update(Call)
                .where(Call.status == CallStatus.FAILED, Call.audio_path.is_not(None))
                .values(status=CallStatus.PENDING, error=None, attempts=0)
                .execution_options(synchronize_session=False)
            )
        rows = session.execute(
            select(Call.id, Call.audio_path, Call.language, Call.duration_s)
            .where(
                Call.audio_path.is_not(None),
                or_(
                    Call.status == CallStatus.PENDING,
                    and_(Call.status == CallStatus.TRANSCRIBING, Call.lease_until < now),
                ),
            )
            .order_by(Call.started_at, Call.id)
        ).all()
    audio_dir = get_settings().audio_dir
    return [CallJob(db.url, r.id, _where(r.audio_path, audio_dir), r.language, r.duration_s) for r in rows]


def _where(audio_path: str, audio_dir: Path) -> str:
    """The file to decode: uploads stored with an older relative path are found under the upload folder."""
    found = recording_path(audio_path, audio_dir)
    return str(found) if found is not None else audio_path


def transcribe_pending(
    db_url: str, workers: int, retry_failed: bool, progress: Progress, executor: Executor | None = None
) -> TranscribeReport:
    """Transcribe every pending call (and calls whose lease expired); failures do not stop the batch."""
    began = time.monotonic()
    db = _database(db_url)
    jobs = _pending_jobs(db, retry_failed)
    executor = executor or get_executor(get_settings(), workers)
    counts = {"transcribed": 0, "failed": 0, "skipped": 0, "left": 0}
    failures: list[tuple[str, str]] = []
    audio_s = 0.0
    progress.start("transcribe", total=len(jobs))
    for outcome in executor.map(process_call, jobs, initializer=init_worker):
        result = outcome.value
        if outcome.left:
            counts["left"] += 1
            continue
        if result is None:  # the worker itself died; the lease expires and a later run retries the call
            result = CallOutcome(outcome.item.call_id, "failed", error=outcome.error)
        counts[result.status] += 1
        audio_s += result.audio_s
        if result.error:
            failures.append((result.call_id, result.error))
        progress.advance(1, note=f"{audio_s / 60:.1f} audio min, {counts['failed']} failed")
    progress.finish()
    report = TranscribeReport(
        counts["transcribed"],
        counts["failed"],
        counts["skipped"],
        audio_s,
        time.monotonic() - began,
        tuple(failures),
        counts["left"],
    )
    _record(db, report)
    return report


def _record(db: Database, report: TranscribeReport) -> None:
    with db.session() as session:
        session.add(
            Job(
                kind="transcribe",
                status=JobStatus.DONE,
                finished_at=_now(),
                processed=report.transcribed,
                failed=report.failed,
                detail=f"{report.audio_s:.0f} s audio at {report.realtime_factor:.1f}x real time",
            )
        )
