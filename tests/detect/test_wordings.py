"""How big an incident said in several wordings is, read off the calls on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db import Database
from core.models import Alert, AlertKind, Call, CallStatus, PhraseBucket, Segment, Speaker
from detect.wordings import size_of_wordings

CHANGE = datetime(2026, 10, 28, 10, tzinfo=UTC)
H = timedelta(hours=1)


def add_calls(db: Database, start: datetime, texts: list[str]) -> None:
    """One call every six minutes from ``start``, each with one customer turn."""
    with db.session() as s:
        for i, text in enumerate(texts):
            call_id = f"{start:%m%d%H}-{i}"
            at = start + i * timedelta(minutes=6)
            s.add(Call(id=call_id, started_at=at, language="en", status=CallStatus.TAGGED))
            s.add(Segment(call_id=call_id, idx=0, start=0.0, end=2.0, speaker=Speaker.CUSTOMER, text=text))


def counted(db: Database, phrase: str, calls: int) -> None:
    """The tagger's count of a phrase since the change, as tagging the calls above left it."""
    with db.session() as s:
        s.add(PhraseBucket(bucket_start=CHANGE, phrase=phrase, language="en", count=calls))


def test_calls_saying_any_wording_count_once_against_the_week_before(db: Database) -> None:
    # the week before: 200 calls, one of which already said "esim activation"
    add_calls(db, CHANGE - timedelta(days=7), ["my esim activation failed"] + ["my bill is wrong"] * 199)
    # since the change, 100 calls over ten hours: 20 say "esim activation", 10 "qr code", 5 say both
    both = "esim activation failed, the qr code is rejected"
    texts = ["esim activation fails"] * 15 + ["the qr code does nothing"] * 5 + [both] * 5 + ["a bill"] * 75
    add_calls(db, CHANGE, texts)
    counted(db, "esim activation", 20)
    counted(db, "qr code", 10)
    alert = Alert(kind=AlertKind.EMERGING, change_at=CHANGE, last_seen_at=CHANGE + 10 * H)
    with db.session() as s:
        size = size_of_wordings(s, ["esim activation", "qr code"], alert, CHANGE + H)
        single = size_of_wordings(s, ["esim activation"], alert, CHANGE)
    assert size is not None and single is None
    share = 1.5 / 200  # one call, and half a call of doubt, in 200
    assert abs(size.extra_calls - (25 - share * 100)) < 1e-9  # 25 calls said one of them: each counts once
    # the last day here: hours 1 to 10 after the change, 90 calls, 15 of them on the problem
    assert abs(size.current_rate - 15 / 9) < 1e-9 and abs(size.baseline_rate - share * 90 / 9) < 1e-9
    assert size.rated and size.ratio > 20


def test_a_wording_whose_words_everyone_says_apart_does_not_size_the_incident(db: Database) -> None:
    # "yes hello" was counted in 5 calls that said it so; every call opens "Yes, hello." and its stems match them all
    add_calls(db, CHANGE - timedelta(days=7), ["Yes, hello. My bill is wrong"] * 200)
    add_calls(db, CHANGE, ["Yes, hello. esim activation fails"] * 20 + ["Yes, hello. a bill"] * 80)
    counted(db, "esim activation", 20)
    counted(db, "qr code", 3)
    counted(db, "yes hello", 5)
    alert = Alert(kind=AlertKind.EMERGING, change_at=CHANGE, last_seen_at=CHANGE + 10 * H)
    with db.session() as s:
        size = size_of_wordings(s, ["esim activation", "qr code", "yes hello"], alert, CHANGE + H)
    assert size is not None and abs(size.extra_calls - (20 - 0.5 / 200 * 100)) < 1e-9
