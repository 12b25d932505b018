"""Generated-corpus trials: the whole text path (ingest, tag, volumes, detect) on corpora of several sizes and seeds.

    python -m bench.corpus_trials [--sizes 250,1500,3000] [--seeds 1-6] [--cache DIR]

Each corpus is eight weeks from samples/generate.py with its seed: other calls, wordings and languages, the same
two planted problems (the paper bill fee, the eSIM activation problem) and confounders. Every alert that matches
no planted problem is an extra alert: a false alarm, or a second alert for a planted problem (a wording that did
not join it). Databases are built once under the cache (ingest, tag and volumes: ~1 minute per 15,000 calls)
and copied for each detection run. Results: bench/results/corpus_trials.json and corpus_trials.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import truth_dir
from bench.pipeline_bench import CACHE, DAYS, RESULTS, ROOT, LogProgress, backup, list_alerts, planted_found
from core.db import Database
from detect.engine import run_detection
from detect.tag_job import tag_pending
from detect.volumes import refresh_volumes
from ingest.job import ingest_paths


def built(cache: Path, calls_per_day: int, seed: int) -> Path:
    """The corpus' database after ingest, tag and volumes (built once; a half-built one never counts)."""
    folder = cache / str(calls_per_day)
    corpus, db_path = folder / f"s{seed}", folder / f"s{seed}.db"
    if db_path.is_file() and (truth_dir(corpus) / "truth.json").is_file():
        return db_path
    shutil.rmtree(corpus, ignore_errors=True)
    script = ROOT / "samples" / "generate.py"
    cmd = [sys.executable, str(script), "--out", str(corpus), "--days", str(DAYS), "--seed", str(seed)]
    subprocess.run([*cmd, "--calls-per-day", str(calls_per_day)], check=True)
    partial = folder / f"s{seed}.partial.db"
    partial.unlink(missing_ok=True)
    db = Database(f"sqlite:///{partial}")
    ingest_paths(db, sorted(corpus.glob("*.jsonl")), LogProgress())
    tag_pending(db, LogProgress())
    refresh_volumes(db)
    db.engine.dispose()
    backup(partial, db_path)
    partial.unlink()
    return db_path


def trial(cache: Path, calls_per_day: int, seed: int) -> dict[str, Any]:
    source = built(cache, calls_per_day, seed)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        db_path = Path(work) / "detect.db"
        backup(source, db_path)
        db = Database(f"sqlite:///{db_path}")
        run_detection(db, progress=LogProgress())
        alerts = list_alerts(db)
        db.engine.dispose()
    planted = planted_found(source.with_suffix(""), alerts)
    matched = [v["alert"] for v in planted if v["found"]]
    extra = [a for a in alerts if a not in matched]
    return {"calls_per_day": calls_per_day, "seed": seed, "planted": planted, "extra_alerts": extra}


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Generated-corpus trials (ingest, tag, volumes, detect on eight generated weeks)",
        "",
        "| calls a day | seed | paper bill fee (h after start) | eSIM problem (h after start) | extra alerts |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lags = [f"{p['detection_lag_hours']:.0f}" if p["found"] else "missed" for p in r["planted"]]
        extra = "; ".join(f"{a['kind']} {a['topic'] or a['phrase']} {a['dimension'] or ''}" for a in r["extra_alerts"])
        lines.append(f"| {r['calls_per_day']:,} | {r['seed']} | {lags[0]} | {lags[1]} | {extra or 'none'} |")
    return "\n".join(lines) + "\n"


def seeds_of(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="250,1500,3000", help="calls a day, comma-separated")
    parser.add_argument("--seeds", default="1-6", help="a seed or a range (3000 a day runs the first two)")
    parser.add_argument("--cache", type=Path, default=CACHE / "corpus-trials")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        seeds = seeds_of(args.seeds)
        for seed in seeds[:2] if size >= 3000 else seeds:
            print(f"== {size} calls a day, seed {seed}", file=sys.stderr, flush=True)
            results.append(trial(args.cache, size, seed))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    (args.out / "corpus_trials.json").write_text(json.dumps({"measured_at": stamp, "runs": results}, indent=1))
    text = markdown(results)
    (args.out / "corpus_trials.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
