from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from bench.transcribe_bench import write_audio
from core.errors import AudioError
from transcribe.audio import SAMPLE_RATE, decode, encode_opus, mute_spans

from .conftest import needs_speech_data


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("corrupt", "not a decodable audio file"),
        ("empty", "empty file"),
        ("text", "not a decodable audio file"),
        ("truncated", "truncated"),
        ("truncated_wav", "truncated WAV"),
    ],
)
@needs_speech_data
def test_bad_files_raise_audio_error_with_reason(bad_files: dict[str, Path], kind: str, reason: str) -> None:
    with pytest.raises(AudioError, match=reason):
        decode(bad_files[kind], max_seconds=3600)


def test_missing_zero_length_and_too_long(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="not found"):
        decode(tmp_path / "nope.wav", 60)
    zero = tmp_path / "zero.wav"
    with wave.open(str(zero), "wb") as wav:  # a valid header and no samples
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
    with pytest.raises(AudioError, match="zero duration"):
        decode(zero, 60)
    long = tmp_path / "long.wav"
    write_audio(long, [np.zeros(5 * SAMPLE_RATE, dtype=np.float32)])
    with pytest.raises(AudioError, match="longer than"):
        decode(long, max_seconds=2)


def test_any_rate_and_layout_becomes_16k_channels(tmp_path: Path) -> None:
    tone = np.sin(np.arange(2 * SAMPLE_RATE) / 10).astype(np.float32) * 0.2
    write_audio(tmp_path / "stereo8k.wav", [tone, np.zeros_like(tone)], rate=8000)
    decoded = decode(tmp_path / "stereo8k.wav", 60)
    assert decoded.is_stereo and decoded.source_rate == 8000
    assert decoded.duration_s == pytest.approx(2.0, abs=0.01)
    assert np.abs(decoded.channels[1]).max() < 1e-3 < np.abs(decoded.channels[0]).max()
    write_audio(tmp_path / "mono44.wav", [tone], rate=44100)
    mono = decode(tmp_path / "mono44.wav", 60)
    assert not mono.is_stereo and mono.channels[0].dtype == np.float32


def test_muted_copy_round_trips_as_opus(tmp_path: Path) -> None:
    tone = np.sin(np.arange(3 * SAMPLE_RATE) / 5).astype(np.float32) * 0.3
    muted = mute_spans(tone, [(1.0, 2.0)], pad_s=0)
    encode_opus(tmp_path / "out.opus", (muted, tone))
    back = decode(tmp_path / "out.opus", 60)
    assert back.is_stereo
    middle = back.channels[0][int(1.2 * SAMPLE_RATE) : int(1.8 * SAMPLE_RATE)]
    assert np.abs(middle).max() < 0.01
