"""Real audio for the transcription tests: LibriVox speech, espeak-ng calls, silence, tones, broken files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bench.transcribe_bench import EvalFile, build_eval_set, espeak, write_audio
from core.settings import get_settings
from transcribe.audio import SAMPLE_RATE
from transcribe.pipeline import TranscribeOptions

needs_speech_data = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or not Path("/usr/share/pocketsphinx/test/data/librivox").is_dir(),
    reason="needs Debian packages espeak-ng and pocketsphinx-testdata (make sysdeps)",
)


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # One reassembled model for the whole session; worker processes inherit the variable.
    key = "CALLPULSE_WHISPER__MODEL_CACHE_DIR"
    previous = os.environ.get(key)
    if previous is None:
        os.environ[key] = str(tmp_path_factory.mktemp("models"))
    yield
    if previous is None:
        os.environ.pop(key, None)


@pytest.fixture
def options() -> TranscribeOptions:
    return TranscribeOptions.from_settings(get_settings())


@pytest.fixture(scope="session")
def eval_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EvalFile]:
    return {f.name: f for f in build_eval_set(tmp_path_factory.mktemp("speech"))}


@pytest.fixture(scope="session")
def card_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stereo call whose customer reads a card number aloud."""
    agent = espeak("Please read me the card number.", "en-us+f3")
    customer = espeak(
        "My card number is four five five six, seven three seven five, eight six eight nine, nine eight five five.",
        "en-gb",
        speed=140,
    )
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    left = np.concatenate([gap, agent, gap, np.zeros_like(customer), gap])
    right = np.concatenate([gap, np.zeros_like(agent), gap, customer, gap])
    path = tmp_path_factory.mktemp("card") / "card.wav"
    write_audio(path, [left, right])
    return path


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory, card_call: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {
        "corrupt": folder / "corrupt.wav",
        "empty": folder / "empty.wav",
        "text": folder / "notes.wav",
        "truncated": folder / "truncated.opus",
        "truncated_wav": folder / "truncated.wav",
    }
    files["corrupt"].write_bytes(bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8)))
    files["empty"].write_bytes(b"")
    files["text"].write_text("call notes: customer asked about the paper bill fee\n")
    opus = folder / "whole.opus"
    write_audio(opus, [espeak("This recording will be cut short in the middle of the stream.")])
    files["truncated"].write_bytes(opus.read_bytes()[: opus.stat().st_size * 2 // 3])
    wav = folder / "whole.wav"
    write_audio(wav, [espeak("This recording will be cut short in the middle of the stream.")])
    files["truncated_wav"].write_bytes(wav.read_bytes()[: wav.stat().st_size // 3])
    return files


def tone_or_silence(path: Path, seconds: float, tone_hz: float | None) -> Path:
    t = np.arange(int(seconds * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE
    samples = 0.3 * np.sin(2 * np.pi * tone_hz * t) if tone_hz else np.zeros_like(t)
    write_audio(path, [samples.astype(np.float32)])
    return path
