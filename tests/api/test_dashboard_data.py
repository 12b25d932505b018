"""A small real dataset for the dashboard tests: sample transcripts around the planted paper-bill-fee spike.

Ingests three weeks of `samples/transcripts` and processes them with the real CLI (tagging, volumes,
detection), and adds one call with a real stereo recording (espeak-ng speech, agent left, customer right) whose
transcript is given, so the test knows where each turn starts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from core.db import Database
from core.models import (
    Alert,
    Call,
    CallStatus,
    Segment,
    TopicHit,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CALLPULSE = str(Path(sys.executable).parent / "callpulse")
WEEKS = ("week-2026-10-12.jsonl", "week-2026-10-19.jsonl", "week-2026-10-26.jsonl")
SPIKE_TOPIC = "billing.unexpected_charge"
AUDIO_CALL_ID = "demo-20261102-0001"
AUDIO_SEGMENTS = (  # (start, speaker, text); the recording is built so each turn starts at its time
    (0.0, "agent", "Good morning, billing department, how can I help you?"),
    (4.0, "customer", "There is a paper bill fee on my bill, an unexpected charge I never agreed to."),
    (10.0, "agent", "I am sorry about that. I will remove the paper bill fee today."),
)


def ingest_transcripts(db_url: str, env: dict[str, str]) -> None:
    """The real `callpulse ingest` (registration, redaction, search index)."""
    files = [str(SAMPLES / "transcripts" / name) for name in WEEKS]
    subprocess.run([CALLPULSE, "--db", db_url, "ingest", *files], env=env, check=True, capture_output=True)


def make_stereo_call(workdir: Path) -> Path:
    """A short real recording: each turn spoken by espeak-ng on its speaker's channel, starting at its time."""
    channels: dict[str, list[Path]] = {"agent": [], "customer": []}
    for i, (start, speaker, text) in enumerate(AUDIO_SEGMENTS):
        raw, placed = workdir / f"turn{i}.wav", workdir / f"turn{i}-placed.wav"
        subprocess.run(["espeak-ng", "-v", "en", "-s", "170", "-w", str(raw), text], check=True)
        # Silence before the turn places it at its start; sox -M below pads the shorter channel.
        subprocess.run(["sox", "-V1", str(raw), "-r", "16000", "-c", "1", str(placed), "pad", f"{start}"], check=True)
        channels[speaker].append(placed)
    mixed = []
    for speaker in ("agent", "customer"):
        track = workdir / f"{speaker}.wav"
        parts = channels[speaker]
        if len(parts) == 1:
            shutil.copy(parts[0], track)
        else:
            subprocess.run(["sox", "-V1", "-m", *map(str, parts), str(track)], check=True)
        mixed.append(str(track))
    stereo = workdir / f"{AUDIO_CALL_ID}.wav"
    subprocess.run(["sox", "-V1", "-M", *mixed, str(stereo)], check=True)
    return stereo


def add_audio_call(db: Database, audio: Path) -> None:
    started = datetime(2026, 11, 2, 9, 41, tzinfo=UTC)
    with db.session() as session:
        call = Call(
            id=AUDIO_CALL_ID,
            started_at=started,
            duration_s=AUDIO_SEGMENTS[-1][0] + 5.0,
            language="en",
            queue="billing",
            agent_id="agent-07",
            direction="inbound",
            status=CallStatus.TAGGED,
            tagged_version=1,
            audio_path=str(audio),
            qa={"greeting": True, "empathy": True, "resolution_confirmed": True, "closing": False},
        )
        session.add(call)
        for idx, (start, speaker, text) in enumerate(AUDIO_SEGMENTS):
            session.add(Segment(call=call, idx=idx, start=start, end=start + 4.0, speaker=speaker, text=text))
        session.add(TopicHit(call=call, topic_id=SPIKE_TOPIC, matches=2, first_start=4.0, evidence="paper bill fee"))


def spike_alert_id(db: Database) -> int:
    with db.session() as session:
        found = session.scalars(select(Alert.id).where(Alert.topic_id == SPIKE_TOPIC).order_by(Alert.id)).first()
    if found is None:
        raise AssertionError(f"no alert on {SPIKE_TOPIC}: the planted spike was not detected")
    return found


def seed(db: Database, db_url: str, workdir: Path, env: dict[str, str]) -> int:
    """Everything above; returns the id of the alert the real detector raised on the planted spike."""
    ingest_transcripts(db_url, env)
    subprocess.run([CALLPULSE, "--db", db_url, "process"], env=env, check=True, capture_output=True)
    add_audio_call(db, make_stereo_call(workdir))
    return spike_alert_id(db)
