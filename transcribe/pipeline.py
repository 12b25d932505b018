"""The transcription core: one recording in, redacted speaker-attributed segments out (no database)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.models import Speaker
from core.records import SegmentData
from core.settings import Settings
from transcribe.audio import DecodedAudio, decode, encode_opus, mute_spans
from transcribe.engine import (
    DecodeOptions,
    EngineOptions,
    decode_deadline,
    detect_language,
    get_model,
    speech_chunks,
    speech_only,
    transcribe_speech,
)
from transcribe.guards import clean_segments, split_at_pauses
from transcribe.redaction import redact_channel

TURN_GAP_S = 1.5  # same-speaker segments closer than this form one turn


@dataclass(frozen=True)
class CallHints:
    """What the call's metadata already tells the transcriber."""

    language: str | None = None


@dataclass(frozen=True)
class TranscribeOptions:
    engine: EngineOptions = field(default_factory=EngineOptions)
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    agent_channel: int = 0
    allowed_languages: tuple[str, ...] = ("en", "hr", "hu", "ru", "zh")
    default_language: str = "en"
    min_language_probability: float = 0.5
    max_call_seconds: float = 3 * 3600
    redacted_audio_dir: Path | None = None  # set: write a copy with PII spans muted

    @classmethod
    def from_settings(cls, settings: Settings) -> TranscribeOptions:
        t = settings.transcribe
        return cls(
            engine=EngineOptions.from_settings(settings),
            decode=DecodeOptions(
                beam_size=settings.whisper.beam_size,
                max_decode_seconds_per_audio_minute=t.max_decode_seconds_per_audio_minute,
            ),
            agent_channel=t.agent_channel,
            allowed_languages=tuple(t.allowed_languages),
            default_language=t.default_language,
            min_language_probability=t.min_language_probability,
            max_call_seconds=t.max_call_seconds,
            redacted_audio_dir=t.redacted_audio_dir if t.redact_audio else None,
        )


@dataclass(frozen=True)
class TranscriptionResult:
    call_id: str
    segments: tuple[SegmentData, ...]
    language: str
    language_probability: float
    duration_s: float
    speech_s: float
    decode_s: float
    redacted_audio_path: str | None = None


def _speakers(audio: DecodedAudio, agent_channel: int) -> list[Speaker]:
    if not audio.is_stereo:
        return [Speaker.UNKNOWN]
    return [Speaker.AGENT if i == agent_channel else Speaker.CUSTOMER for i in range(2)]


def merge_turns(segments: Sequence[SegmentData], max_gap_s: float = TURN_GAP_S) -> list[SegmentData]:
    """Interleave channels by time and join consecutive same-speaker segments into turns.

    Mono segments keep their own boundaries: without a channel there is no turn to join.
    """
    turns: list[SegmentData] = []
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        last = turns[-1] if turns else None
        mergeable = last is not None and last.speaker == seg.speaker != Speaker.UNKNOWN
        if last is not None and mergeable and seg.start - last.end <= max_gap_s:
            turns[-1] = SegmentData(
                last.start,
                max(last.end, seg.end),
                last.speaker,
                f"{last.text} {seg.text}".strip(),
                last.words + seg.words,
                last.redactions + seg.redactions,
            )
        else:
            turns.append(seg)
    return turns


def _write_redacted(
    call_id: str, audio: DecodedAudio, segments: Sequence[SegmentData], options: TranscribeOptions
) -> str | None:
    if options.redacted_audio_dir is None:
        return None
    speakers = _speakers(audio, options.agent_channel)
    channels = tuple(
        mute_spans(ch, [(r.start, r.end) for s in segments if s.speaker == spk for r in s.redactions])
        for ch, spk in zip(audio.channels, speakers, strict=True)
    )
    path = options.redacted_audio_dir / f"{call_id}.opus"
    encode_opus(path, channels)
    return str(path)


def transcribe_call(
    call_id: str, audio_path: str | Path, hints: CallHints | None = None, options: TranscribeOptions | None = None
) -> TranscriptionResult:
    """Decode, detect language, transcribe each channel, guard, redact and merge into turns.

    Raises AudioError (or DecodeTimeout) for recordings that cannot be transcribed.
    """
    hints = hints or CallHints()
    options = options or TranscribeOptions()
    began = time.monotonic()
    audio = decode(audio_path, options.max_call_seconds)
    threads = options.engine.cpu_threads or os.cpu_count() or 1
    deadline = decode_deadline(audio.duration_s, options.decode, threads)
    model = get_model(options.engine)
    chunks = [speech_chunks(ch, options.decode) for ch in audio.channels]
    speech = [speech_only(ch, c) for ch, c in zip(audio.channels, chunks, strict=True)]
    if hints.language:
        language, probability = hints.language, 1.0
    else:
        language, probability = detect_language(
            model, speech, options.allowed_languages, options.default_language, options.min_language_probability
        )
    segments: list[SegmentData] = []
    for ch, ch_chunks, speaker in zip(audio.channels, chunks, _speakers(audio, options.agent_channel), strict=True):
        raw = transcribe_speech(model, ch, ch_chunks, language, options.decode, deadline)
        segments.extend(redact_channel(clean_segments(split_at_pauses(raw)), speaker))
    turns = merge_turns(segments)
    redacted_path = _write_redacted(call_id, audio, turns, options)
    return TranscriptionResult(
        call_id=call_id,
        segments=tuple(turns),
        language=language,
        language_probability=round(probability, 4),
        duration_s=audio.duration_s,
        speech_s=sum(s.size for s in speech) / 16_000,
        decode_s=time.monotonic() - began,
        redacted_audio_path=redacted_path,
    )
