"""Values passed between stages (frozen dataclasses; no dicts cross a stage boundary)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.models import Speaker

_ISO_639_1 = re.compile(r"[a-z]{2}")


def language_code(value: str) -> str | None:
    """The ISO 639-1 code `value` spells (case and surrounding blanks ignored), or None when it is not one.

    Languages are grouped and filtered by this code, so 'english' or 'eng' would make a trend line of their own.
    """
    code = value.strip().lower()
    return code if _ISO_639_1.fullmatch(code) else None


@dataclass(frozen=True)
class Redaction:
    """A span of PII replaced by a typed placeholder such as [CARD]."""

    kind: str  # CARD, CVV, EXPIRY, PHONE, EMAIL, IBAN
    start: float
    end: float


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SegmentData:
    start: float
    end: float
    speaker: Speaker
    text: str
    words: tuple[Word, ...] = ()
    redactions: tuple[Redaction, ...] = ()


@dataclass(frozen=True)
class CallMeta:
    """Call metadata as read from a sidecar, manifest row or transcript (caller_id still in clear)."""

    call_id: str
    started_at: datetime
    duration_s: float | None = None
    language: str | None = None
    queue: str | None = None
    agent_id: str | None = None
    caller_id: str | None = None
    direction: str | None = None


@dataclass(frozen=True)
class TranscriptRecord:
    meta: CallMeta
    segments: tuple[SegmentData, ...] = field(default_factory=tuple)


# What a call may hold, the same through every way in (files, HTTP): the database's column sizes, a bound on times
# that no real call exceeds, and a segment length spaCy can take in one piece.
MAX_SECONDS = 1e6
MAX_SEGMENT_CHARS = 20_000
MAX_SEGMENTS = 5_000
TEXT_FIELD_CHARS = {"call_id": 200, "language": 8, "queue": 100, "agent_id": 100, "caller_id": 200, "direction": 20}
# Refused in a call id: control characters and path separators (the id is a URL path segment and a file name).
CALL_ID_PATTERN = r"^[^\x00-\x1f/\\]+$"
# Calls are dated between this and a little after now (clock skew); anything else is a broken clock or a typo.
EARLIEST_CALL = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=2)


def implausible_start(moment: datetime) -> str | None:
    """Why no call can have started at this moment (a broken clock, a typo, a file time of 1980), or None."""
    latest = datetime.now(UTC) + CLOCK_SKEW
    try:
        plausible = EARLIEST_CALL <= moment <= latest
    except OverflowError:  # year 1 or 9999 moved by its offset leaves the calendar
        plausible = False
    return None if plausible else f"must be between {EARLIEST_CALL:%Y-%m-%d} and {latest:%Y-%m-%d}"


# Both ways in (a folder of recordings, an HTTP upload) name an unlabelled recording the same way,
# so the same bytes sent twice are one call.
CALL_ID_HEX_CHARS = 16


def content_call_id(sha256_hex: str) -> str:
    """The call id of a recording that came without one, from the SHA-256 of its bytes."""
    return sha256_hex[:CALL_ID_HEX_CHARS]


@dataclass(frozen=True)
class AudioRecord:
    meta: CallMeta
    audio_path: str
    source_file: str | None = None  # where it came from, when that differs from audio_path
