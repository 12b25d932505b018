from __future__ import annotations

import pytest

from core.records import Word
from core.redact import PiiKind, find_pii, hash_caller_id, redact_text, redact_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card is 4561 2345 6789 0123, expiry 12/27, cvv 123.", "My card is [CARD], expiry [EXPIRY], cvv [CVV]."),
        ("card 4561-2345-6789-0123 please", "card [CARD] please"),
        ("card 4561234567890123 expires 12 27 code 456", "card [CARD] expires [EXPIRY] code [CVV]"),
        (
            "card number four five six one two three four five six seven eight nine zero one two three "
            "and the security code is one two three",
            "card number [CARD] and the security code is [CVV]",
        ),
        (
            "broj kartice četiri pet šest jedan dva tri četiri pet šest sedam osam devet nula jedan dva tri hvala",
            "broj kartice [CARD] hvala",
        ),
        (
            "kártyaszám négy öt hat egy kettő három négy öt hat hét nyolc kilenc nulla egy kettő három köszönöm",
            "kártyaszám [CARD] köszönöm",
        ),
        (
            "номер карты четыре пять шесть один два три четыре пять шесть семь восемь девять ноль один два три спасибо",
            "номер карты [CARD] спасибо",
        ),
        ("我的卡号是四五六一二三四五六七八九零一二三", "我的卡号是[CARD]"),
        ("我的卡号是４５６１ ２３４５ ６７８９ ０１２３。", "我的卡号是[CARD]。"),
        ("您可以打+86 12 345 6789联系我。", "您可以打[PHONE]联系我。"),
        ("call me on +385 91 234 5678 or 091/234-5678", "call me on [PHONE] or [PHONE]"),
        ("my number is plus three eight five nine one two three four five six seven", "my number is [PHONE]"),
        ("call me at five five five one two three four", "call me at [PHONE]"),
        ("it's oh seven seven double five twenty three nine", "it's [PHONE]"),
        ("mail: john.smith@example.com.", "mail: [EMAIL]."),
        ("my email is john dot smith at example dot com ok", "my email is [EMAIL] ok"),
        ("moj mail je ivan točka horvat majmun primjer točka hr", "moj mail je [EMAIL]"),
        ("IBAN HR1210010051863000160 thanks", "IBAN [IBAN] thanks"),
        ("IBAN HR12 1001 0051 8630 0016 0 thanks", "IBAN [IBAN] thanks"),
    ],
)
def test_redacts_pii(text: str, expected: str) -> None:
    assert redact_text(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "the bill was 45.90 euros on 2026-10-26 at 10:30, I paid 120",
        "I called twenty times about this one issue",
        "order 12345, invoice 2026/10",
        "the paper bill fee is 2 euros since 26.10.2026",
        "egy új díj jelent meg a számlán",
    ],
)
def test_leaves_ordinary_numbers_alone(text: str) -> None:
    result = redact_text(text)
    assert result.text == text
    assert result.spans == ()


def test_short_number_is_cvv_only_right_after_a_card() -> None:
    assert redact_text("the code is 123").text == "the code is 123"
    far = "card 4561 2345 6789 0123. " + "x" * 80 + " then 123"
    assert redact_text(far).text.endswith("then 123")


def test_spans_point_into_original_text() -> None:
    text = "mail a@b.io or call 091 234 5678"
    spans = find_pii(text)
    assert [s.kind for s in spans] == [PiiKind.EMAIL, PiiKind.PHONE]
    assert [text[s.start : s.end] for s in spans] == ["a@b.io", "091 234 5678"]
    redacted, unpacked = redact_text(text)
    assert unpacked == spans
    assert redacted == "mail [EMAIL] or call [PHONE]"


def _timed(text: str, start: float = 0.0, step: float = 0.25) -> list[Word]:
    return [Word(start + i * step, start + (i + 1) * step, f" {w}") for i, w in enumerate(text.split())]


def test_redact_words_merges_span_and_keeps_times() -> None:
    words = _timed("my card is four five six one two three four five six seven eight nine zero one two three thanks")
    redacted, spans = redact_words(words)
    assert [w.text for w in redacted] == [" my", " card", " is", " [CARD]", " thanks"]
    assert redacted[3].start == pytest.approx(0.75)
    assert redacted[3].end == pytest.approx(4.75)
    assert len(spans) == 1
    assert spans[0].kind == "CARD"
    assert (spans[0].start, spans[0].end) == pytest.approx((0.75, 4.75))


def test_redact_words_keeps_punctuation_outside_span() -> None:
    words = [Word(0.0, 0.4, " call"), Word(0.4, 0.8, " 091"), Word(0.8, 1.2, " 234"), Word(1.2, 1.6, " 5678,")]
    words.append(Word(1.6, 2.0, " please"))
    redacted, spans = redact_words(words)
    assert [w.text for w in redacted] == [" call", " [PHONE],", " please"]
    assert spans[0].kind == PiiKind.PHONE
    assert (spans[0].start, spans[0].end) == (0.4, 1.6)


def test_redact_words_without_pii_is_identity() -> None:
    words = _timed("hello I have a question about my bill")
    assert redact_words(words) == (words, ())


def test_redact_words_several_spans_in_one_word() -> None:
    words = [Word(0.0, 1.0, " a@b.io,c@d.io"), Word(1.0, 2.0, " ok")]
    redacted, spans = redact_words(words)
    assert [w.text for w in redacted] == [" [EMAIL],[EMAIL]", " ok"]
    assert [s.kind for s in spans] == ["EMAIL", "EMAIL"]


def test_caller_hash_is_keyed_and_ignores_formatting() -> None:
    key = b"k" * 32
    digest = hash_caller_id(key, "+385 91 555-0101")
    assert digest == hash_caller_id(key, "+385915550101")
    assert digest != hash_caller_id(b"other-key", "+385915550101")
    assert len(digest) == 64 and "5550101" not in digest


def test_text_without_digits_or_number_words_has_no_pii_and_case_does_not_hide_it() -> None:
    assert find_pii("Someone said that the phone bill is often late, at home.") == ()
    assert [s.kind for s in find_pii("FOUR FIVE SIX ONE TWO THREE FOUR FIVE")] == ["PHONE"]
    assert [s.kind for s in find_pii("Ivan DOT Horvat AT Example DOT com")] == ["EMAIL"]
