"""A drop folder's round: what `process --ingest DIR` spends on a folder whose recordings are all registered,
against reading and hashing every recording once (what a round cost before content ids were remembered).

    python -m bench.ingest_bench [--files 400] [--mb 1.0]

Results: bench/results/ingest.json + .md. The page cache is warm for both (the same files are read just before):
on a cold disk or a network share the hashing baseline only grows.
"""

from __future__ import annotations

import argparse
import json
import math
import struct
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.db import Database
from core.recordings import file_sha256
from ingest.job import ingest_paths

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"
RATE = 8000


def write_recordings(folder: Path, files: int, mb: float) -> None:
    frames = int(mb * (1 << 20) / 2)
    for i in range(files):
        tone = b"".join(struct.pack("<h", int(4000 * math.sin(i + k / 7))) for k in range(RATE))
        body = (tone * (frames // RATE + 1))[: frames * 2]
        with wave.open(str(folder / f"call-{i:05d}.wav"), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(body)


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(files: int, mb: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        drop = root / "drop"
        drop.mkdir()
        write_recordings(drop, files, mb)
        db = Database(f"sqlite:///{root}/cp.db")
        first = timed(lambda: ingest_paths(db, [drop]))
        hashing = timed(lambda: [file_sha256(p) for p in sorted(drop.glob("*.wav"))])
        again = timed(lambda: ingest_paths(db, [drop]))
    return {"files": files, "mb_each": mb, "first_round_s": first, "hash_all_s": hashing, "next_round_s": again}


def write(result: dict[str, float]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    ratio = result["next_round_s"] / result["hash_all_s"]
    (RESULTS / "ingest.md").write_text(
        "# Drop-folder round over registered recordings\n\n"
        f"{result['files']} recordings of {result['mb_each']} MB, all registered. Hashing them all (the baseline: "
        f"what each round cost before): {result['hash_all_s']:.2f} s; a round now: {result['next_round_s']:.2f} s "
        f"({ratio:.2f}x). First round (registering all): {result['first_round_s']:.2f} s.\n"
    )
    print((RESULTS / "ingest.md").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--mb", type=float, default=1.0)
    args = parser.parse_args()
    write(run(args.files, args.mb))


if __name__ == "__main__":
    main()
