"""QA checks on agent speech."""

from __future__ import annotations

from core.models import Speaker
from core.records import SegmentData
from detect.qa import qa_checks


def call(*turns: tuple[Speaker, str]) -> list[SegmentData]:
    return [SegmentData(i * 3.0, i * 3.0 + 2, speaker, text) for i, (speaker, text) in enumerate(turns)]


A, C = Speaker.AGENT, Speaker.CUSTOMER


def test_complete_call_passes_every_check() -> None:
    qa = qa_checks(
        call(
            (A, "Dobar dan, zovem se Ana, kako vam mogu pomoći?"),
            (C, "Imam neočekivani trošak."),
            (A, "Žao mi je zbog toga. Provjerit ću."),
            (A, "Je li vam to riješilo problem?"),
            (A, "Hvala na pozivu, doviđenja."),
        ),
        "hr",
    )
    assert qa.as_dict() == {"greeting": True, "empathy": True, "resolution_confirmed": True, "closing": True}


def test_missing_greeting_and_closing_are_flagged() -> None:
    qa = qa_checks(
        call((A, "Yes?"), (C, "Hello, my bill is wrong. Goodbye."), (A, "Let me check."), (A, "Okay.")), "en"
    )
    # The customer's "hello" and "goodbye" do not count for the agent.
    assert qa.as_dict() == {"greeting": False, "empathy": False, "resolution_confirmed": False, "closing": False}


def test_opening_thanks_is_not_a_closing() -> None:
    qa = qa_checks(call((A, "Thank you for calling, how can I help?"), (C, "hi"), (A, "Done.")), "en")
    assert qa.greeting and not qa.closing


def test_chinese_and_unknown_language() -> None:
    assert qa_checks(call((A, "您好，请讲。"), (A, "再见。")), "zh").greeting
    assert qa_checks(call((A, "Hello there"), (A, "bye")), "xx").closing
