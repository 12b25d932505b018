"""PII redaction of call text: card numbers, CVV/expiry, phones, e-mails and IBANs become typed placeholders.

Callers say numbers as digits or as number words ("four five six one", "četiri pet", "négy öt",
"четыре пять"), so runs of digit-like tokens are rebuilt and judged by how many digits they carry.
Shared by the transcriber (word level, with time spans) and by ingest (plain imported text).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from core.records import Redaction, Word

_CALLER_NOISE = re.compile(r"[\s\-().]")


def hash_caller_id(key: bytes, caller_id: str) -> str:
    """Keyed HMAC-SHA256 of a caller id (the clear id is never stored); "+385 91 …" and "+38591…" hash alike."""
    normalised = _CALLER_NOISE.sub("", caller_id).lower()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class PiiKind(StrEnum):
    CARD = "CARD"
    CVV = "CVV"
    EXPIRY = "EXPIRY"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    IBAN = "IBAN"


@dataclass(frozen=True)
class TextSpan:
    """A redacted character range [start, end) of the original text."""

    kind: PiiKind
    start: int
    end: int


class RedactedText(NamedTuple):
    # A NamedTuple rather than a dataclass so `text, spans = redact_text(...)` also works.
    text: str
    spans: tuple[TextSpan, ...]


_UNITS: dict[str, str] = {}
for _digit, _forms in enumerate(
    [
        "zero oh nought nula nulla ноль нуль 零 〇",
        "one jedan jedna jedno jednu egy один одна одно 一 幺",
        "two dva dvije dvoje kettő ketto két два две 二 两",
        "three tri három harom три 三",
        "four četiri cetiri négy negy четыре 四",
        "five pet öt пять 五",
        "six šest sest hat шесть 六",
        "seven sedam hét het семь 七",
        "eight osam nyolc восемь 八",
        "nine devet kilenc девять 九",
    ]
):
    _UNITS.update(dict.fromkeys(_forms.split(), str(_digit)))

_TEENS: dict[str, str] = {}
for _value, _forms in enumerate(
    [
        "ten deset десять",
        "eleven jedanaest одиннадцать",
        "twelve dvanaest двенадцать",
        "thirteen trinaest тринадцать",
        "fourteen četrnaest cetrnaest четырнадцать",
        "fifteen petnaest пятнадцать",
        "sixteen šesnaest sesnaest шестнадцать",
        "seventeen sedamnaest семнадцать",
        "eighteen osamnaest восемнадцать",
        "nineteen devetnaest девятнадцать",
    ],
    start=10,
):
    _TEENS.update(dict.fromkeys(_forms.split(), str(_value)))

_TENS: dict[str, str] = {}
for _value, _forms in enumerate(
    [
        "twenty dvadeset двадцать",
        "thirty trideset тридцать",
        "forty četrdeset cetrdeset сорок",
        "fifty pedeset пятьдесят",
        "sixty šezdeset sezdeset шестьдесят",
        "seventy sedamdeset семьдесят",
        "eighty osamdeset восемьдесят",
        "ninety devedeset девяносто",
    ],
    start=2,
):
    _TENS.update(dict.fromkeys(_forms.split(), str(_value)))

_REPEAT = {"double": 2, "triple": 3}
_PLUS_WORDS = {"+", "plus", "плюс"}
_EXPIRY_HINTS = ("expir", "valid", "until", "istek", "vrijedi", "datum", "lejár", "lejar", "érvényes", "срок", "действ")

_CJK_DIGITS = "".join(w for w in _UNITS if len(w) == 1 and not w.isascii())
_NUMBER_WORDS = frozenset([*_UNITS, *_TEENS, *_TENS, *_REPEAT, *_PLUS_WORDS])
_WORD = re.compile(r"\+|\d+|[^\W\d_]+")
_CJK_DIGIT = re.compile(f"[{_CJK_DIGITS}]")
_RUN_GAP = re.compile(r"[\s\-.,/()]{0,4}")
_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}:\d{2}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_AT = r"(?:at|@|et|majmun|kukac|собака)"
_DOT = r"(?:dot|točka|tocka|pont|точка)"
SPOKEN_EMAIL = re.compile(
    rf"\b[\w+-]+(?:\s+(?:{_DOT}|underscore|dash)\s+[\w+-]+)*\s+{_AT}\s+[\w-]+(?:\s+{_DOT}\s+[\w-]+)+\b",
    re.IGNORECASE | re.UNICODE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# Every pattern needs a digit, an '@', a number word or a spoken "dot": text without any holds no PII.
# U+1C82/84/85 are old Cyrillic letters that the case-insensitive "точка" also matches.
_PII_CHAR = re.compile(rf"[\d@{_CJK_DIGITS}\u1c82\u1c84\u1c85]")
_PII_WORDS = frozenset([*_UNITS, *_TEENS, *_TENS, "dot", "točka", "tocka", "pont", "точка"])

_AFTER_CARD_WINDOW = 60  # characters after a card within which a short number is its CVV or expiry


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Run:
    start: int
    end: int
    digits: str
    international: bool
    has_slash: bool


def _digit_value(text: str, tokens: Sequence[_Token], i: int) -> tuple[str, int] | None:
    """Digits spelled by tokens[i] (and a following unit for 'twenty three' / 'double five'); None if not a number."""
    word = tokens[i].text.lower()
    if word.isdecimal():
        # Full-width and other script digits count like ASCII ones.
        return "".join(str(unicodedata.decimal(c)) for c in word), 1
    joined = i + 1 < len(tokens) and _gap_ok(text, tokens[i], tokens[i + 1])
    nxt = tokens[i + 1].text.lower() if joined else ""
    if word in _UNITS:
        return _UNITS[word], 1
    if word in _TEENS:
        return _TEENS[word], 1
    if word in _TENS:
        if nxt in _UNITS and _UNITS[nxt] != "0":
            return _TENS[word] + _UNITS[nxt], 2
        return _TENS[word] + "0", 1
    if word in _REPEAT and (nxt in _UNITS or nxt.isdigit()):
        digit = _UNITS.get(nxt, nxt)
        return digit * _REPEAT[word], 2
    return None


def _runs(text: str, tokens: Sequence[_Token]) -> list[_Run]:
    """Maximal runs of number tokens joined only by separators (spaces, dashes, dots, commas, slashes)."""
    runs: list[_Run] = []
    i = 0
    while i < len(tokens):
        value = _digit_value(text, tokens, i)
        if value is None:
            i += 1
            continue
        international = i > 0 and tokens[i - 1].text.lower() in _PLUS_WORDS and _gap_ok(text, tokens[i - 1], tokens[i])
        start = tokens[i - 1].start if international else tokens[i].start
        digits, end, has_slash = "", tokens[i].end, False
        while value is not None:
            digits += value[0]
            end = tokens[i + value[1] - 1].end
            i += value[1]
            if i >= len(tokens) or not _gap_ok(text, tokens[i - 1], tokens[i]):
                break
            has_slash = has_slash or "/" in text[tokens[i - 1].end : tokens[i].start]
            value = _digit_value(text, tokens, i)
        runs.append(_Run(start, end, digits, international or digits.startswith("00"), has_slash))
    return runs


def _gap_ok(text: str, left: _Token, right: _Token) -> bool:
    return _RUN_GAP.fullmatch(text[left.end : right.start]) is not None


def _classify(text: str, run: _Run, last_card_end: int | None) -> PiiKind | None:
    n = len(run.digits)
    if run.international and n >= 7:
        return PiiKind.PHONE
    if n >= 13:
        return PiiKind.CARD
    near_card = last_card_end is not None and 0 <= run.start - last_card_end <= _AFTER_CARD_WINDOW
    if near_card and 3 <= n <= 6:
        before = text[max(last_card_end or 0, run.start - 30) : run.start].lower()
        if run.has_slash or any(hint in before for hint in _EXPIRY_HINTS):
            return PiiKind.EXPIRY
        return PiiKind.CVV
    if n >= 7:
        return PiiKind.PHONE
    return None


def _overlaps(spans: Sequence[TextSpan], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def find_pii(text: str) -> tuple[TextSpan, ...]:
    """Character spans of PII in `text`, in order, non-overlapping."""
    if _PII_CHAR.search(text) is None and _PII_WORDS.isdisjoint(_LETTER_RUN.findall(text.lower())):
        return ()
    spans: list[TextSpan] = []
    for pattern, kind in ((_EMAIL, PiiKind.EMAIL), (SPOKEN_EMAIL, PiiKind.EMAIL), (_IBAN, PiiKind.IBAN)):
        for m in pattern.finditer(text):
            if not _overlaps(spans, m.start(), m.end()):
                spans.append(TextSpan(kind, m.start(), m.end()))
    blocked = [TextSpan(PiiKind.CARD, m.start(), m.end()) for m in _DATE.finditer(text)]
    tokens = [
        _Token(m.group(), m.start(), m.end())
        for pattern in (_WORD, _CJK_DIGIT)
        for m in pattern.finditer(text)
        if m.group().isdecimal() or m.group().lower() in _NUMBER_WORDS
    ]
    if spans or blocked:
        tokens = [t for t in tokens if not _overlaps(spans, t.start, t.end) and not _overlaps(blocked, t.start, t.end)]
    # Only number-like tokens are kept: any other word between two of them breaks the run by itself.
    tokens.sort(key=lambda t: t.start)
    last_card_end: int | None = None
    for run in _runs(text, tokens):
        found = _classify(text, run, last_card_end)
        if found is None:
            continue
        spans.append(TextSpan(found, run.start, run.end))
        if found in (PiiKind.CARD, PiiKind.CVV, PiiKind.EXPIRY):
            # CVV and expiry often follow each other after the card: keep the window open across them.
            last_card_end = run.end
    return tuple(sorted(spans, key=lambda s: s.start))


def redact_text(text: str) -> RedactedText:
    """Replace every PII span with its placeholder, e.g. "card 4111 1111 1111 1111" -> "card [CARD]"."""
    spans = find_pii(text)
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(f"[{span.kind}]")
        pos = span.end
    out.append(text[pos:])
    return RedactedText("".join(out), spans)


def _word_clusters(offsets: Sequence[int], words: Sequence[Word], spans: Sequence[TextSpan]) -> list[list[int]]:
    """[first, last, span indices...] per group of words touched by PII; touching groups merge."""
    clusters: list[list[int]] = []
    for k, span in enumerate(spans):
        touched = [i for i, w in enumerate(words) if offsets[i] < span.end and span.start < offsets[i] + len(w.text)]
        if not touched:
            continue
        if clusters and touched[0] <= clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], touched[-1])
            clusters[-1].append(k)
        else:
            clusters.append([touched[0], touched[-1], k])
    return clusters


def redact_words(words: Sequence[Word]) -> tuple[list[Word], tuple[Redaction, ...]]:
    """Redact timed words: the words a PII span touches merge into one placeholder word with their time span.

    Word texts are joined as given (faster-whisper words carry their own leading space).
    """
    offsets: list[int] = []
    pos = 0
    for word in words:
        offsets.append(pos)
        pos += len(word.text)
    joined = "".join(w.text for w in words)
    spans = find_pii(joined)
    if not spans:
        return list(words), ()
    result: list[Word] = []
    redactions: list[Redaction] = []
    i = 0
    for first, last, *members in _word_clusters(offsets, words, spans):
        result.extend(words[i:first])
        begin, stop = offsets[first], offsets[last] + len(words[last].text)
        pieces, cursor = [], begin
        for k in members:
            pieces += [joined[cursor : spans[k].start], f"[{spans[k].kind}]"]
            cursor = spans[k].end
            redactions.append(Redaction(str(spans[k].kind), words[first].start, words[last].end))
        pieces.append(joined[cursor:stop])
        result.append(Word(words[first].start, words[last].end, "".join(pieces)))
        i = last + 1
    result.extend(words[i:])
    return result, tuple(redactions)


# Identifiers (call ids, agent ids, queues) are not speech: a date-stamped id like "call-20261026-000213" is not a
# card read aloud. Only what is unmistakably personal in an identifier is refused: an e-mail address, an
# international phone number, or a card number (13-19 digits, whole or in groups of four, passing Luhn).
_ID_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]{2,}")
_ID_PHONE = re.compile(r"(?:\+|\b00)\d(?:[\s().-]?\d){7,14}(?!\d)")
_ID_CARD = re.compile(r"(?<!\d)(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?)(?!\d)")


PERSONAL_ID_MESSAGE = "holds {kind} data, which is never stored in clear text: use an id without personal data"


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def identifier_pii(value: str) -> PiiKind | None:
    """The kind of personal data an identifier carries, if any (it would be stored and shown in clear)."""
    if _ID_EMAIL.search(value):
        return PiiKind.EMAIL
    if any(luhn(re.sub(r"\D", "", m.group())) for m in _ID_CARD.finditer(value)):
        return PiiKind.CARD
    if _ID_PHONE.search(value):
        return PiiKind.PHONE
    return None


def redact_values(value: object) -> object:
    """A JSON value with PII redacted in every string inside it (free-text notes such as QA comments)."""
    if isinstance(value, str):
        return redact_text(value).text
    if isinstance(value, list):
        return [redact_values(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_values(v) for k, v in value.items()}
    return value
