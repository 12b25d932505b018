"""Retention: calls older than a horizon leave the database, with the recordings callpulse keeps for them; the hourly
counts they were summed into stay, so trends and the detector's baselines carry on.

Once calls are gone their hours cannot be counted again, so those hours' counts are final: volume refreshes and
rebuilds leave every bucket before the horizon as it is (``purged_before``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.models import AppMeta, Call
from core.recordings import recording_path, upload_dir

PURGED_BEFORE = "purged_before"  # AppMeta key: calls started before this are gone; their hours' counts are final
# Live incidents read their calls for a while: terms from the week before a change, example calls, and the fix
# watched for 14 days after a resolve.
MIN_KEEP_DAYS = 30
# A century: a cutoff further back is before any recording, and one before year 1 cannot even be computed.
MAX_KEEP_DAYS = 36500


@dataclass(frozen=True)
class Storage:
    """Where callpulse keeps recordings of its own: uploads and private copies, and redacted copies."""

    audio_dir: Path
    redacted_dir: Path


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    calls: int
    files: tuple[Path, ...]  # recordings removed (or, in a dry run, that would be)
    dry_run: bool


def purged_before(session: Session) -> datetime | None:
    """The retention horizon: calls started before it are gone, and their hours' counts are final."""
    row = session.get(AppMeta, PURGED_BEFORE)
    return datetime.fromisoformat(row.value) if row else None


def before_horizon(session: Session) -> Callable[[datetime], bool]:
    """Whether a call started at a moment retention has passed: such a call is not taken in again (its hours'
    counts are final, and a drop folder still holding it would bring it back after every purge)."""
    horizon = purged_before(session)
    return lambda started_at: horizon is not None and started_at < horizon


def check_after_horizon(session: Session, started_at: datetime) -> None:
    """Refuse a call started before the retention horizon (see ``before_horizon``)."""
    horizon = purged_before(session)
    if horizon is not None and started_at < horizon:
        raise InvalidInput(
            f"the call started at {started_at.isoformat()}, before the retention horizon "
            f"{horizon}: calls before it are purged and their hours' counts are final"
        )


def check_keep_days(days: int) -> None:
    if days < MIN_KEEP_DAYS:
        raise InvalidInput(
            f"calls must be kept at least {MIN_KEEP_DAYS} days (live incidents read their terms, example calls and "
            f"the fix's calls from them), not {days}"
        )
    if days > MAX_KEEP_DAYS:
        raise InvalidInput(f"calls can be kept at most {MAX_KEEP_DAYS} days (a century), not {days}")


def purge(session: Session, before: datetime, storage: Storage, dry_run: bool = False) -> PurgeReport:
    """Delete the calls started before ``before`` (segments, topics and QA with them) and move the horizon. The
    recordings to remove are returned, to be removed by ``remove_files`` once the deletion is committed: a failed
    transaction must not lose a recording whose call is still there. The cutoff is taken to its hour: an hour's
    count is either final or still made of its calls."""
    cutoff = before.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    old = Call.started_at < cutoff
    calls = session.scalar(select(func.count()).select_from(Call).where(old)) or 0
    files = _owned_recordings(session, cutoff, storage)
    if not dry_run:
        session.execute(delete(Call).where(old))
        horizon = purged_before(session)
        if horizon is None or horizon < cutoff:
            session.merge(AppMeta(key=PURGED_BEFORE, value=cutoff.astimezone(UTC).isoformat()))
    return PurgeReport(cutoff, int(calls), tuple(files), dry_run)


def _owned_recordings(session: Session, cutoff: datetime, storage: Storage) -> list[Path]:
    """Recordings of the calls before ``cutoff`` that callpulse keeps itself and no later call reads. A recording
    ingested where it lies belongs to the recorder's archive, whose own retention applies."""
    uploads = upload_dir(storage.audio_dir)
    kept = set(session.scalars(select(Call.audio_path).where(Call.started_at >= cutoff, Call.audio_path.is_not(None))))
    out: set[Path] = set()
    for call_id, stored in session.execute(select(Call.id, Call.audio_path).where(Call.started_at < cutoff)):
        path = recording_path(stored, storage.audio_dir)
        if path is not None and stored not in kept and path.resolve().is_relative_to(uploads):
            out.add(path)
        redacted = storage.redacted_dir / f"{call_id}.opus"
        if redacted.is_file():
            out.add(redacted)
    return sorted(out)


def remove_files(files: tuple[Path, ...]) -> int:
    """Remove the recordings of purged calls; one already gone is no error. Returns how many were removed."""
    removed = 0
    for path in files:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed
