from __future__ import annotations

import json
import math
import struct
import wave
from pathlib import Path
from typing import Any

import pytest


def call_obj(call_id: Any = "c1", **overrides: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "call_id": call_id,
        "started_at": "2026-10-26T09:15:00+02:00",
        "language": "en",
        "queue": "billing",
        "agent_id": "agent-07",
        "caller_id": "+385 91 555 0101",
        "direction": "inbound",
        "segments": [
            {"start": 0.5, "end": 3.0, "speaker": "agent", "text": "Good morning, how can I help?"},
            {"start": 3.2, "end": 8.0, "speaker": "customer", "text": "There is a paper bill fee on my bill."},
        ],
    }
    obj.update(overrides)
    return obj


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8")
    return path


def write_wav(path: Path, seconds: float = 0.2, freq: float = 440.0) -> Path:
    """A short real PCM recording (a tone); different `freq` gives different bytes."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


@pytest.fixture
def make_call() -> Any:
    return call_obj
