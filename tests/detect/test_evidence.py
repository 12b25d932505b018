"""Which calls an emerging phrase's alert shows: the word stems of the phrase, in customer or mono speech."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import Database
from core.models import Call, CallStatus, Segment, Speaker
from detect.evidence import calls_between, calls_saying_any, phrase_calls
from detect.taxonomy import default_taxonomy_yaml, install_taxonomy, parse_taxonomy
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
SPEECH = [
    ("r1", Speaker.CUSTOMER, "Счёт за роуминг пришёл огромный"),  # capital first letter, ё
    ("r2", Speaker.UNKNOWN, "мне выставили СЧЕТ ЗА РОУМИНГ"),  # a mono recording, shouted
    ("r3", Speaker.AGENT, "счет за роуминг мы проверим"),  # the agent's words are not the customer's problem
    ("r4", Speaker.CUSTOMER, "счет за интернет"),
    ("r5", Speaker.CUSTOMER, "с меня берут плату за бумажный счёт"),  # the lemma "брать" is not a stem of "берут"
]


def test_phrase_calls_fold_case_and_yo_on_sqlite(db: Database) -> None:
    check_phrase_calls(db)


@pytest.mark.postgres
def test_phrase_calls_fold_case_and_yo_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_phrase_calls") as db:
        check_phrase_calls(db)


def check_phrase_calls(db: Database) -> None:
    with db.session() as s:
        for i, (call_id, speaker, text) in enumerate(SPEECH):
            s.add(Call(id=call_id, started_at=T0 + timedelta(minutes=i), language="ru", status=CallStatus.TAGGED))
            s.add(Segment(call_id=call_id, idx=0, start=0.0, end=2.0, speaker=speaker, text=text))
        s.add(Segment(call_id="r1", idx=1, start=2.0, end=4.0, speaker=Speaker.CUSTOMER, text="и счёт за интернет"))
    hour = (T0, T0 + timedelta(hours=1))
    with db.session() as s:
        found = phrase_calls(s, "счет за роуминг", *hour, 10)
        spoken_otherwise = phrase_calls(s, "брать плата", *hour, 10)
        either = calls_saying_any(s, ["счет за роуминг", "счет за интернет"], *hour)
        calls = calls_between(s, *hour)
    assert sorted(found) == ["r1", "r2"]
    assert spoken_otherwise == ["r5"]  # no call has every stem: those with all but one
    assert (either, calls) == (3, 5)  # r1 says both, once counted; r3 is the agent speaking


def test_with_a_taxonomy_only_calls_that_said_the_phrase_are_its_calls(db: Database) -> None:
    # the stems of "app force" are in both calls; only the first says it as the tagger counts phrases
    speech = [("said", "The app force closes after the update."), ("apart", "Force of habit: I open the app daily.")]
    with db.session() as s:
        install_taxonomy(s, parse_taxonomy(default_taxonomy_yaml()))
        for i, (call_id, text) in enumerate(speech):
            s.add(Call(id=call_id, started_at=T0 + timedelta(minutes=i), language="en", status=CallStatus.TAGGED))
            s.add(Segment(call_id=call_id, idx=0, start=0.0, end=2.0, speaker=Speaker.CUSTOMER, text=text))
    with db.session() as s:
        assert phrase_calls(s, "app force", T0, T0 + timedelta(hours=1), 10) == ["said"]
