"""Run every benchmark in turn (`make bench`); each writes its figures to bench/results/."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.scenarios",
    "bench.tcpd_bench",
    "bench.nab_bench",
    "bench.pipeline_bench",
    "bench.ingest_bench",
    "bench.corpus_trials",
    "bench.transcribe_bench",
    "bench.search_bench",
    "bench.api_bench",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", name], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
