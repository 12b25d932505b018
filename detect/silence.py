"""Silence: no call has arrived for hours in which the centre usually takes many. A recorder's export that stopped,
an unmounted share or a broken ingest look like a quiet, healthy centre to every other test (hours without data are
never decided), so the intake itself raises a `volume` alert with no calls in it.

Only for a live intake: a database of imported history, whose newest call is days old, is not silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import Database
from core.models import TOTAL, Alert, AlertKind, AlertStatus, Call, Severity, VolumeBucket
from detect.volumes import hour_floor

SILENCE_KEY = f"{AlertKind.VOLUME.value}:silence"
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class SilenceOptions:
    hours: int = 3  # whole hours without a single call (recorders export with some delay); 0: never
    min_expected: float = 30.0  # ...that usually hold at least this many calls
    max_hours: int = 72  # a longer gap is imported history, not an intake that just stopped
    weeks: int = 4  # "usually": the median of the same hours in these earlier weeks (two at least)


@dataclass(frozen=True)
class Silence:
    since: datetime  # the first whole hour without a call
    hours: int
    expected: float  # calls those hours usually hold


def usual_calls(session: Session, start: datetime, end: datetime, weeks: int) -> float | None:
    """Median over earlier weeks of all calls in the same hours [start, end); None with fewer than two weeks."""
    first = session.scalar(select(func.min(VolumeBucket.bucket_start)))
    if first is None:
        return None
    sums = []
    for k in range(1, weeks + 1):
        lo, hi = start - k * WEEK, end - k * WEEK
        if lo < first:  # before the data begins: that week says nothing
            continue
        total = session.scalar(
            select(func.coalesce(func.sum(VolumeBucket.count), 0)).where(
                VolumeBucket.topic_id == TOTAL, VolumeBucket.bucket_start >= lo, VolumeBucket.bucket_start < hi
            )
        )
        sums.append(float(total or 0))
    return float(np.median(sums)) if len(sums) >= 2 else None


def find_silence(session: Session, now: datetime, opts: SilenceOptions) -> Silence | None:
    """Whole hours since the newest call (of any status: a call registered and waiting for transcription has
    arrived) that usually hold ``min_expected`` calls or more."""
    newest = session.scalar(select(func.max(Call.started_at)))
    if newest is None or opts.hours <= 0:
        return None
    since, end = hour_floor(newest) + HOUR, hour_floor(now)
    hours = int((end - since) / HOUR)
    if hours < opts.hours or now - newest > timedelta(hours=opts.max_hours):
        return None
    expected = usual_calls(session, since, end, opts.weeks)
    if expected is None or expected < opts.min_expected:
        return None
    return Silence(since, hours, expected)


def record_silence(session: Session, silence: Silence, now: datetime, cooldown: timedelta) -> tuple[Alert, bool]:
    """The silence alert, new or brought up to date (one incident while the silence lasts); (alert, created)."""
    live = session.scalars(
        select(Alert).where(
            Alert.incident_key == SILENCE_KEY,
            Alert.replay.is_(False),
            Alert.status != AlertStatus.RESOLVED,
            Alert.last_seen_at >= now - cooldown,
        )
    ).first()
    rate = silence.expected / silence.hours
    if live is not None:
        live.last_seen_at, live.baseline_rate = now, rate
        return live, False
    alert = Alert(
        kind=AlertKind.VOLUME,
        incident_key=SILENCE_KEY,
        dimension={},
        change_at=silence.since,
        detected_at=now,
        last_seen_at=now,
        baseline_rate=rate,
        current_rate=0.0,
        ratio=0.0,
        excess_calls=0.0,
        severity=Severity.HIGH,  # every other test is blind while no call arrives
        top_terms=[],
        example_call_ids=[],
    )
    session.add(alert)
    session.flush()
    return alert, True


@dataclass(frozen=True)
class SilenceReport:
    silence: Silence | None = None
    alert_id: int | None = None
    created: bool = False


def check_intake(db: Database, now: datetime, opts: SilenceOptions, cooldown: timedelta) -> SilenceReport:
    """The job: raise or update the silence alert when the intake has gone quiet."""
    with db.session() as session:
        silence = find_silence(session, now, opts)
        if silence is None:
            return SilenceReport()
        alert, created = record_silence(session, silence, now, cooldown)
        return SilenceReport(silence, alert.id, created)
