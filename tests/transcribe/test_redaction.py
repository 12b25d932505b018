from __future__ import annotations

from core.models import Speaker
from core.records import Word
from transcribe.engine import RawSegment
from transcribe.redaction import redact_channel


def _words(text: str, start: float) -> tuple[Word, ...]:
    return tuple(Word(start + i * 0.4, start + i * 0.4 + 0.3, f" {w}") for i, w in enumerate(text.split()))


def test_card_split_across_segments_is_one_card_with_its_time_span() -> None:
    first = _words("my card is 4556 7375", 10.0)
    second = _words("8689 9855 thanks", 13.0)
    segments = [
        RawSegment(10.0, first[-1].end, "".join(w.text for w in first), first),
        RawSegment(13.0, second[-1].end, "".join(w.text for w in second), second),
    ]
    out = redact_channel(segments, Speaker.CUSTOMER)
    assert [s.text for s in out] == ["my card is [CARD]", "thanks"]
    (redaction,) = out[0].redactions
    assert redaction.kind == "CARD"
    assert redaction.start == first[3].start and redaction.end == second[1].end
    assert out[0].end >= second[1].end
    assert "4556" not in " ".join(w.text for s in out for w in s.words)


def test_written_card_without_word_times_is_redacted() -> None:
    seg = RawSegment(1.0, 4.0, " card 4111 1111 1111 1111 please", ())
    (out,) = redact_channel([seg], Speaker.UNKNOWN)
    assert out.text == "card [CARD] please"
    assert out.redactions[0].start == 1.0 and out.redactions[0].end == 4.0
