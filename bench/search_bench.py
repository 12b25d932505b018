"""Search and trend latency on a large SQLite corpus (default 1,000,000 calls from samples/generate.py).

    python -m bench.search_bench [--calls N] [--runs 60]

The corpus is built once and cached under bench/.cache/ (bulk inserts, then one FTS5 rebuild); topics come
from the generator's intended labels, so volumes need no tagging run. Results: bench/results/api.json + .md
(shared with bench.api_bench, each writes its own section).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.corpus import truth_dir

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
DAYS = 56
TOTAL = "*"


def _ts(value: str) -> str:
    # The exact text SQLAlchemy stores for a UTC datetime on SQLite (string comparison must agree).
    t = datetime.fromisoformat(value).astimezone(UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(calls: int, out: Path) -> None:
    if any(out.glob("*.jsonl")) and (truth_dir(out) / "truth_topics.csv").is_file():
        return
    out.mkdir(parents=True, exist_ok=True)
    per_day = calls / DAYS
    cmd = [
        sys.executable,
        str(ROOT / "samples" / "generate.py"),
        "--out",
        str(out),
        "--days",
        str(DAYS),
        "--calls-per-day",
        f"{per_day:.1f}",
    ]
    subprocess.run(cmd, check=True)


def _calls(corpus: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def _hour(ts: str) -> str:
    return ts[:13] + ":00:00.000000"


def load(db_path: Path, corpus: Path) -> int:
    """Bulk-load the corpus into a migrated callpulse database; returns the number of calls."""
    from core.db import Database

    Database(f"sqlite:///{db_path}").engine.dispose()  # creates and migrates the schema
    topics: dict[str, list[str]] = {}
    with (truth_dir(corpus) / "truth_topics.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            topics[row["call_id"]] = [t for t in row["topics"].split(";") if t]
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    trigger = conn.execute("SELECT sql FROM sqlite_master WHERE name='segments_fts_ai'").fetchone()[0]
    conn.execute("DROP TRIGGER segments_fts_ai")  # one FTS rebuild at the end beats millions of trigger calls
    volumes: Counter[tuple[str, str, str, str]] = Counter()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    seg_id = n = 0
    call_rows: list[tuple[Any, ...]] = []
    seg_rows: list[tuple[Any, ...]] = []
    hit_rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO calls (id, started_at, duration_s, language, queue, agent_id, direction, status, attempts,"
            " source_file, tagged_version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,'tagged',0,'bench',1,?,?)",
            call_rows,
        )
        conn.executemany(
            'INSERT INTO segments (id, call_id, idx, start, "end", speaker, text) VALUES (?,?,?,?,?,?,?)', seg_rows
        )
        conn.executemany("INSERT INTO topic_hits (call_id, topic_id, matches) VALUES (?,?,1)", hit_rows)
        call_rows.clear()
        seg_rows.clear()
        hit_rows.clear()

    for call in _calls(corpus):
        started = _ts(call["started_at"])
        call_rows.append(
            (
                call["call_id"],
                started,
                call.get("duration_s"),
                call.get("language"),
                call.get("queue"),
                call.get("agent_id"),
                call.get("direction"),
                now,
                now,
            )
        )
        for idx, seg in enumerate(call["segments"]):
            seg_id += 1
            seg_rows.append((seg_id, call["call_id"], idx, seg["start"], seg["end"], seg["speaker"], seg["text"]))
        key = (_hour(started), call.get("queue") or "", call.get("language") or "")
        volumes[(TOTAL, *key)] += 1
        for topic in topics.get(call["call_id"], []):
            hit_rows.append((call["call_id"], topic))
            volumes[(topic, *key)] += 1
        n += 1
        if len(call_rows) >= 20000:
            flush()
    flush()
    conn.executemany(
        "INSERT INTO volume_buckets (topic_id, bucket_start, queue, language, count) VALUES (?,?,?,?,?)",
        [(*k, c) for k, c in volumes.items()],
    )
    conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')")
    conn.execute(trigger)
    conn.commit()
    conn.execute("ANALYZE")
    conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    return n


def corpus_db(calls: int) -> Path:
    """The cached benchmark database for `calls` calls, built on first use."""
    db_path = CACHE / f"callpulse-{calls}.db"
    if db_path.exists():
        return db_path
    corpus = CACHE / f"corpus-{calls}"
    started = time.perf_counter()
    generate(calls, corpus)
    print(f"generated corpus in {time.perf_counter() - started:.0f}s", flush=True)
    tmp = db_path.with_suffix(".tmp")
    for leftover in CACHE.glob(tmp.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    n = load(tmp, corpus)
    tmp.rename(db_path)
    print(f"loaded {n} calls in {time.perf_counter() - started:.0f}s", flush=True)
    return db_path


def timed(fn: Callable[[], object], runs: int) -> dict[str, float]:
    fn()  # warm the page cache and the statement cache
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "max_ms": round(samples[-1], 2),
        "runs": runs,
    }


def run(calls: int, runs: int) -> dict[str, Any]:
    from core.db import Database
    from core.models import VOLUMES_WATERMARK, AppMeta
    from core.search import SearchOptions, search_segments
    from core.trends import BucketSize, GroupBy, TrendWindow, grouped_trends, topic_trend
    from detect.baseline import expected_counts
    from detect.volumes import rebuild_volumes

    db_path = corpus_db(calls)
    db = Database(f"sqlite:///{db_path}")
    with db.session() as s:
        ready = s.get(AppMeta, VOLUMES_WATERMARK) is not None
    if not ready:  # the corpus's hourly agent buckets, built once by the product's own volume job (then cached)
        rebuild_volumes(db)
    gc.collect()
    gc.freeze()  # as `callpulse serve` does after startup
    day = datetime(2026, 10, 27, tzinfo=UTC)
    week = TrendWindow(BucketSize.HOUR, day - timedelta(days=6), day + timedelta(days=1))

    def session_call(fn: Callable[[Any], object]) -> Callable[[], object]:
        def call() -> object:
            with db.sessions() as s:
                return fn(s)

        return call

    def searching(opts: SearchOptions) -> Callable[[Any], object]:
        return lambda s: search_segments(s, opts)

    def trending(window: TrendWindow) -> Callable[[Any], object]:
        return lambda s: topic_trend(s, "billing.unexpected_charge", window, expected_counts)

    one_day = {"since": day, "until": day + timedelta(days=1)}
    searches = {
        "search phrase, one day": SearchOptions('"paper bill fee"', **one_day),  # type: ignore[arg-type]
        "search phrase, one week, customer": SearchOptions(
            '"paper bill fee"', speaker="customer", since=week.since, until=week.until
        ),
        "search common word, one day": SearchOptions("bill", **one_day),  # type: ignore[arg-type]
        "search prefix + topic, one day": SearchOptions(
            "activ*",
            topic="outage.no_service",
            **one_day,  # type: ignore[arg-type]
        ),
    }
    trends = {
        "trend hourly, 7 days + band": week,
        "trend daily, 56 days + band": TrendWindow(BucketSize.DAY),
        "trend hourly, queue filter": TrendWindow(BucketSize.HOUR, week.since, week.until, queue="billing"),
    }
    cases: dict[str, Callable[[], object]] = {}
    for name, opts in searches.items():
        cases[name] = session_call(searching(opts))
    for name, window in trends.items():
        cases[name] = session_call(trending(window))
    cases["trend hourly, 7 days, by agent"] = session_call(
        lambda s: grouped_trends(s, ["billing.unexpected_charge"], week, GroupBy.AGENT)
    )
    with sqlite3.connect(db_path) as conn:
        n_calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
        n_segments = conn.execute("SELECT max(id) FROM segments").fetchone()[0]
    out: dict[str, Any] = {"calls": n_calls, "segments": n_segments, "db_mb": round(db_path.stat().st_size / 2**20)}
    for name, fn in cases.items():
        out[name] = timed(fn, runs)
        print(f"{name:40s} {out[name]}", flush=True)
    db.engine.dispose()
    return out


def write_results(section: str, data: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "api.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[section] = {**data, "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# API and search benchmarks", "", "Measured on the benchmark machine (2 cores, shared).", ""]
    for name, body in results.items():
        lines += [f"## {name}", "", "| measure | value |", "|---|---|"]
        for key, value in body.items():
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
            lines.append(f"| {key} | {shown} |")
        lines.append("")
    (RESULTS / "api.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args(argv)
    data = run(args.calls, args.runs)
    data["targets"] = "search p95 <= 50 ms, trend p95 <= 50 ms"
    data["load_average_1m"] = round(os.getloadavg()[0], 1)  # other work on the machine skews timings
    write_results("search_and_trends", data)


if __name__ == "__main__":
    main()
