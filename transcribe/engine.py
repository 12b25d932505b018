"""faster-whisper behind frozen options: model resolution, one model per process, guarded decoding."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.transcribe import restore_speech_timestamps
from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

from core.errors import AudioError, ModelError
from core.records import Word
from core.settings import Settings
from transcribe.audio import SAMPLE_RATE, Samples
from transcribe.model_files import bundled_model_dir

BUNDLED = "base"
# Below about -60 dBFS peak a channel is digital silence: skip the VAD model, which costs ~1 s per minute.
SILENCE_PEAK = 1e-3


class DecodeTimeout(AudioError):
    """Decoding ran past its time bound (typically a hallucination loop on odd audio)."""


@dataclass(frozen=True)
class EngineOptions:
    model: str = BUNDLED
    model_cache_dir: Path = Path.home() / ".cache" / "callpulse" / "models"
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineOptions:
        w = settings.whisper
        return cls(w.model, w.model_cache_dir, w.device, w.compute_type, w.cpu_threads)


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    # A lower threshold and wider padding than faster-whisper's defaults keep quiet, band-limited
    # telephone speech; silence and tones still yield no chunks (see bench/transcribe_bench.py).
    vad_threshold: float = 0.35
    vad_min_silence_ms: int = 2000
    vad_speech_pad_ms: int = 600
    vad_min_speech_ms: int = 120
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    max_decode_seconds_per_audio_minute: float = 60.0
    min_decode_budget_s: float = 20.0

    def vad(self) -> VadOptions:
        return VadOptions(
            threshold=self.vad_threshold,
            min_silence_duration_ms=self.vad_min_silence_ms,
            speech_pad_ms=self.vad_speech_pad_ms,
            min_speech_duration_ms=self.vad_min_speech_ms,
        )

    def transcribe_kwargs(self) -> dict[str, Any]:
        """The decoding settings shared by our pipeline and the bare faster-whisper baseline."""
        return {
            "beam_size": self.beam_size,
            "condition_on_previous_text": False,
            "no_speech_threshold": self.no_speech_threshold,
            "log_prob_threshold": self.log_prob_threshold,
            "compression_ratio_threshold": self.compression_ratio_threshold,
            "word_timestamps": True,
        }


@dataclass(frozen=True)
class RawSegment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]


_MODELS: dict[EngineOptions, WhisperModel] = {}


def resolve_model(options: EngineOptions) -> str:
    """'base' is the bundled model; an existing directory is used as is; anything else is a hub name."""
    if options.model == BUNDLED:
        return str(bundled_model_dir(options.model_cache_dir))
    path = Path(options.model).expanduser()
    return str(path) if path.is_dir() else options.model


def get_model(options: EngineOptions) -> WhisperModel:
    """The process-wide model for these options (loaded once per worker process)."""
    model = _MODELS.get(options)
    if model is None:
        source = resolve_model(options)
        try:
            model = WhisperModel(
                source,
                device=options.device,
                compute_type=options.compute_type,
                cpu_threads=options.cpu_threads,
                # Only a hub name may download (where a hub is reachable); paths never do.
                local_files_only=Path(source).is_dir(),
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(f"cannot load Whisper model {options.model!r}: {exc}") from exc
        _MODELS[options] = model
    return model


def speech_chunks(audio: Samples, options: DecodeOptions) -> list[dict[str, int]]:
    """Sample ranges with speech; empty for silence, tones and noise."""
    if audio.size == 0 or float(np.max(np.abs(audio))) < SILENCE_PEAK:
        return []
    chunks: list[dict[str, int]] = get_speech_timestamps(audio, options.vad())
    return chunks


def speech_only(audio: Samples, chunks: Sequence[dict[str, int]]) -> Samples:
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    pieces, _ = collect_chunks(audio, list(chunks))
    return np.concatenate(pieces).astype(np.float32, copy=False)


def detect_language(
    model: WhisperModel, speech: Sequence[Samples], allowed: Sequence[str], default: str, min_probability: float
) -> tuple[str, float]:
    """Most probable allowed language over the channels' speech; default when unsure or silent."""
    totals: dict[str, float] = {}
    voiced = [s for s in speech if s.size >= SAMPLE_RATE // 2]
    for audio in voiced:
        _, _, all_probs = model.detect_language(audio=audio)
        for lang, prob in all_probs:
            if lang in allowed:
                totals[lang] = totals.get(lang, 0.0) + prob / len(voiced)
    if not totals:
        return default, 0.0
    best = max(totals, key=lambda lang: totals[lang])
    if totals[best] < min_probability:
        return default, totals[best]
    return best, totals[best]


def decode_budget(audio_seconds: float, options: DecodeOptions) -> float:
    return max(options.min_decode_budget_s, options.max_decode_seconds_per_audio_minute * audio_seconds / 60)


def decode_deadline(audio_seconds: float, options: DecodeOptions, threads: int) -> float:
    """A bound on this process's CPU time, not wall time: a machine busy with other work must not fail
    healthy calls, while a decoder looping on odd audio still burns through it."""
    return time.process_time() + decode_budget(audio_seconds, options) * max(1, threads)


def transcribe_speech(
    model: WhisperModel,
    audio: Samples,
    chunks: Sequence[dict[str, int]],
    language: str,
    options: DecodeOptions,
    deadline: float,
) -> list[RawSegment]:
    """Decode only the VAD chunks (like vad_filter=True, without running VAD twice); times map back.

    `deadline` is in `time.process_time()` seconds (see decode_deadline).
    """
    if not chunks:
        return []
    segments, _ = model.transcribe(
        speech_only(audio, chunks), language=language, vad_filter=False, **options.transcribe_kwargs()
    )
    out: list[RawSegment] = []
    for seg in restore_speech_timestamps(segments, list(chunks), SAMPLE_RATE):
        if time.process_time() > deadline:
            raise DecodeTimeout("decoding exceeded its time bound (max_decode_seconds_per_audio_minute)")
        words = tuple(Word(float(w.start), float(w.end), str(w.word)) for w in (seg.words or ()))
        out.append(RawSegment(float(seg.start), float(seg.end), str(seg.text), words))
    return out
