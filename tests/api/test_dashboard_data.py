"""A small real dataset for the dashboard tests: sample transcripts around the planted paper-bill-fee spike.

Loads three weeks of `samples/transcripts` (redacted with the real redactor), tags calls with the topics the
generator intended, fills the hourly volume table, records the two planted incidents as alerts, and adds one
call with a real stereo recording (espeak-ng speech, agent left, customer right).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

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
from core.redact import redact_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
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


def load_transcripts(db: Database) -> dict[str, list[str]]:
    """Calls, redacted segments, topic hits and hourly volumes; returns the spike's calls per queue."""
    truth = _topics_by_call()
    volumes: Counter[tuple[datetime, str, str, str]] = Counter()
    spike_calls: dict[str, list[str]] = {}
    calls, segments, hits = [], [], []
    for name in WEEKS:
        for line in (SAMPLES / "transcripts" / name).read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            started = datetime.fromisoformat(rec["started_at"]).astimezone(UTC)
            topics = truth.get(rec["call_id"], [])
            calls.append(
                {
                    "id": rec["call_id"],
                    "started_at": started,
                    "duration_s": rec.get("duration_s"),
                    "language": rec["language"],
                    "queue": rec["queue"],
                    "agent_id": rec["agent_id"],
                    "direction": rec.get("direction"),
                    "status": CallStatus.TAGGED,
                    "tagged_version": 1,
                    "attempts": 0,
                    "created_at": started,
                    "updated_at": started,
                }
            )
            for idx, seg in enumerate(rec["segments"]):
                text, spans = redact_text(seg["text"])
                segments.append(
                    {
                        "call_id": rec["call_id"],
                        "idx": idx,
                        "start": seg["start"],
                        "end": seg["end"],
                        "speaker": seg["speaker"],
                        "text": text,
                        "redactions": [{"type": str(s.kind), "start": seg["start"], "end": seg["end"]} for s in spans],
                    }
                )
            first_customer = next((s["start"] for s in rec["segments"] if s["speaker"] == "customer"), None)
            for tid in topics:
                hits.append({"call_id": rec["call_id"], "topic_id": tid, "matches": 1, "first_start": first_customer})
            for tid in [TOTAL, *topics]:
                volumes[(_hour(started), tid, rec["queue"], rec["language"])] += 1
            if SPIKE_TOPIC in topics and started >= SPIKE_START:
                spike_calls.setdefault(rec["queue"], []).append(rec["call_id"])
    with db.session() as session:
        session.execute(insert(Call), calls)
        session.execute(insert(Segment), segments)
        session.execute(insert(TopicHit), hits)
        session.execute(
            insert(VolumeBucket),
            [
                {"bucket_start": b, "topic_id": t, "queue": q, "language": lang, "count": n}
                for (b, t, q, lang), n in volumes.items()
            ],
        )
    _taxonomy(db, {t for ts in truth.values() for t in ts})
    return spike_calls


def record_alerts(db: Database, spike_calls: dict[str, list[str]]) -> int:
    """The two planted incidents as the detector reports them; returns the spike alert's id."""
    spike = Alert(
        kind=AlertKind.TOPIC,
        topic_id=SPIKE_TOPIC,
        dimension={"queue": "billing"},
        incident_key=f"topic:{SPIKE_TOPIC}:queue=billing",
        change_at=SPIKE_START,
        detected_at=SPIKE_START + timedelta(hours=3),
        last_seen_at=datetime(2026, 11, 1, 23, tzinfo=UTC),
        baseline_rate=0.041,
        current_rate=0.139,
        ratio=3.4,
        severity=Severity.HIGH,
        status=AlertStatus.OPEN,
        top_terms=["paper bill fee", "extra fee", "unexpected charge"],
        example_call_ids=spike_calls.get("billing", [])[:5],
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


def seed(db: Database, workdir: Path) -> int:
    """Everything above; returns the spike alert's id."""
    spike_calls = load_transcripts(db)
    alert_id = record_alerts(db, spike_calls)
    add_audio_call(db, make_stereo_call(workdir))
    return alert_id
