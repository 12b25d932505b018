"""Hallucination guards applied after decoding: repetition loops and repeated segments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from transcribe.engine import RawSegment

MAX_NGRAM = 8
# Digits legitimately repeat ("four four four four" in a card number), so single words get more room.
MAX_REPEATS_UNIGRAM = 6
MAX_REPEATS_NGRAM = 3
MIN_WORDS_REPEATED_SEGMENT = 3
PAUSE_SPLIT_S = 1.2
_NON_WORD = re.compile(r"[^\w']+", re.UNICODE)


def _norm(token: str) -> str:
    return _NON_WORD.sub("", token.lower())


def _repeats(tokens: Sequence[str], i: int, n: int) -> int:
    """How many times tokens[i:i+n] occurs back to back starting at i."""
    gram = tokens[i : i + n]
    count = 1
    j = i + n
    while tokens[j : j + n] == gram:
        count += 1
        j += n
    return count


def loop_free_indices(tokens: Sequence[str]) -> list[int]:
    """Indices of tokens to keep: an n-gram looping past its limit is kept once."""
    keep: list[int] = []
    i = 0
    while i < len(tokens):
        step = 0
        for n in range(1, min(MAX_NGRAM, (len(tokens) - i) // 2) + 1):
            count = _repeats(tokens, i, n)
            if count > (MAX_REPEATS_UNIGRAM if n == 1 else MAX_REPEATS_NGRAM):
                keep.extend(range(i, i + n))
                step = n * count
                break
        if step == 0:
            keep.append(i)
            step = 1
        i += step
    return keep


def cut_loops(segment: RawSegment) -> RawSegment:
    if segment.words:
        keep = loop_free_indices([_norm(w.text) for w in segment.words])
        if len(keep) == len(segment.words):
            return segment
        words = tuple(segment.words[i] for i in keep)
        return replace(segment, words=words, text="".join(w.text for w in words))
    tokens = segment.text.split()
    keep = loop_free_indices([_norm(t) for t in tokens])
    if len(keep) == len(tokens):
        return segment
    return replace(segment, text=" ".join(tokens[i] for i in keep))


def clean_segments(segments: Sequence[RawSegment]) -> list[RawSegment]:
    """Cut loops inside segments, drop empty ones and segments that merely repeat the previous one."""
    out: list[RawSegment] = []
    previous = ""
    for segment in segments:
        segment = cut_loops(segment)
        key = " ".join(_norm(t) for t in segment.text.split() if _norm(t))
        if not key:
            continue
        if key == previous and len(key.split()) >= MIN_WORDS_REPEATED_SEGMENT:
            continue
        previous = key
        out.append(segment)
    return out


def split_at_pauses(segments: Sequence[RawSegment], max_pause_s: float = PAUSE_SPLIT_S) -> list[RawSegment]:
    """Split segments where their words are far apart in the recording.

    Decoding runs on the VAD chunks glued together, so one Whisper segment can straddle a long silence
    (on a stereo channel: the other party's whole turn). Splitting there keeps turns in time order.
    """
    out: list[RawSegment] = []
    for segment in segments:
        words = segment.words
        cuts = [i for i in range(1, len(words)) if words[i].start - words[i - 1].end > max_pause_s]
        if not cuts:
            out.append(segment)
            continue
        for lo, hi in zip([0, *cuts], [*cuts, len(words)], strict=True):
            part = words[lo:hi]
            out.append(RawSegment(part[0].start, part[-1].end, "".join(w.text for w in part), part))
    return out
