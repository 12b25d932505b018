"""A small real dataset for the dashboard tests: sample transcripts around the planted paper-bill-fee spike.

Ingests three weeks of `samples/transcripts` and processes them with the real CLI (tagging, volumes,
detection), and adds one call with a real stereo recording (espeak-ng speech, agent left, customer right) whose
transcript is given, so the test knows where each turn starts.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from core.db import Database
from core.models import (
    TOTAL,
    Alert,
    AlertKind,
    AlertStatus,
    Call,
    CallStatus,
    Segment,
    Severity,
    TaxonomyVersion,
    Topic,
    TopicHit,
    VolumeBucket,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CALLPULSE = str(Path(sys.executable).parent / "callpulse")
WEEKS = ("week-2026-10-12.jsonl", "week-2026-10-19.jsonl", "week-2026-10-26.jsonl")
SPIKE_TOPIC = "billing.unexpected_charge"
SPIKE_START = datetime(2026, 10, 26, 9, tzinfo=UTC)
AUDIO_CALL_ID = "demo-20261102-0001"
AUDIO_SEGMENTS = (  # (start, speaker, text); the recording is built so each turn starts at its time
    (0.0, "agent", "Good morning, billing department, how can I help you?"),
    (4.0, "customer", "There is a paper bill fee on my bill, an unexpected charge I never agreed to."),
    (10.0, "agent", "I am sorry about that. I will remove the paper bill fee today."),
)


def _topics_by_call() -> dict[str, list[str]]:
    with (SAMPLES / "truth_topics.csv").open(encoding="utf-8") as fh:
        return {row["call_id"]: [t for t in row["topics"].split(";") if t] for row in csv.DictReader(fh)}


def _taxonomy(db: Database, topic_ids: set[str]) -> None:
    with db.session() as session:
        session.add(TaxonomyVersion(version=1, source="version: 1\n", active=True))
        session.flush()
        for tid in sorted(topic_ids):
            label = tid.split(".", 1)[1].replace("_", " ").capitalize()
            session.add(Topic(id=tid, label=label, speaker="customer", patterns={"en": [label.lower()]}, version=1))


def _hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def ingest_transcripts(db_url: str, env: dict[str, str]) -> None:
    """The real `callpulse ingest` (registration, redaction, search index)."""
    files = [str(SAMPLES / "transcripts" / name) for name in WEEKS]
    subprocess.run([CALLPULSE, "--db", db_url, "ingest", *files], env=env, check=True, capture_output=True)


def tag_from_truth(db: Database) -> None:
    """Topic hits as the generator meant them, and the hourly volumes they make (when no tagger has run)."""
    truth = _topics_by_call()
    volumes: Counter[tuple[datetime, str, str, str]] = Counter()
    hits = []
    with db.session() as session:
        for call in session.scalars(select(Call)):
            topics = truth.get(call.id, [])
            first_customer = next((s.start for s in call.segments if s.speaker == "customer"), None)
            hits += [{"call_id": call.id, "topic_id": t, "matches": 1, "first_start": first_customer} for t in topics]
            for tid in [TOTAL, *topics]:
                volumes[(_hour(call.started_at), tid, call.queue or "", call.language or "")] += 1
            call.status = CallStatus.TAGGED
            call.tagged_version = 1
        session.execute(insert(TopicHit), hits)
        session.execute(
            insert(VolumeBucket),
            [
                {"bucket_start": b, "topic_id": t, "queue": q, "language": lang, "count": n}
                for (b, t, q, lang), n in volumes.items()
            ],
        )
    _taxonomy(db, {t for ts in truth.values() for t in ts})


def record_alerts(db: Database) -> int:
    """The two planted incidents as the detector reports them; returns the spike alert's id."""
    with db.session() as session:
        examples = session.scalars(
            select(Call.id)
            .join(TopicHit)
            .where(TopicHit.topic_id == SPIKE_TOPIC, Call.queue == "billing", Call.started_at >= SPIKE_START)
            .order_by(Call.started_at)
            .limit(5)
        ).all()
    spike = Alert(
        kind=AlertKind.TOPIC,
        topic_id=SPIKE_TOPIC,
        dimension={"queue": "billing"},
        incident_key=f"topic:{SPIKE_TOPIC}:queue=billing",
        change_at=SPIKE_START,
        detected_at=SPIKE_START + timedelta(hours=3),
        last_seen_at=datetime(2026, 11, 1, 23, tzinfo=UTC),
        baseline_rate=0.91,
        current_rate=3.09,
        ratio=3.4,
        severity=Severity.HIGH,
        status=AlertStatus.OPEN,
        top_terms=["paper bill fee", "extra fee", "unexpected charge"],
        example_call_ids=list(examples),
    )
    emerging = Alert(
        kind=AlertKind.EMERGING,
        phrase="esim activation",
        dimension={"queue": "tech"},
        incident_key="emerging:esim activation",
        change_at=datetime(2026, 10, 28, 10, tzinfo=UTC),
        detected_at=datetime(2026, 10, 28, 15, tzinfo=UTC),
        last_seen_at=datetime(2026, 11, 1, 17, tzinfo=UTC),
        baseline_rate=0.0,
        current_rate=2.5,
        ratio=12.0,
        severity=Severity.MEDIUM,
        status=AlertStatus.OPEN,
        top_terms=["esim activation", "activation code"],
        example_call_ids=[],
    )
    with db.session() as session:
        session.add_all([spike, emerging])
        session.flush()
        return spike.id


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


def has_process_command() -> bool:
    return subprocess.run([CALLPULSE, "process", "--help"], capture_output=True).returncode == 0


def spike_alert_id(db: Database) -> int:
    with db.session() as session:
        found = session.scalars(select(Alert.id).where(Alert.topic_id == SPIKE_TOPIC).order_by(Alert.id)).first()
    if found is None:
        raise AssertionError(f"no alert on {SPIKE_TOPIC}: the planted spike was not detected")
    return found


def seed(db: Database, db_url: str, workdir: Path, env: dict[str, str]) -> int:
    """Everything above; returns the spike alert's id.

    With `callpulse process` available the real tagger and detector find the spike; otherwise the calls are
    tagged from the generator's truth and the incidents recorded as the detector reports them.
    """
    ingest_transcripts(db_url, env)
    if has_process_command():
        subprocess.run([CALLPULSE, "--db", db_url, "process"], env=env, check=True, capture_output=True)
    else:
        tag_from_truth(db)
        record_alerts(db)
    add_audio_call(db, make_stereo_call(workdir))
    return spike_alert_id(db)
