"""Validation of call metadata and transcripts as found in files (pure: values in, records or errors out)."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from difflib import get_close_matches
from typing import Any, cast

from core.errors import InvalidInput
from core.models import Speaker
from core.records import (
    CALL_ID_PATTERN,
    MAX_SECONDS,
    MAX_SEGMENT_CHARS,
    MAX_SEGMENTS,
    TEXT_FIELD_CHARS,
    CallMeta,
    Redaction,
    SegmentData,
    TranscriptRecord,
    implausible_start,
    language_code,
)
from core.redact import PERSONAL_ID_MESSAGE, PiiKind, identifier_pii, redact_values

_CALLER_HASH = re.compile(r"[0-9a-f]{64}")
_OPTIONAL_TEXT = ("language", "queue", "agent_id", "caller_id", "direction")
_CALL_ID = re.compile(CALL_ID_PATTERN)
_IDENTIFIERS = frozenset({"queue", "agent_id", "direction"})
# The keys of design.md's formats: call metadata (sidecar, manifest row), and a transcript, which is the metadata
# plus segments and what an export adds to it.
META_KEYS = frozenset({"call_id", "started_at", "duration_s", *_OPTIONAL_TEXT})
TRANSCRIPT_KEYS = META_KEYS | {"segments", "caller_hash", "qa", "topics", "status", "source_file"}
SEGMENT_KEYS = frozenset({"start", "end", "speaker", "text", "redactions"})


@dataclass(frozen=True)
class BadRecord:
    """A record that was skipped, with where it came from and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ImportedTranscript:
    """A transcript as read from an import file, with what an earlier export added to it.

    `caller_hash` is the keyed hash an export carries (clear caller ids are never stored, so they cannot be
    exported); `qa` is kept as given; `topics` and `status` are informative only, tagging recomputes them.
    """

    record: TranscriptRecord
    source_file: str | None = None
    caller_hash: str | None = None
    qa: dict[str, Any] | None = None
    topics: tuple[str, ...] = field(default_factory=tuple)
    line: int = 0  # where the record starts in its file (0: not read from a file)


def reject_unknown_keys(obj: Mapping[str, Any], allowed: Collection[str], where: str = "") -> None:
    """InvalidInput naming the first key that is not part of the format: a misspelt key would otherwise be
    dropped and its value lost without a word."""
    for key in obj:
        if key not in allowed:
            near = get_close_matches(str(key), sorted(allowed), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(sorted(allowed))})"
            raise InvalidInput(f"{where}unknown key {key!r}{hint}")


def _seconds(value: int | float, what: str) -> float:
    """A time or duration in seconds that a database column can hold: finite and at most MAX_SECONDS."""
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        number = math.inf
    if math.isnan(number) or (math.isinf(number) and isinstance(value, float)):
        raise InvalidInput(f"{what} must be a finite number, not {value!r}")
    if number > MAX_SECONDS:
        raise InvalidInput(f"{what} must be at most {MAX_SECONDS:g} seconds")
    return number


def _unicode(value: str, what: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} has a character that is not Unicode text (a lone surrogate)") from None
    return value


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string, not {type(value).__name__}")
    limit = TEXT_FIELD_CHARS.get(key)
    if limit is not None and len(value.strip()) > limit:
        raise InvalidInput(f"{key} must be at most {limit} characters")
    if key in _IDENTIFIERS:
        _no_personal_data(value, key)
    return _unicode(value, key).strip() or None


def _no_personal_data(value: str, key: str) -> None:
    kind = identifier_pii(value)
    if kind is not None:
        raise InvalidInput(f"{key} " + PERSONAL_ID_MESSAGE.format(kind=kind.lower()))


def _number(obj: Mapping[str, Any], key: str) -> float | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{key} must be a number, not bool")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidInput(f"{key} must be a number, not {value!r}") from None
    if not isinstance(value, int | float) or _seconds(value, key) < 0:
        raise InvalidInput(f"{key} must be a non-negative number, not {value!r}")
    return float(value)


