"""Synthesise the demo recordings in samples/audio/: short stereo calls (agent left, customer right).

They continue the corpus's "paper bill fee" spike on 2026-11-02 in queue billing (one customer reads a
card number, which transcription must redact), plus one call about a failing eSIM activation. Voices
are espeak-ng ("E. SIM." is how espeak-ng is made to say eSIM); the output is Ogg Opus with a
`<file>.opus.json` metadata sidecar.
Run: `python samples/make_audio.py` (deterministic text; re-running rewrites the same calls).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

RATE = 16_000
OUT = Path(__file__).parent / "audio"
AGENT_VOICE = "en-us+f3"
CUSTOMER_VOICE = "en-us"
GAP_S = 0.6


@dataclass(frozen=True)
class DemoCall:
    call_id: str
    started_at: str
    queue: str
    agent_id: str
    caller_id: str
    turns: tuple[str, ...]  # agent first, then alternating


CALLS = (
    DemoCall(
        "demo-2026-11-02-001",
        "2026-11-02T09:14:00+00:00",
        "billing",
        "agent-04",
        "+385911234501",
        (
            "Thank you for calling, this is billing, my name is Anna. How can I help?",
            "Hi. My new bill has a paper bill fee on it. I never asked for a paper bill.",
            "I am sorry about that. The paper bill fee was added to all accounts this month.",
            "So I pay extra for paper? Please remove the fee and send my bill by email.",
            "Done. I removed the paper bill fee and switched you to email bills.",
            "Great, thank you. Goodbye.",
        ),
    ),
    DemoCall(
        "demo-2026-11-02-002",
        "2026-11-02T10:02:00+00:00",
        "billing",
        "agent-11",
        "+385911234502",
        (
            "Good morning, billing department, how can I help you today?",
            "There is an unexpected charge on my bill. Something called a paper bill fee.",
            "I see it. That is the new fee for printed bills.",
            "Nobody told me about an extra fee. I want it refunded.",
            "I understand. I will refund the fee to your account.",
            "Thank you very much.",
        ),
    ),
    DemoCall(
        "demo-2026-11-02-003",
        "2026-11-02T11:37:00+00:00",
        "billing",
        "agent-07",
        "+385911234503",
        (
            "Billing, this is Mark speaking. What can I do for you?",
            "I want to pay my bill and cancel this paper bill fee.",
            "Of course. Please read me the card number you want to use.",
            "The card number is four five five six, seven three seven five, "
            "eight six eight nine, nine eight five five.",
            "Thank you, the payment went through and the paper bill fee is removed.",
            "Perfect, thanks. Bye.",
        ),
    ),
    DemoCall(
        "demo-2026-11-02-004",
        "2026-11-02T14:21:00+00:00",
        "billing",
        "agent-19",
        "+385911234504",
        (
            "Hello, you are through to billing. How can I help?",
            "Why is my bill higher this month? I see an extra fee for paper.",
            "That is the paper bill fee. You can avoid it with electronic bills.",
            "Then switch me to electronic bills and take off the fee please.",
            "All done. Is there anything else?",
            "No, that is all. Thanks.",
        ),
    ),
    DemoCall(
        "demo-2026-11-02-005",
        "2026-11-02T15:48:00+00:00",
        "tech",
        "agent-23",
        "+385911234505",
        (
            "Technical support, how can I help you?",
            "The new E. SIM. activation keeps failing. The activation code does not work on my new phone.",
            "I am sorry. Let me send you a new activation code.",
            "I tried twice already and the E. SIM. activation still fails.",
            "I will pass the activation problem to our network team today.",
            "Okay, thank you.",
        ),
    ),
)


def _speak(text: str, voice: str, speed: int = 155) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "turn.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
        with av.open(str(wav)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            frames = [f for frame in container.decode(audio=0) for f in resampler.resample(frame)]
            frames += resampler.resample(None)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32) * 0.8


def _render(call: DemoCall) -> tuple[np.ndarray, np.ndarray]:
    gap = np.zeros(int(GAP_S * RATE), dtype=np.float32)
    left: list[np.ndarray] = [gap]
    right: list[np.ndarray] = [gap]
    for i, text in enumerate(call.turns):
        speech = _speak(text, AGENT_VOICE if i % 2 == 0 else CUSTOMER_VOICE)
        silence = np.zeros_like(speech)
        left += [speech if i % 2 == 0 else silence, gap]
        right += [silence if i % 2 == 0 else speech, gap]
    return np.concatenate(left), np.concatenate(right)


def _write_opus(path: Path, left: np.ndarray, right: np.ndarray) -> None:
    samples = np.stack([left, right], axis=1).reshape(1, -1)
    with av.open(str(path), "w", format="ogg") as out:
        # Mapping family 255 codes the channels independently; joint stereo at low bitrates leaks
        # each party into the other channel and breaks speaker attribution.
        stream = out.add_stream("libopus", rate=RATE, layout="stereo", options={"mapping_family": "255"})
        stream.bit_rate = 24_000
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="flt", layout="stereo")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for call in CALLS:
        left, right = _render(call)
        audio = OUT / f"{call.call_id}.opus"
        _write_opus(audio, left, right)
        meta = {
            "call_id": call.call_id,
            "started_at": call.started_at,
            "duration_s": round(len(left) / RATE, 2),
            "language": "en",
            "queue": call.queue,
            "agent_id": call.agent_id,
            "caller_id": call.caller_id,
            "direction": "inbound",
        }
        audio.with_name(audio.name + ".json").write_text(json.dumps(meta, indent=2) + "\n")
        print(f"{audio.name}: {meta['duration_s']} s, {audio.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
