"""The alert inbox on a real SQLite database: which alerts a listing shows."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.alert_actions import AlertFilter, acknowledge, alert_examples, get_alert, list_alerts, resolve
from core.db import Database
from core.models import Alert, AlertKind, Call, CallStatus, Segment, Speaker
from tests.alerts import topic_alert
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

T0 = datetime(2026, 10, 12, 9, tzinfo=UTC)


def test_default_listing_shows_an_incident_once_preferring_the_live_alert(db: Database) -> None:
    check_incident_once(db)


def check_incident_once(db: Database) -> None:
    with db.session() as s:
        s.add_all(
            [
                topic_alert("fee", T0, 30, replay=False),
                topic_alert("fee", T0 + timedelta(hours=1), 20, replay=True),  # the same incident, found by a backtest
                topic_alert("fee", T0 - timedelta(days=20), 10, replay=True),  # an earlier incident only a backtest saw
                topic_alert("esim", T0, 30, replay=True),  # another incident's key
            ]
        )
    with db.session() as s:
        shown = [(a.incident_key, a.replay, a.change_at) for a in list_alerts(s, AlertFilter())[0]]
        backtests = list_alerts(s, AlertFilter(replay=True))[0]
        live = list_alerts(s, AlertFilter(replay=False))[0]
    assert sorted(shown, key=str) == sorted(
        [("fee", False, T0), ("fee", True, T0 - timedelta(days=20)), ("esim", True, T0)], key=str
    )
    assert len(backtests) == 3 and len(live) == 1


def test_a_backtest_topic_alert_that_took_over_a_live_phrase_alert_is_the_same_incident(db: Database) -> None:
    check_taken_over_phrase(db)


def check_taken_over_phrase(db: Database) -> None:
    # After a taxonomy change a backtest finds as a topic what live detection reported as an emerging phrase.
    with db.session() as s:
        live = topic_alert("emerging:esim activation", T0, 30, replay=False)
        live.kind, live.topic_id, live.phrase = AlertKind.EMERGING, None, "esim activation"
        backtest = topic_alert("topic:esim.activation", T0 + timedelta(hours=1), 20, replay=True)
        backtest.merged_keys = ["emerging:esim activation"]
        other = topic_alert("topic:billing.fee", T0, 20, replay=True)
        other.merged_keys = ["emerging:paper bill"]
        s.add_all([live, backtest, other])
    with db.session() as s:
        shown = {a.incident_key for a in list_alerts(s, AlertFilter())[0]}
    assert shown == {"emerging:esim activation", "topic:billing.fee"}


@pytest.mark.postgres
def test_inbox_listing_on_postgres(postgres_url: str) -> None:  # noqa: F811
    for check in (check_incident_once, check_taken_over_phrase):
        with fresh_postgres(postgres_url, "callpulse_inbox") as db:
            check(db)


def test_emerging_examples_show_the_segment_that_says_the_phrase_inflected_or_merged(db: Database) -> None:
    with db.session() as s:
        s.add(Call(id="c1", started_at=T0, language="en", status=CallStatus.TAGGED))
        s.add(Call(id="c2", started_at=T0, language="ru", status=CallStatus.TAGGED))
        lines = [("c1", "hello there"), ("c1", "the eSIM profiles failed twice"), ("c2", "Здравствуйте")]
        lines.append(("c2", "Мне пришёл счёт за роуминг"))
        for idx, (call_id, text) in enumerate(lines):
            s.add(
                Segment(call_id=call_id, idx=idx, start=float(idx), end=idx + 1.0, speaker=Speaker.CUSTOMER, text=text)
            )
        alert = topic_alert("emerging:esim profile", T0, 5, replay=False)
        alert.kind, alert.topic_id, alert.phrase = AlertKind.EMERGING, None, "esim profile"
        alert.merged_keys, alert.example_call_ids = ["emerging:счет за роуминг"], ["c1", "c2"]
        s.add(alert)
    with db.session() as s:
        examples = alert_examples(s, s.scalars(select(Alert)).one())
    assert [e.snippet for e in examples] == ["the eSIM profiles failed twice", "Мне пришёл счёт за роуминг"]


def test_two_people_acting_on_one_alert_at_once_lose_no_note(tmp_path: Path) -> None:
    check_no_lost_note(Database(f"sqlite:///{tmp_path}/race.db"))


@pytest.mark.postgres
def test_two_people_acting_on_one_alert_at_once_lose_no_note_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_ack_race") as db:
        check_no_lost_note(db)


def check_no_lost_note(db: Database) -> None:
    with db.session() as s:
        alert = topic_alert("fee", T0, 5, replay=False)
        s.add(alert)
        s.flush()
        alert_id = alert.id
        acknowledge(s, alert_id, "ana", "on it")
    first = db.sessions()
    acknowledge(first, alert_id, "ana", "vendor called")  # not committed yet: ana's request is still running

    def second() -> None:
        with db.session() as s:
            acknowledge(s, alert_id, "ivo", "fix by 3 pm")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)
    first.commit()
    first.close()
    thread.join(timeout=30)
    with db.session() as s:
        note = get_alert(s, alert_id).ack_comment or ""
    assert "vendor called" in note and "fix by 3 pm" in note, note
    db.engine.dispose()


def test_triage_notes_are_stored_without_personal_data(db: Database) -> None:
    with db.session() as s:
        alert = topic_alert("fee", T0, 5, replay=False)
        s.add(alert)
        s.flush()
        acknowledge(s, alert.id, "ana", "call him back on 091 555 0123 or ivan@example.com")
        acknowledge(s, alert.id, "ivo", "card 4111 1111 1111 1111 was charged twice")
        resolve(s, alert.id, "ana", "fixed; told +385 91 555 0123")
    with db.session() as s:
        stored = s.scalars(select(Alert)).one()
        notes = f"{stored.ack_comment} {stored.resolve_comment}"
    assert "555" not in notes and "ivan@" not in notes and "4111" not in notes
    assert "[PHONE]" in notes and "[EMAIL]" in notes and "[CARD]" in notes and "ivo: card" in notes