def parse_started_at(value: Any) -> datetime:
    """ISO 8601 with a UTC offset; a naive time is refused because its hour bucket would be a guess."""
    if not isinstance(value, str):
        raise InvalidInput(f"started_at must be an ISO 8601 string, not {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"started_at is not ISO 8601: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(f"started_at has no UTC offset: {value!r}")
    return plausible_time(parsed, repr(value))


def plausible_time(moment: datetime, shown: str) -> datetime:
    problem = implausible_start(moment)
    if problem is not None:
        raise InvalidInput(f"started_at {problem}, not {shown}")
    return moment


def parse_call_id(value: Any) -> str:
    if value is None or value == "":
        raise InvalidInput("missing call_id")
    if not isinstance(value, str):
        raise InvalidInput(f"call_id must be a string, not {type(value).__name__}")
    call_id: str = _unicode(value, "call_id").strip()
    _no_personal_data(call_id, "call_id")
    limit = TEXT_FIELD_CHARS["call_id"]
    if not call_id or len(call_id) > limit:
        raise InvalidInput(f"call_id must be 1..{limit} characters")
    if not _CALL_ID.match(call_id):
        raise InvalidInput("call_id must not contain control characters, '/' or '\\' (it names the call in URLs)")
    return call_id


def parse_meta(
    obj: Mapping[str, Any], *, default_call_id: str | None = None, default_started_at: datetime | None = None
) -> CallMeta:
    """Call metadata from a transcript, sidecar or manifest row; defaults fill in what audio files may lack."""
    raw_id = obj.get("call_id")
    call_id = parse_call_id(raw_id) if raw_id not in (None, "") or default_call_id is None else default_call_id
    raw_start = obj.get("started_at")
    if raw_start in (None, "") and default_started_at is not None:
        started_at = plausible_time(default_started_at, f"{default_started_at.isoformat()} (the file's time)")
    elif raw_start in (None, ""):
        raise InvalidInput("missing started_at")
    else:
        started_at = parse_started_at(raw_start)
    texts = {key: _text(obj, key) for key in _OPTIONAL_TEXT}
    language = None
    if texts["language"] is not None:
        language = language_code(texts["language"])
        if language is None:
            raise InvalidInput(f"language must be a two-letter ISO 639-1 code such as 'en', not {texts['language']!r}")
    return CallMeta(
        call_id=call_id,
        started_at=started_at,
        duration_s=_number(obj, "duration_s"),
        language=language,
        queue=texts["queue"],
        agent_id=texts["agent_id"],
        caller_id=texts["caller_id"],
        direction=texts["direction"],
    )


_SPEAKERS = frozenset(s.value for s in Speaker)


def parse_segment(obj: Any, index: int) -> SegmentData:
    where = f"segments[{index}]"
    if not isinstance(obj, Mapping):
        raise InvalidInput(f"{where} must be an object")
    reject_unknown_keys(obj, SEGMENT_KEYS, f"{where}: ")
    start, end = obj.get("start"), obj.get("end")
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"{where}.{name} must be a number of seconds")
        _seconds(value, f"{where}.{name}")
    assert isinstance(start, int | float) and isinstance(end, int | float)
    if start < 0 or end < start:
        raise InvalidInput(f"{where} has bad times: start={start}, end={end}")
    speaker = obj.get("speaker", Speaker.UNKNOWN.value)
    if speaker not in _SPEAKERS:
        raise InvalidInput(f"{where}.speaker must be agent, customer or unknown, not {speaker!r}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise InvalidInput(f"{where}.text must be a string")
    if len(text) > MAX_SEGMENT_CHARS:
        raise InvalidInput(f"{where}.text must be at most {MAX_SEGMENT_CHARS} characters: split long turns")
    _unicode(text, f"{where}.text")
    redactions = _redactions(obj.get("redactions"), where)
    return SegmentData(float(start), float(end), Speaker(speaker), text, redactions=redactions)


def _redactions(value: Any, where: str) -> tuple[Redaction, ...]:
    """Redaction spans an export carries, so the audio positions of removed PII survive a round trip."""
    if value is None:
        return ()
    kinds = {k.value for k in PiiKind}
    if not isinstance(value, list):
        raise InvalidInput(f"{where}.redactions must be a list")
    spans: list[Redaction] = []
    for item in value:
        ok = isinstance(item, Mapping) and item.get("type") in kinds
        times = [item.get("start"), item.get("end")] if ok else []
        if not ok or not all(
            isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) for t in times
        ):
            raise InvalidInput(f"{where}.redactions items need a type ({', '.join(sorted(kinds))}), start and end")
        spans.append(Redaction(str(item["type"]), float(times[0]), float(times[1])))
    return tuple(spans)


def _caller_hash(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("caller_hash")
    if value is None:
        return None
    if not isinstance(value, str) or not _CALLER_HASH.fullmatch(value):
        raise InvalidInput("caller_hash must be 64 lowercase hex characters")
    return value


def _qa(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    value = obj.get("qa")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidInput("qa must be an object")
    return cast(dict[str, Any], redact_values(value))  # reviewers' notes may quote a card or an e-mail


def _topics(obj: Mapping[str, Any]) -> tuple[str, ...]:
    value = obj.get("topics")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidInput("topics must be a list of strings")
    return tuple(value)


def parse_transcript(obj: Any) -> ImportedTranscript:
    """One call in the transcript import format; raises InvalidInput with the reason."""
    if not isinstance(obj, dict):
        raise InvalidInput(f"expected a JSON object, not {type(obj).__name__}")
    reject_unknown_keys(obj, TRANSCRIPT_KEYS)
    meta = parse_meta(obj)
    raw_segments = obj.get("segments")
    if not isinstance(raw_segments, list):
        raise InvalidInput("segments must be a list")
    if len(raw_segments) > MAX_SEGMENTS:
        raise InvalidInput(f"segments must be at most {MAX_SEGMENTS}")
    # In time order: some exports list one channel's turns, then the other's (a stable sort keeps equal starts).
    segments = tuple(sorted((parse_segment(seg, i) for i, seg in enumerate(raw_segments)), key=lambda s: s.start))
    if meta.duration_s is None and segments:
        meta = replace(meta, duration_s=max(s.end for s in segments))
    if obj.get("status") is not None and not isinstance(obj.get("status"), str):
        raise InvalidInput("status must be a string")
    source_file = _text(obj, "source_file")
    return ImportedTranscript(
        record=TranscriptRecord(meta=meta, segments=segments),
        source_file=source_file,
        caller_hash=_caller_hash(obj),
        qa=_qa(obj),
        topics=_topics(obj),
    )
