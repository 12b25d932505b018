"""Sustained load on `callpulse serve` over the benchmark corpus: requests per second, errors, latency.

    python -m bench.api_bench [--calls N] [--seconds 20] [--concurrency 16]

Starts the real server on 127.0.0.1 (a free port) against the cached corpus of bench.search_bench, creates a
key with the CLI, then drives a mix of search, trend, alert and call-list requests from an asyncio httpx
client on the same machine (so the load generator competes with the server for the 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.search_bench import corpus_db, write_results

ROOT = Path(__file__).resolve().parents[1]
CALLPULSE = [str(Path(sys.executable).parent / "callpulse")]
MIX = [
    ("search phrase", "/api/v1/search?q=%22paper+bill+fee%22&since=2026-10-27T00:00:00Z&until=2026-10-28T00:00:00Z"),
    ("search word", "/api/v1/search?q=esim&speaker=customer&since=2026-10-30T00:00:00Z&until=2026-10-31T00:00:00Z"),
    ("trend hourly", "/api/v1/topics/billing.unexpected_charge/trend?bucket=hour"),
    ("trend daily", "/api/v1/topics/outage.no_service/trend?bucket=day&queue=tech"),
    ("alerts", "/api/v1/alerts"),
    ("calls", "/api/v1/calls?queue=billing&limit=20"),
    ("topics", "/api/v1/topics"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(db_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CALLPULSE_DATABASE_URL": f"sqlite:///{db_path}",
        "CALLPULSE_API__RATE_LIMIT_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT),
    }


def _make_key(env: dict[str, str]) -> str:
    out = subprocess.run(
        [*CALLPULSE, "keys", "create", "--role", "qa", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()[-1]


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("callpulse serve exited during start-up")
        try:
            if httpx.get(base + "/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("callpulse serve did not become ready")


async def _load(base: str, key: str, seconds: float, concurrency: int) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
    statuses: dict[int, int] = {}
    errors = 0
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {key}"}
    rng = random.Random(7)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < stop:
            name, url = rng.choice(MIX)
            t = time.perf_counter()
            try:
                response = await client.get(url, headers=headers)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies[name].append((time.perf_counter() - t) * 1000)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    total = sum(len(v) for v in latencies.values())
    per_route = {}
    for name, values in latencies.items():
        values.sort()
        if values:
            per_route[name] = {
                "n": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1),
            }
    return {
        "requests": total,
        "seconds": round(elapsed, 1),
        "req_per_s": round(total / elapsed, 1),
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "routes": per_route,
    }


def run(calls: int, seconds: float, concurrency: int) -> dict[str, Any]:
    db_path = corpus_db(calls)
    env = _env(db_path)
    key = _make_key(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [*CALLPULSE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(base, proc)
        asyncio.run(_load(base, key, 3, concurrency))  # warm-up
        result = asyncio.run(_load(base, key, seconds, concurrency))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"calls": calls, "concurrency": concurrency, **result}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    result = run(args.calls, args.seconds, args.concurrency)
    flat = {k: v for k, v in result.items() if k != "routes"}
    flat.update({f"latency {name}": v for name, v in result["routes"].items()})
    flat["load_average_1m"] = round(os.getloadavg()[0], 1)  # other work on the machine skews timings
    print(flat)
    write_results("api_load", flat)


if __name__ == "__main__":
    main()
