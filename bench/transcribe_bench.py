"""Transcription benchmark: callpulse's pipeline against bare faster-whisper on the same files.

Real human speech with reference text comes from LibriVox clips (Debian pocketsphinx-testdata); the
"calls" put an espeak-ng agent and the LibriVox reader on two channels with gaps, at 16 kHz stereo,
16 kHz mono and 8 kHz telephone-band mono. Both sides use the same model, beam, VAD settings, thresholds
and process x thread split. Run: `python -m bench.transcribe_bench` (writes bench/results/transcribe.*).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import av
import numpy as np
from scipy import signal

from core.settings import get_settings
from transcribe.audio import SAMPLE_RATE, Samples, decode

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RESULTS = Path(__file__).parent / "results"
AGENT_LINES = (
    "Good morning, you are through to billing, how can I help you today?",
    "I see, let me look at your account for a moment.",
    "Thank you. I can see the charge on your latest bill.",
    "I understand. I will remove that fee and send you a confirmation.",
    "Is there anything else I can help you with today?",
)


@dataclass(frozen=True)
class EvalFile:
    name: str
    path: str
    reference: str  # everything said, in time order
    seconds: float


def librivox_clips() -> list[tuple[Path, str]]:
    """(wav, reference) pairs of the LibriVox reader."""
    refs: dict[str, str] = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        words = line.split()
        refs[words[-1].strip("()")] = " ".join(w for w in words[:-1] if w not in ("<s>", "</s>"))
    return [(LIBRIVOX / f"{name}.wav", refs[name]) for name in sorted(refs)]


def espeak(text: str, voice: str = "en-us+f3", speed: int = 160) -> Samples:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "tts.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True)
        return decode(wav, 600).channels[0]


def write_audio(path: Path, channels: Sequence[Samples], rate: int = SAMPLE_RATE, telephone: bool = False) -> None:
    """Write 16 kHz float channels as 16-bit audio at `rate` (telephone: 300-3400 Hz band, 8 kHz)."""
    data = [signal.resample_poly(c, rate, SAMPLE_RATE) if rate != SAMPLE_RATE else c for c in channels]
    if telephone:
        b, a = signal.butter(4, [300, 3400], btype="band", fs=rate)
        data = [signal.lfilter(b, a, d) for d in data]
    layout = "stereo" if len(data) == 2 else "mono"
    samples = np.stack(data, axis=1).reshape(1, -1) if len(data) == 2 else data[0].reshape(1, -1)
    codec = "libopus" if path.suffix == ".opus" else "pcm_s16le"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        frame = av.AudioFrame.from_ndarray(np.clip(samples, -1, 1).astype(np.float32), format="flt", layout=layout)
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def dialogue(turns: int = 5) -> tuple[Samples, Samples, str, str, str]:
    """Agent (espeak) on the left, LibriVox customer on the right, alternating with gaps.

    Returns left, right, agent reference, customer reference, full reference in time order.
    """
    gap = np.zeros(int(0.8 * SAMPLE_RATE), dtype=np.float32)
    left: list[Samples] = []
    right: list[Samples] = []
    agent, customer, both = [], [], []
    for line, (clip, ref) in list(zip(AGENT_LINES, librivox_clips(), strict=True))[:turns]:
        said = espeak(line) * 0.7
        heard = decode(clip, 600).channels[0]
        left += [said, np.zeros_like(heard), gap]
        right += [np.zeros_like(said), heard, gap]
        agent.append(line)
        customer.append(ref)
        both += [line, ref]
    return np.concatenate(left), np.concatenate(right), " ".join(agent), " ".join(customer), " ".join(both)


def build_eval_set(folder: Path) -> list[EvalFile]:
    """LibriVox alone, and the call at 16 kHz stereo, 16 kHz mono and 8 kHz telephone mono."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = librivox_clips()
    gap = np.zeros(SAMPLE_RATE, dtype=np.float32)
    reader = np.concatenate([part for clip, _ in clips for part in (decode(clip, 600).channels[0], gap)])
    write_audio(folder / "librivox.wav", [reader])
    left, right, _, _, both = dialogue()
    write_audio(folder / "call16_stereo.wav", [left, right])
    write_audio(folder / "call16_mono.wav", [left + right])
    write_audio(folder / "call8_mono.wav", [left + right], rate=8000, telephone=True)
    reader_ref = " ".join(ref for _, ref in clips)
    seconds = len(left) / SAMPLE_RATE
    return [
        EvalFile("librivox", str(folder / "librivox.wav"), reader_ref, len(reader) / SAMPLE_RATE),
        EvalFile("call16_stereo", str(folder / "call16_stereo.wav"), both, seconds),
        EvalFile("call16_mono", str(folder / "call16_mono.wav"), both, seconds),
        EvalFile("call8_mono", str(folder / "call8_mono.wav"), both, seconds),
    ]


