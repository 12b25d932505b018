"""Hourly volume buckets from tagged calls: full rebuild, incremental refresh, calls leaving TAGGED."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, insert, select, text

from core.db import Database
from core.models import TOTAL, Call, CallStatus, TopicHit, VolumeBucket
from detect.volumes import rebuild_volumes, refresh_volumes
from tests.core.test_search import postgres_url  # noqa: F401  (session fixture: a throwaway PostgreSQL server)

T0 = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def add_call(
    db: Database,
    call_id: str,
    at: datetime,
    topics: list[str],
    queue: str | None = "billing",
    language: str | None = "en",
    status: CallStatus = CallStatus.TAGGED,
) -> None:
    with db.session() as session:
        session.add(Call(id=call_id, started_at=at, queue=queue, language=language, status=status))
        session.flush()
        for topic in topics:
            session.add(TopicHit(call_id=call_id, topic_id=topic))


def buckets(db: Database) -> dict[tuple[datetime, str, str, str], int]:
    with db.session() as session:
        rows = session.scalars(select(VolumeBucket))
        return {(r.bucket_start, r.topic_id, r.queue, r.language): r.count for r in rows}


def test_rebuild_counts_topics_and_totals_per_hour_queue_language(db: Database) -> None:
    add_call(db, "c1", T0 + timedelta(minutes=5), ["billing.unexpected_charge"])
    add_call(db, "c2", T0 + timedelta(minutes=59), ["billing.unexpected_charge", "payments.failed_payment"])
    add_call(db, "c3", T0 + timedelta(minutes=61), [], queue=None, language="hr")
    add_call(db, "c4", T0, ["cancellation.request"], status=CallStatus.TRANSCRIBED)  # not tagged yet
    report = rebuild_volumes(db)
    got = buckets(db)
    assert report.full and report.rows == len(got)
    assert got == {
        (T0, "billing.unexpected_charge", "billing", "en"): 2,
        (T0, "payments.failed_payment", "billing", "en"): 1,
        (T0, TOTAL, "billing", "en"): 2,
        (T0 + timedelta(hours=1), TOTAL, "", "hr"): 1,
    }


def test_refresh_touches_only_hours_of_changed_calls(db: Database) -> None:
    add_call(db, "c1", T0, ["a"])
    assert refresh_volumes(db).full  # first run: everything
    assert refresh_volumes(db).hours == 0  # nothing changed
    add_call(db, "c2", T0 + timedelta(days=2, minutes=30), ["a"])
    report = refresh_volumes(db)
    assert not report.full and report.hours == 1
    later = T0 + timedelta(days=2)
    assert buckets(db)[(later, "a", "billing", "en")] == 1 and buckets(db)[(T0, "a", "billing", "en")] == 1
    # a call leaves TAGGED (re-tagging under a new taxonomy): its hour is recounted without it
    with db.session() as session:
        call = session.get(Call, "c2")
        assert call is not None
        call.status = CallStatus.TRANSCRIBED
    refresh_volumes(db)
    assert (later, "a", "billing", "en") not in buckets(db)


def test_rebuild_is_fast_on_many_calls(db: Database) -> None:
    with db.session() as session:
        calls = [
            {
                "id": f"c{i}",
                "started_at": T0 + timedelta(minutes=7 * i),
                "queue": ("billing", "tech")[i % 2],
                "language": ("en", "hr", "hu")[i % 3],
                "status": CallStatus.TAGGED,
            }
            for i in range(8000)
        ]
        session.execute(insert(Call), calls)
        hits = [{"call_id": f"c{i}", "topic_id": f"t{i % 12}", "matches": 1} for i in range(8000)]
        session.execute(insert(TopicHit), hits)
    started = datetime.now(UTC)
    rebuild_volumes(db)
    assert datetime.now(UTC) - started < timedelta(seconds=20)
    assert sum(c for k, c in buckets(db).items() if k[1] == TOTAL) == 8000


@pytest.mark.postgres
def test_hours_are_utc_hours_on_postgres_in_a_half_hour_zone(postgres_url: str) -> None:  # noqa: F811
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS volumes_kolkata"))
        conn.execute(text("CREATE DATABASE volumes_kolkata"))
    admin.dispose()
    # UTC+05:30: a local-hour cut would split every UTC hour in two
    db = Database(postgres_url.rsplit("/", 1)[0] + "/volumes_kolkata?options=-c%20timezone%3DAsia%2FKolkata")
    try:
        add_call(db, "k1", T0 + timedelta(minutes=10), [])
        add_call(db, "k2", T0 + timedelta(minutes=50), [])
        add_call(db, "k3", T0 + timedelta(minutes=70), [])
        rebuild_volumes(db)
        assert buckets(db) == {(T0, TOTAL, "billing", "en"): 2, (T0 + timedelta(hours=1), TOTAL, "billing", "en"): 1}
    finally:
        db.engine.dispose()
