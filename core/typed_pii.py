"""Personal data in text people type rather than say: recording file names and notes on alerts.

Typed text is full of numbers that are not personal: dates and times in every layout, Unix timestamps, UUIDs,
recorder ids, IP addresses, ticket numbers. Those are masked first (a mask keeps every character's position);
what remains and reads as a number as dialled ("0915550101", "385915550101", "212-555-0199", "(212)555-0199",
"030 12345678"), a card (Luhn), a CVV or expiry after its label, an e-mail address or an IBAN is replaced.
Speech redaction (core.redact) knows spoken digits and reads any long run of digits as a card: right for what
a caller says, wrong for "INC0012345678" or "2026.11.02".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from core.redact import SPOKEN_EMAIL, PiiKind, luhn

FILL = "\ue000"  # a masked character: no digit, letter or separator, so no pattern runs through it

_TIME = r"(?:[T _.-]?(?:[01]\d|2[0-3])[-.:_ h]?[0-5]\d(?:[-.:_ ]?[0-5]\d(?:[.,]\d{1,6})?)?)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_END = r"(?!\d)"
_NOT_PERSONAL = tuple(
    re.compile(p)
    for p in (
        r"(?i)(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])",  # UUID
        r"(?i)(?<![0-9a-f])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{24,}(?![0-9a-f])",  # hex ids (Twilio SIDs)
        r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d])(?!\.\d)(?::\d{1,5})?",  # IP address
        rf"(?<!\d)(?:19|20)\d\d([-._ /]?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01]){_TIME}{_END}",  # Y-M-D
        rf"(?<!\d)(?:0[1-9]|[12]\d|3[01])([-._ /]?)(?:0[1-9]|1[0-2])\1(?:19|20)\d\d{_TIME}{_END}",  # D-M-Y
        rf"(?<!\d)(?:0?[1-9]|1[0-2])([-._ /])(?:0?[1-9]|[12]\d|3[01])\1(?:19|20)\d\d{_TIME}{_END}",  # M-D-Y
        rf"(?i)(?<![a-z]){_MONTH} ?\d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d\d{_TIME}{_END}",  # Oct 26 2026
        rf"(?i)(?<!\d)\d{{1,2}}\.? {_MONTH},? (?:19|20)\d\d{_TIME}{_END}",  # 26 Oct 2026
        r"(?<!\d)(?<!\d[-.:])(?:[01]\d|2[0-3])([-.:])[0-5]\d\1[0-5]\d(?!\d)(?![-.:]\d)",  # 14-30-22, not 01.23.45.67
    )
)
_EMAIL = re.compile(r"(?<![^\s@/\\<(\"',;:])[^\s@/\\<>(),;:\"']+@[^\s@/\\<>(),;:\"']+?\.[A-Za-z]{2,}")
_DIGIT_RUNS = re.compile(r"(?<!\d)\d+(?:[ .-]\d+)*(?!\d)")  # digit groups joined by one separator each
_CVV = re.compile(
    r"(?i)\b(?:cvv2?|cvc2?|csc|cid|security code|sec\.? code)(?:\W{1,3}(?:is|number|no|code|#))?\W{0,3}\d{3,4}\b"
)
_EXPIRY = re.compile(
    rf"(?i)\b(?:exp(?:iry|ires|iration)?|valid (?:thru|until))\.?(?: date)?\W{{0,3}}"
    rf"(?:(?:0[1-9]|1[0-2]) ?[/.-]? ?(?:20)?\d\d|{_MONTH} ?(?:20)?\d\d)\b"
)
_IBAN = re.compile(r"(?i)(?<![a-z0-9])[a-z]{2}\d{2}(?:[ -]?[a-z0-9]{4}){2,7}(?:[ -]?[a-z0-9]{1,3})?(?![a-z0-9])")
_SPOKEN_AT = re.compile(r"(?i)\b(?:at|et|majmun|kukac|собака)\b")
_INTERNATIONAL = re.compile(r"[1-9](?:[\s().\-/]{0,2}\d){7,14}(?!\d)")  # after + or 00: a country code
# a stretch of digit groups joined by one separator each: "(212)555-0199", "091/555-0101", "1-647-858-3427"
_GROUPS = re.compile(r"\(?\d+(?:(?:[ ./-]|\) ?| ?\()\d+)*\)?")
_EPOCH = (946_684_800, 1_999_999_999)  # Unix seconds, 2000 to 2033 (13 digits: milliseconds); later: US numbers

Span = tuple[int, int, PiiKind]


_UNIX_TIME = re.compile(r"(?<![\d.])\d{10}(?:\d{3})?(?:\.\d{1,6})?(?!\d)")  # Asterisk: 1698312345.123


def masked(text: str) -> str:
    """The text with what only looks like a number (dates, times, ids, addresses) overwritten by FILL."""
    for pattern in _NOT_PERSONAL:
        text = pattern.sub(lambda m: FILL * len(m[0]), text)
    return _UNIX_TIME.sub(lambda m: FILL * len(m[0]) if _is_epoch(m[0].split(".")[0]) else m[0], text)


def _is_epoch(digits: str) -> bool:
    seconds = int(digits) // 1000 if len(digits) == 13 else int(digits) if len(digits) == 10 else -1
    return digits[0] != "0" and _EPOCH[0] <= seconds <= _EPOCH[1]


def _card_shape(sizes: list[int]) -> bool:
    """Digit groups as cards are written: one run, fours (the last may be shorter), or Amex's 4-6-5."""
    return len(sizes) == 1 or set(sizes[:-1]) == {4} or sizes in ([4, 6, 5], [4, 6, 4])


