from __future__ import annotations

import pytest

from core.records import Word
from core.redact import PiiKind, find_pii, hash_caller_id, redact_note, redact_path, redact_text, redact_words


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


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/rec/2026-10-26_0915_+385915550101.wav", "/rec/2026-10-26_0915_[PHONE].wav"),
        ("/rec/call_00385915550101.wav", "/rec/call_[PHONE].wav"),
        ("/rec/ivan.horvat@example.com/x.wav", "/rec/[EMAIL]/x.wav"),
        ("/rec/4111111111111111.wav", "/rec/[CARD].wav"),
        # as dialled: national, E.164 without its +, formatted (Asterisk and FreePBX name files this way)
        (
            "/rec/out-0915550101-20261026-091500-1698312345.123.wav",
            "/rec/out-[PHONE]-20261026-091500-1698312345.123.wav",
        ),
        ("/rec/385915550101.wav", "/rec/[PHONE].wav"),
        ("/rec/call-(212) 555-0199.wav", "/rec/call-[PHONE].wav"),
        ("/rec/call 091 555 0101.wav", "/rec/call [PHONE].wav"),
        ("/rec/2026-10-26 09-15-00.wav", "/rec/2026-10-26 09-15-00.wav"),
        ("/rec/1698312345123.wav", "/rec/1698312345123.wav"),  # Unix milliseconds
        ("/rec/212-555-0199.wav", "/rec/[PHONE].wav"),
        ("/rec/1-212-555-0199.wav", "/rec/[PHONE].wav"),
        ("/rec/tel0915550101.wav", "/rec/tel[PHONE].wav"),
        # the naming schemes of recorders: dates and times with separators, sequences, UUIDs stay
        ("/rec/2024-01-15_14-30-22_1001.wav", "/rec/2024-01-15_14-30-22_1001.wav"),
        ("/rec/15-01-2024_14-30-22.wav", "/rec/15-01-2024_14-30-22.wav"),
        ("/rec/2024.01.15-09.30.22.wav", "/rec/2024.01.15-09.30.22.wav"),
        ("/rec/2024-11-02_0930_0101.wav", "/rec/2024-11-02_0930_0101.wav"),
        ("/rec/150120241430_1001.wav", "/rec/150120241430_1001.wav"),
        ("/rec/recording_0000000123_1001.wav", "/rec/recording_0000000123_1001.wav"),
        ("/rec/9f1c2d3e-4b5a-4c6d-9abc-123456789012.wav", "/rec/9f1c2d3e-4b5a-4c6d-9abc-123456789012.wav"),
        ("/rec/20240115-143022-1705329022.45.wav", "/rec/20240115-143022-1705329022.45.wav"),
        # date and time stamps are not personal, nor is a 16-digit number that is not a card (Luhn)
        ("/rec/call-20261026-000213.wav", "/rec/call-20261026-000213.wav"),
        ("/rec/20261026091500.wav", "/rec/20261026091500.wav"),
        ("/rec/4561234567890123.wav", "/rec/4561234567890123.wav"),
    ],
)
def test_paths_keep_their_shape_without_personal_data(path: str, shown: str) -> None:
    assert redact_path(path) == shown


@pytest.mark.parametrize(
    ("note", "stored"),
    [
        ("call him back on 091 555 0123 or ivan@example.com", "call him back on [PHONE] or [EMAIL]"),
        ("customer 212-555-0199 was charged on 4111 1111 1111 1111", "customer [PHONE] was charged on [CARD]"),
        # what ops write that only looks like a number
        ("ticket INC0012345678 fixed in release 2026.11.02", "ticket INC0012345678 fixed in release 2026.11.02"),
        (
            "rolled back CHG0031234 on 192.168.100.200 at 14:30:22",
            "rolled back CHG0031234 on 192.168.100.200 at 14:30:22",
        ),
    ],
)
def test_notes_lose_personal_data_and_keep_ticket_numbers(note: str, stored: str) -> None:
    assert redact_note(note) == stored
