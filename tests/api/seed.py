"""A small, real dataset for the API tests: calls with segments, topic hits, hourly volumes and alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.models import (
    TOTAL,
    Alert,
    AlertKind,
    Call,
    CallStatus,
    Segment,
    Severity,
    Speaker,
    TaxonomyVersion,
    Topic,
    TopicHit,
    VolumeBucket,
)

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
WEEKS = 6
FEE_FROM = START + timedelta(weeks=5, hours=9)
TOPICS = {"billing.unexpected_charge": "Unexpected charge", "outage.no_service": "No service"}


def seed(session: Session) -> None:
    session.add(TaxonomyVersion(version=1, source="version: 1\ntopics: []\n", active=True))
    for topic, label in TOPICS.items():
        session.add(Topic(id=topic, label=label, patterns={"en": [label.lower()]}, version=1, active=True))
    _volumes(session)
    _calls(session)
    session.add(
        Alert(
            kind=AlertKind.TOPIC,
            topic_id="billing.unexpected_charge",
            dimension={"queue": "billing"},
            incident_key="topic:billing.unexpected_charge:queue=billing",
            change_at=FEE_FROM,
            detected_at=FEE_FROM + timedelta(hours=3),
            last_seen_at=FEE_FROM + timedelta(hours=5),
            baseline_rate=0.05,
            current_rate=0.18,
            ratio=3.6,
            severity=Severity.HIGH,
            top_terms=["paper bill fee", "extra fee"],
            example_call_ids=["call-fee-0", "call-fee-1"],
        )
    )
    session.add(
        Alert(
            kind=AlertKind.EMERGING,
            phrase="esim activation",
            dimension={},
            incident_key="emerging:esim activation",
            change_at=FEE_FROM + timedelta(days=2),
            detected_at=FEE_FROM + timedelta(days=2, hours=2),
            last_seen_at=FEE_FROM + timedelta(days=2, hours=2),
            baseline_rate=0.0,
            current_rate=3.0,
            ratio=30.0,
            severity=Severity.MEDIUM,
            top_terms=["esim activation"],
            example_call_ids=["call-esim-0"],
        )
    )


def _volumes(session: Session) -> None:
    # Daytime hours carry 20 calls, nights 2; the fee topic is 1 in 20 until FEE_FROM, then 4 in 20 (billing).
    rows: list[dict[str, object]] = []
    for h in range(WEEKS * 7 * 24):
        t = START + timedelta(hours=h)
        total = 20 if 8 <= t.hour < 18 else 2
        fee = (4 if t >= FEE_FROM else 1) if total == 20 else 0
        rows.append({"bucket_start": t, "topic_id": TOTAL, "queue": "billing", "language": "en", "count": total})
        rows.append({"bucket_start": t, "topic_id": TOTAL, "queue": "tech", "language": "hr", "count": total})
        if fee:
            rows.append(
                {
                    "bucket_start": t,
                    "topic_id": "billing.unexpected_charge",
                    "queue": "billing",
                    "language": "en",
                    "count": fee,
                }
            )
        if total == 20:
            rows.append(
                {"bucket_start": t, "topic_id": "outage.no_service", "queue": "tech", "language": "hr", "count": 2}
            )
    session.execute(insert(VolumeBucket), rows)


def _call(session: Session, call_id: str, at: datetime, texts: list[str], **meta: str) -> None:
    call = Call(id=call_id, started_at=at, duration_s=60.0, status=CallStatus.TAGGED, **meta)
    for i, text in enumerate(texts):
        speaker = Speaker.AGENT if i % 2 == 0 else Speaker.CUSTOMER
        call.segments.append(Segment(idx=i, start=i * 10.0, end=i * 10.0 + 9, speaker=speaker, text=text))
    session.add(call)


def _calls(session: Session) -> None:
    for i in range(3):
        _call(
            session,
            f"call-fee-{i}",
            FEE_FROM + timedelta(hours=i),
            [
                "Hello, how can I help?",
                f"There is a paper bill fee of {i + 2} euros on my bill <b>why</b>",
                "I will remove the paper bill fee.",
                "Thank you, goodbye.",
            ],
            queue="billing",
            language="en",
            agent_id=f"agent-0{i + 1}",
        )
        session.add(
            TopicHit(
                call_id=f"call-fee-{i}",
                topic_id="billing.unexpected_charge",
                matches=1,
                first_start=10.0,
                evidence="paper bill fee",
            )
        )
    _call(
        session,
        "call-old",
        START + timedelta(days=3, hours=10),
        ["Dobar dan", "Nemam signala, internet ne radi", "Provjerit ću", "Hvala"],
        queue="tech",
        language="hr",
        agent_id="agent-04",
    )
    session.add(
        TopicHit(
            call_id="call-old", topic_id="outage.no_service", matches=1, first_start=10.0, evidence="nemam signala"
        )
    )
    _call(
        session,
        "call-esim-0",
        FEE_FROM + timedelta(days=2, hours=1),
        ["Hello", "My esim activation code does not work", "Let me check the activation", "Bye"],
        queue="tech",
        language="en",
        agent_id="agent-02",
    )
    _call(
        session,
        "call-racun",
        FEE_FROM + timedelta(days=1),
        ["Dobar dan", "Moj račun je veći nego prije, naknada za papirnati račun", "Razumijem", "Doviđenja"],
        queue="billing",
        language="hr",
        agent_id="agent-05",
    )