_SPOKEN = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def normalize(text: str) -> str:
    text = re.sub(r"[^\w\s']", " ", text.lower().replace("-", " "))
    return " ".join(_SPOKEN.get(w, w) for w in text.split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(normalize(reference), normalize(hypothesis)))


# --- the benchmark run -------------------------------------------------------------------------------

_state: dict[str, object] = {}


def _init_ours(threads: int, vad_default: bool) -> None:
    from transcribe.engine import DecodeOptions, EngineOptions, get_model
    from transcribe.pipeline import TranscribeOptions

    decode_opts = DecodeOptions()
    if vad_default:  # faster-whisper's own VadOptions defaults
        decode_opts = DecodeOptions(vad_threshold=0.5, vad_speech_pad_ms=400, vad_min_speech_ms=0)
    engine = replace(EngineOptions.from_settings(get_settings()), cpu_threads=threads)
    options = TranscribeOptions(engine=engine, decode=decode_opts)
    get_model(options.engine)
    _state["options"] = options


def _run_ours(path: str) -> tuple[str, float]:
    from transcribe.pipeline import TranscribeOptions, transcribe_call

    options = _state["options"]
    assert isinstance(options, TranscribeOptions)
    cpu = time.process_time()
    result = transcribe_call(Path(path).stem, path, options=options)
    return " ".join(s.text for s in result.segments), time.process_time() - cpu


def _init_bare(threads: int, batched: bool) -> None:
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    from transcribe.engine import EngineOptions, resolve_model

    path = resolve_model(EngineOptions.from_settings(get_settings()))
    model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads)
    _state["model"] = BatchedInferencePipeline(model) if batched else model


def _run_bare(path: str) -> tuple[str, float]:
    from transcribe.engine import DecodeOptions

    opts = DecodeOptions()
    model = _state["model"]
    cpu = time.process_time()
    segments, _ = model.transcribe(  # type: ignore[attr-defined]
        path, vad_filter=True, vad_parameters=opts.vad(), **opts.transcribe_kwargs()
    )
    return " ".join(s.text for s in segments), time.process_time() - cpu


def _warm(_: int) -> None:
    time.sleep(0.5)


@dataclass(frozen=True)
class RunResult:
    name: str
    processes: int
    threads: int
    audio_s: float
    wall_s: float
    cpu_s: float  # CPU seconds the worker processes spent: robust to other load on a shared machine
    wer: dict[str, float]

    @property
    def speed(self) -> float:
        return self.audio_s / self.wall_s

    @property
    def cpu_speed(self) -> float:
        return self.audio_s / self.cpu_s


def run_config(
    name: str,
    files: Sequence[EvalFile],
    repeats: int,
    processes: int,
    threads: int,
    init: Callable[..., None],
    init_args: tuple[object, ...],
    fn: Callable[[str], tuple[str, float]],
) -> RunResult:
    items = [f for _ in range(repeats) for f in files]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn"), initializer=init, initargs=init_args) as pool:
        list(pool.map(_warm, range(processes * 2)))  # every process started and its model loaded
        began = time.monotonic()
        outputs = list(pool.map(fn, [f.path for f in items]))
        wall = time.monotonic() - began
    wer = {f.name: round(word_error_rate(f.reference, t), 4) for f, (t, _) in zip(files, outputs, strict=False)}
    cpu = sum(c for _, c in outputs)
    result = RunResult(name, processes, threads, sum(f.seconds for f in items), wall, cpu, wer)
    print(
        f"{name:<24} {processes}x{threads} {result.speed:5.1f}x real time, "
        f"{result.cpu_speed:5.2f} audio s/CPU s, WER {wer}",
        flush=True,
    )
    return result


