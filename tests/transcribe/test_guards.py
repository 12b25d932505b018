from __future__ import annotations

from core.records import Word
from transcribe.engine import RawSegment
from transcribe.guards import clean_segments, cut_loops, loop_free_indices, split_at_pauses


def _segment(text: str, start: float = 0.0) -> RawSegment:
    words = tuple(Word(start + i * 0.3, start + i * 0.3 + 0.25, f" {w}") for i, w in enumerate(text.split()))
    return RawSegment(start, start + len(words) * 0.3, " " + text, words)


def test_repeated_ngram_loop_is_kept_once() -> None:
    seg = cut_loops(_segment("thank you for calling " + "thank you " * 12 + "goodbye"))
    assert seg.text.split() == ["thank", "you", "for", "calling", "thank", "you", "goodbye"]
    assert len(seg.words) == 7


def test_legitimate_repeats_survive() -> None:
    digits = "my card is four four four four five five five five"
    assert cut_loops(_segment(digits)).text.strip() == digits
    assert loop_free_indices(["no", "no", "no"]) == [0, 1, 2]


def test_repeated_and_empty_segments_are_dropped() -> None:
    segments = [
        _segment("the paper bill fee is wrong", 0),
        _segment("the paper bill fee is wrong", 3),
        RawSegment(6, 7, " ...", ()),
        _segment("yes", 8),
        _segment("yes", 9),
    ]
    texts = [s.text.strip() for s in clean_segments(segments)]
    assert texts == ["the paper bill fee is wrong", "yes", "yes"]


def test_segment_straddling_a_long_silence_is_split() -> None:
    words = (Word(1.0, 1.4, " he"), Word(1.5, 1.9, " was."), Word(6.0, 6.3, " He"), Word(6.4, 6.9, " might"))
    parts = split_at_pauses([RawSegment(1.0, 6.9, " he was. He might", words)])
    assert [(p.start, p.end, p.text) for p in parts] == [(1.0, 1.9, " he was."), (6.0, 6.9, " He might")]