def _cards(probe: str) -> Iterator[Span]:
    """Luhn-valid runs of 13 to 19 digits, tried at every group of a stretch (an extension before a card must not
    hide it), with a CVV that follows as one more group of three or four digits."""
    for stretch in _DIGIT_RUNS.finditer(probe):
        groups = [(g.start() + stretch.start(), g.end() + stretch.start()) for g in re.finditer(r"\d+", stretch[0])]
        i = 0
        while i < len(groups):
            found = None
            for j in range(i, min(len(groups), i + 5)):
                digits = "".join(probe[a:b] for a, b in groups[i : j + 1])
                sizes = [b - a for a, b in groups[i : j + 1]]
                epoch = j == i and _is_epoch(digits)
                if 13 <= len(digits) <= 19 and _card_shape(sizes) and luhn(digits) and not epoch:
                    found = j
            if found is None:
                i += 1
                continue
            if found + 1 < len(groups) and 3 <= groups[found + 1][1] - groups[found + 1][0] <= 4:
                found += 1  # its CVV
            yield groups[i][0], groups[found][1], PiiKind.CARD
            i = found + 1


def _ibans(text: str) -> Iterator[Span]:
    for m in _IBAN.finditer(text):
        code = re.sub(r"[ -]", "", m[0]).upper()
        if 15 <= len(code) <= 34 and int("".join(str(int(c, 36)) for c in code[4:] + code[:4])) % 97 == 1:
            yield m.start(), m.end(), PiiKind.IBAN


def _dialled(stretch: re.Match[str]) -> Iterator[Span]:
    """The leftmost longest runs of whole digit groups with 9 to 15 digits in a stretch: an extension or a card
    group beside a number must not hide it. At most 15 groups can make a number, so this stays linear."""
    groups = [(g.start() + stretch.start(), g.end() + stretch.start()) for g in re.finditer(r"\d+", stretch[0])]
    text, i = stretch.string, 0
    while i < len(groups):
        last, digits = None, 0
        for j in range(i, len(groups)):
            digits += groups[j][1] - groups[j][0]
            if digits > 15:
                break
            if digits >= 9 and _plausible(text[groups[i][0] : groups[j][1]], j - i + 1):
                last = j
        if last is None:
            i += 1
            continue
        opening = groups[i][0] - 1
        area_code = last > i and text[groups[i][1]] == ")" and opening >= 0 and text[opening] == "("
        yield (opening if area_code else groups[i][0]), groups[last][1], PiiKind.PHONE  # "(212) 555-0199" whole
        i = last + 1


def _plausible(number: str, groups: int) -> bool:
    digits = re.sub(r"\D", "", number)
    sizes = [len(g) for g in re.findall(r"\d+", number)]
    if digits.startswith("000") or (groups == 1 and _is_epoch(digits)):
        return False  # zero-padded sequence numbers, Unix timestamps
    if groups == 2:  # "030 12345678": a trunk prefix; "6643-72069" is two ids
        return digits.startswith("0") or number.startswith("(")
    # "1001-1002-1003", "600 601 602": ids in a row, not a number as dialled
    return not (groups >= 3 and len(set(sizes)) == 1 and sizes[0] <= 4 and not digits.startswith("0"))


def _phones(probe: str, hidden: str, glued: bool) -> Iterator[Span]:
    """``glued``: a number may touch letters ("tel0915550101.wav"); in notes it may not, or a ticket
    "INC0012345678" would be taken for one. A number after "+" is one whatever it looks like ("+49 30 20110218");
    "00" and dialled forms are read where dates and ids are masked."""
    before = r"(?<![\d+])" if glued else r"(?<![\w+])"
    after = r"(?!\d)" if glued else r"(?!\w)"
    for text, prefix in ((probe, r"\+"), (hidden, r"(?<!\d)00")):
        for m in re.finditer(before + prefix + _INTERNATIONAL.pattern, text):
            yield m.start(), m.end(), PiiKind.PHONE
    for stretch in re.finditer(before + _GROUPS.pattern + after, hidden):
        yield from _dialled(stretch)


def _replace(text: str, found: list[Span]) -> str:
    pieces, cursor = [], 0
    for start, end, kind in sorted(found):
        if start >= cursor:
            pieces += [text[cursor:start], f"[{kind}]"]
        cursor = max(cursor, end)
    return "".join([*pieces, text[cursor:]])


def _typed_pii(text: str, glued: bool) -> list[Span]:
    hidden = masked(text)
    found = [(m.start(), m.end(), PiiKind.EMAIL) for m in _EMAIL.finditer(text)]
    found += [*_cards(hidden), *_phones(text, hidden, glued), *_ibans(text)]
    found += [(m.start(), m.end(), PiiKind.CVV) for m in _CVV.finditer(hidden)]
    found += [(m.start(), m.end(), PiiKind.EXPIRY) for m in _EXPIRY.finditer(text)]
    return found


def redact_path(path: str) -> str:
    """A file path with the e-mail addresses, phone numbers, cards and IBANs in it replaced by placeholders:
    recorders often name a file after the caller ("2026-10-26_0915_+385915550101.wav"). "_" separates a
    name's fields, so no number is read across one. Where matches overlap, one placeholder covers them all."""
    return _replace(path, _typed_pii(path, glued=True))


def redact_note(text: str) -> str:
    """A note people typed (an alert comment) without phone numbers, e-mail addresses (also written "ivan at
    example dot com"), cards with their CVV and expiry, or IBANs; ticket numbers, versions and dates stay."""
    found = _typed_pii(text, glued=False)
    if _SPOKEN_AT.search(text):  # the spoken-address pattern is costly on long text: only where it can match
        found += [(m.start(), m.end(), PiiKind.EMAIL) for m in SPOKEN_EMAIL.finditer(text)]
    return _replace(text, found)