def _markdown(results: Sequence[RunResult], summary: dict[str, object]) -> str:
    lines = [
        "# Transcription benchmark",
        "",
        f"Machine: {os.cpu_count()} cores (shared; timings are noisy). Model: bundled Whisper base, int8, beam 5,",
        "VAD on, word timestamps, condition_on_previous_text off. callpulse and bare faster-whisper alternate",
        "batch by batch with both pools loaded; the other rows are single runs.",
        "",
        "| configuration | processes x threads | audio s | wall s | x real time | audio s per CPU s | WER per file |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        wer = ", ".join(f"{k} {v:.3f}" for k, v in r.wer.items())
        lines.append(
            f"| {r.name} | {r.processes}x{r.threads} | {r.audio_s:.0f} | {r.wall_s:.1f} | {r.speed:.1f} "
            f"| {r.cpu_speed:.2f} | {wer} |"
        )
    lines += ["", "```json", json.dumps(summary, indent=2), "```", ""]
    return "\n".join(lines)


def head_to_head(files: Sequence[EvalFile], rounds: int) -> tuple[RunResult, RunResult]:
    """Both pools stay loaded; short batches alternate between them so background load hits both alike."""
    paths = [f.path for f in files]
    walls, cpus = [0.0, 0.0], [0.0, 0.0]
    texts: list[list[str]] = [[], []]
    ctx = get_context("spawn")
    with (
        ProcessPoolExecutor(2, mp_context=ctx, initializer=_init_ours, initargs=(1, False)) as ours,
        ProcessPoolExecutor(2, mp_context=ctx, initializer=_init_bare, initargs=(1, False)) as bare,
    ):
        sides = [(ours, _run_ours), (bare, _run_bare)]
        for pool, _ in sides:
            list(pool.map(_warm, range(4)))
        for r in range(rounds):
            for i in (0, 1) if r % 2 == 0 else (1, 0):
                pool, fn = sides[i]
                began = time.monotonic()
                outputs = list(pool.map(fn, paths))
                walls[i] += time.monotonic() - began
                cpus[i] += sum(c for _, c in outputs)
                texts[i] = [t for t, _ in outputs]
    audio = sum(f.seconds for f in files) * rounds
    results = []
    for i, name in enumerate(("callpulse", "bare faster-whisper")):
        wer = {f.name: round(word_error_rate(f.reference, t), 4) for f, t in zip(files, texts[i], strict=True)}
        results.append(RunResult(name, 2, 1, audio, walls[i], cpus[i], wer))
        print(
            f"{name:<24} 2x1 {results[-1].speed:5.1f}x real time, {results[-1].cpu_speed:5.2f} audio s/CPU s, WER {wer}"
        )
    return results[0], results[1]


def main(rounds: int = 6, batched: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        files = build_eval_set(Path(tmp))
        mono = [f for f in files if f.name != "call16_stereo"]
        stereo = [f for f in files if f.name == "call16_stereo"]
        ours, bare = head_to_head(mono, rounds)
        runs = [ours, bare, run_config("callpulse 1 process", mono, 2, 1, 2, _init_ours, (2, False), _run_ours)]
        if batched:  # BatchedInferencePipeline segfaulted here (faster-whisper 1.2.1); opt-in only
            runs.append(run_config("bare batched", mono, 2, 2, 1, _init_bare, (1, True), _run_bare))
        runs.append(run_config("callpulse default VAD", mono, 1, 2, 1, _init_ours, (1, True), _run_ours))
        runs.append(run_config("callpulse stereo", stereo, 2, 2, 1, _init_ours, (1, False), _run_ours))
        best = {r.name: r for r in runs}
    ours, bare = best["callpulse"], best["bare faster-whisper"]
    summary: dict[str, object] = {
        "throughput_ratio": round(ours.speed / bare.speed, 3),
        "cpu_throughput_ratio": round(ours.cpu_speed / bare.cpu_speed, 3),
        "realtime_factor": round(ours.speed, 2),
        "wer_callpulse": ours.wer,
        "wer_bare": bare.wer,
        "wer_regression": any(ours.wer[k] > bare.wer[k] + 1e-9 for k in ours.wer),
        "runs": [{**asdict(r), "speed": round(r.speed, 2), "cpu_speed": round(r.cpu_speed, 3)} for r in best.values()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "transcribe.json").write_text(json.dumps(summary, indent=2) + "\n")
    (RESULTS / "transcribe.md").write_text(_markdown(list(best.values()), {k: summary[k] for k in list(summary)[:6]}))
    print(json.dumps({k: summary[k] for k in list(summary)[:6]}, indent=2))
    return summary


if __name__ == "__main__":
    import sys

    main(batched="--batched" in sys.argv)
