"""Redaction of a channel's decoded segments before anything is stored.

The whole channel is redacted as one word sequence, so a card number that Whisper split across two
segments is still recognised as one card; each placeholder goes back to the segment it starts in.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models import Speaker
from core.records import Redaction, SegmentData, Word
from core.redact import redact_text, redact_words
from transcribe.engine import RawSegment


def _owners(flat: Sequence[Word], owner: Sequence[int], redacted: Sequence[Word]) -> list[int]:
    """For every redacted word, the index of the segment its first original word came from."""
    result: list[int] = []
    p = 0
    for word in redacted:
        p = min(p, len(flat) - 1)
        result.append(owner[p])
        if flat[p] is word:
            p += 1
            continue
        # A placeholder spans several original words: skip all that start before it ends.
        p += 1
        while p < len(flat) and flat[p].start < word.end:
            p += 1
    return result


def _without_words(segment: RawSegment, speaker: Speaker) -> SegmentData:
    text, spans = redact_text(segment.text.strip())
    redactions = tuple(Redaction(str(s.kind), segment.start, segment.end) for s in spans)
    return SegmentData(segment.start, segment.end, speaker, text, (), redactions)


def redact_channel(segments: Sequence[RawSegment], speaker: Speaker) -> list[SegmentData]:
    if not any(s.words for s in segments):
        return [_without_words(s, speaker) for s in segments]
    flat: list[Word] = []
    owner: list[int] = []
    for idx, segment in enumerate(segments):
        flat.extend(segment.words)
        owner.extend([idx] * len(segment.words))
    redacted, redactions = redact_words(flat)
    per_segment: list[list[Word]] = [[] for _ in segments]
    for word, idx in zip(redacted, _owners(flat, owner, redacted), strict=True):
        per_segment[idx].append(word)
    out: list[SegmentData] = []
    for idx, segment in enumerate(segments):
        words = per_segment[idx]
        if not segment.words:
            out.append(_without_words(segment, speaker))
            continue
        if not words:
            continue  # every word moved into a placeholder that started in the previous segment
        start, end = min(segment.start, words[0].start), max(segment.end, words[-1].end)
        mine = tuple(r for r in redactions if any(w.start == r.start and w.end == r.end for w in words))
        text = "".join(w.text for w in words).strip()
        out.append(SegmentData(start, end, speaker, text, tuple(words), mine))
    return out
