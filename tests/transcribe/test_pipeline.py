"""The transcription core on real audio with the real bundled model."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from bench.transcribe_bench import EvalFile, librivox_clips, word_error_rate
from core.models import Speaker
from transcribe.audio import SAMPLE_RATE, decode
from transcribe.engine import DecodeOptions, DecodeTimeout
from transcribe.pipeline import CallHints, TranscribeOptions, transcribe_call

from .conftest import needs_speech_data, tone_or_silence

pytestmark = [pytest.mark.slow, needs_speech_data]

# Measured on the bundled base model (int8, beam 5): LibriVox 0.014, 16 kHz call 0.023-0.039,
# 8 kHz telephone mono 0.086-0.11. Thresholds leave room for thread-count and library drift.
MAX_WER_LIBRIVOX = 0.08
MAX_WER_CALL_16K = 0.12
MAX_WER_CALL_8K = 0.22


def _text(segments: object) -> str:
    return " ".join(s.text for s in segments)  # type: ignore[attr-defined]


def test_librivox_speech_wer(eval_files: dict[str, EvalFile], options: TranscribeOptions) -> None:
    clip = eval_files["librivox"]
    result = transcribe_call("librivox", clip.path, options=options)
    assert word_error_rate(clip.reference, _text(result.segments)) < MAX_WER_LIBRIVOX
    assert result.language == "en" and result.language_probability > 0.5
    assert all(s.speaker == Speaker.UNKNOWN and s.words for s in result.segments)


def test_stereo_call_attributes_speakers(eval_files: dict[str, EvalFile], options: TranscribeOptions) -> None:
    call = eval_files["call16_stereo"]
    result = transcribe_call("stereo", call.path, options=options)
    speakers = [s.speaker for s in result.segments]
    assert speakers[:4] == [Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT, Speaker.CUSTOMER]
    assert len(speakers) == 10 and all(a != b for a, b in pairwise(speakers))
    customer = " ".join(s.text for s in result.segments if s.speaker == Speaker.CUSTOMER).lower()
    agent = " ".join(s.text for s in result.segments if s.speaker == Speaker.AGENT).lower()
    assert "dashwood" in customer and "amiable" in customer and "account" not in customer
    assert "account" in agent and "dashwood" not in agent
    assert word_error_rate(call.reference, _text(result.segments)) < MAX_WER_CALL_16K
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)


def test_telephone_band_mono_call(eval_files: dict[str, EvalFile], options: TranscribeOptions) -> None:
    call = eval_files["call8_mono"]
    assert decode(call.path, 600).source_rate == 8000
    result = transcribe_call("tel", call.path, options=options)
    assert {s.speaker for s in result.segments} == {Speaker.UNKNOWN}
    hypothesis = _text(result.segments)
    assert word_error_rate(call.reference, hypothesis) < MAX_WER_CALL_8K
    # Every customer turn survives VAD on band-limited audio.
    for word in ("dashwood", "disposed", "selfish", "respectable", "himself"):
        assert word in hypothesis.lower()


def test_silence_and_tones_give_no_text_quickly(tmp_path: Path, options: TranscribeOptions) -> None:
    silent = tone_or_silence(tmp_path / "silent.wav", 600, None)
    began = time.monotonic()
    result = transcribe_call("silent", silent, options=options)
    assert result.segments == () and result.duration_s == pytest.approx(600)
    assert time.monotonic() - began < 20
    tone = transcribe_call("tone", tone_or_silence(tmp_path / "tone.wav", 30, 1000.0), options=options)
    assert tone.segments == ()
    assert tone.language == options.default_language


def test_spoken_card_number_is_redacted_in_text_and_audio(
    card_call: Path, tmp_path: Path, options: TranscribeOptions
) -> None:
    options = replace(options, redacted_audio_dir=tmp_path / "redacted")
    result = transcribe_call("card-call", card_call, CallHints(language="en"), options)
    assert result.language == "en" and result.language_probability == 1.0
    customer = [s for s in result.segments if s.speaker == Speaker.CUSTOMER]
    text = " ".join(s.text for s in customer)
    assert "[CARD]" in text, text
    assert not re.search(r"\d{4}|five five six", text.lower())
    redactions = [r for s in customer for r in s.redactions]
    assert [r.kind for r in redactions] == ["CARD"]
    span = redactions[0]
    assert result.redacted_audio_path == str(tmp_path / "redacted" / "card-call.opus")
    muted = decode(result.redacted_audio_path, 600)
    original = decode(card_call, 600)
    lo, hi = int(span.start * SAMPLE_RATE), int(span.end * SAMPLE_RATE)
    assert abs(muted.channels[1][lo:hi]).max() < 0.02 < abs(original.channels[1][lo:hi]).max()


def test_decode_time_bound_fails_the_call(options: TranscribeOptions) -> None:
    clip, _ = librivox_clips()[1]
    tight = DecodeOptions(max_decode_seconds_per_audio_minute=0.01, min_decode_budget_s=0.0)
    with pytest.raises(DecodeTimeout, match="time bound"):
        transcribe_call("slow", clip, options=replace(options, decode=tight))
