"""Pipeline throughput: ingest, tag, volumes and detect on a fresh SQLite database, in calls per second.

    python -m bench.pipeline_bench [--calls 100000] [--keep] [--profile STAGE... | slow]

The corpus comes from samples/generate.py (56 days, the same planted incidents as the sample corpus) and is
cached under bench/.cache/. Every stage runs through its real job function, exactly as `callpulse ingest`
and `callpulse process` chain them. Results: bench/results/pipeline.json and pipeline.md.
`--profile` reruns stages ("slow": every stage under 500 calls/s) under cProfile, on a copy of the database
as it was before that stage, and adds the top functions to the results; the timed run is never profiled.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.corpus import truth_dir
from bench.pipeline_report import STAGES, markdown, write_results
from core.db import Database
from core.models import Alert, Call, PhraseBucket, Segment, TopicHit, VolumeBucket
from core.progress import Progress
from detect.engine import run_detection
from detect.tag_job import tag_pending
from detect.volumes import refresh_volumes
from ingest.job import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
DAYS = 56
SLOW_CALLS_PER_S = 500.0
# A planted incident counts as found if an alert's change_at lies this close to the planted start.
FOUND_WINDOW = timedelta(hours=48)


class LogProgress:
    """Progress on stderr every tenth of a stage, so a long run shows it is alive without a terminal UI."""

    def __init__(self) -> None:
        self.name, self.total, self.done, self.next_mark, self.began = "", 0.0, 0.0, 0.0, 0.0

    def start(self, description: str, total: float | None) -> None:
        self.name, self.total, self.done, self.began = description, float(total or 0), 0.0, time.perf_counter()
        self.next_mark = self.total / 10

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        self.done += amount
        if self.total and self.done >= self.next_mark:
            self.next_mark += self.total / 10
            elapsed = time.perf_counter() - self.began
            print(f"  {self.name}: {self.done:.0f}/{self.total:.0f} ({elapsed:.0f} s) {note or ''}", file=sys.stderr)

    def finish(self) -> None:
        pass


@dataclass(frozen=True)
class StageResult:
    stage: str
    wall_s: float
    cpu_s: float  # this process's user+system time: less disturbed by other load than wall time
    calls_per_s: float
    peak_rss_mb: float  # process peak so far (ru_maxrss is a high-water mark)
    detail: dict[str, Any]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def corpus_for(calls: int, cache: Path = CACHE) -> Path:
    """The generated corpus for `calls` (built once; a half-written one never counts as done)."""
    out = cache / f"pipeline-corpus-{calls}"
    if any(out.glob("*.jsonl")) and (truth_dir(out) / "truth.json").is_file():
        return out
    tmp = cache / f"pipeline-corpus-{calls}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    tmp.mkdir(parents=True)
    per_day = calls / DAYS
    script = ROOT / "samples" / "generate.py"
    cmd = [sys.executable, str(script), "--out", str(tmp), "--truth-dir", str(truth_dir(out))]
    subprocess.run([*cmd, "--days", str(DAYS), "--calls-per-day", f"{per_day:.1f}"], check=True)
    tmp.rename(out)
    return out


def _timed(name: str, calls: int, work: Callable[[], dict[str, Any]], profile: cProfile.Profile | None) -> StageResult:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profile is not None:
        profile.enable()
    try:
        detail = work()
    finally:
        if profile is not None:
            profile.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    result = StageResult(name, round(wall, 2), round(cpu, 2), round(calls / wall, 1), round(peak_rss_mb(), 1), detail)
    print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s cpu, {calls / wall:.0f} calls/s", file=sys.stderr)
    return result


def _count(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("calls", Call),
                ("segments", Segment),
                ("topic_hits", TopicHit),
                ("phrase_rows", PhraseBucket),
                ("volume_rows", VolumeBucket),
            )
        }


def _stage_work(db: Database, files: Sequence[Path], progress: Progress) -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "ingest": lambda: _summary(ingest_paths(db, files, progress)),
        "tag": lambda: _summary(tag_pending(db, progress)),
        "volumes": lambda: _summary(refresh_volumes(db)),
        "detect": lambda: _summary(run_detection(db, progress=progress)),
    }


def run_stages(db_path: Path, files: Sequence[Path], calls: int, snapshots: Path | None = None) -> list[StageResult]:
    """Run the four stages in order on a fresh database at `db_path`, timing each.

    With `snapshots`, the database is copied there before each stage (outside the timings), so a stage can be
    profiled later on exactly the input it had.
    """
    db = Database(f"sqlite:///{db_path}")
    work = _stage_work(db, files, LogProgress())
    results = []
    for name in STAGES:
        if snapshots is not None:
            backup(db_path, snapshots / f"before-{name}.db")
        results.append(_timed(name, calls, work[name], None))
    db.engine.dispose()
    return results


def backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included)."""
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def profile_stage(snapshots: Path, stage: str, files: Sequence[Path], calls: int) -> str:
    """Run one stage again under cProfile, on a copy of the database as it was before that stage."""
    db_path = snapshots / f"profile-{stage}.db"
    backup(snapshots / f"before-{stage}.db", db_path)
    db = Database(f"sqlite:///{db_path}")
    profile = cProfile.Profile()
    _timed(f"{stage} (profiled)", calls, _stage_work(db, files, LogProgress())[stage], profile)
    db.engine.dispose()
    for leftover in snapshots.glob(f"profile-{stage}.db*"):
        leftover.unlink()
    return _top_functions(profile)


def _summary(report: Any) -> dict[str, Any]:
    fields = asdict(report) if hasattr(report, "__dataclass_fields__") else {"value": str(report)}
    return {k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in fields.items()}


def _top_functions(profile: cProfile.Profile, limit: int = 15) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    out.write("\n--- by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def _iso(ts: datetime) -> str:
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def list_alerts(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        alerts = session.scalars(select(Alert).order_by(Alert.detected_at, Alert.id)).all()
        return [
            {
                "kind": str(a.kind),
                "topic": a.topic_id,
                "phrase": a.phrase,
                "dimension": dict(a.dimension or {}),
                "change_at": _iso(a.change_at),
                "detected_at": _iso(a.detected_at),
                "ratio": round(a.ratio, 2),
                "severity": str(a.severity),
                "top_terms": list(a.top_terms or [])[:5],
            }
            for a in alerts
        ]


def planted_found(corpus: Path, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each planted incident in the corpus truth: the first alert that matches it, or none."""
    truth = json.loads((truth_dir(corpus) / "truth.json").read_text(encoding="utf-8"))
    verdicts = []
    for incident in truth["incidents"]:
        start = datetime.fromisoformat(incident["start"])
        match = next((a for a in alerts if _matches(incident, start, a)), None)
        lag = None
        if match is not None:
            lag = (datetime.fromisoformat(match["detected_at"]) - start) / timedelta(hours=1)
        verdicts.append({"name": incident["name"], "start": incident["start"], "found": match is not None,
                         "alert": match, "detection_lag_hours": lag})  # fmt: skip
    return verdicts


def _matches(incident: dict[str, Any], start: datetime, alert: dict[str, Any]) -> bool:
    if abs(datetime.fromisoformat(alert["change_at"]) - start) > FOUND_WINDOW:
        return False
    if incident["kind"] == "topic":
        return bool(alert["kind"] == "topic" and alert["topic"] == incident["topic"])
    words = " ".join([alert["phrase"] or "", *map(str, alert["top_terms"])]).lower()
    return alert["kind"] == "emerging" and "esim" in words


def run(calls: int, keep: bool = False, profile: Sequence[str] = (), cache: Path = CACHE) -> dict[str, Any]:
    """Generate (or reuse) the corpus, run and time every stage on a fresh database, list the alerts."""
    corpus = corpus_for(calls, cache)
    files = sorted(corpus.glob("*.jsonl"))
    calls_in_corpus = sum(_line_count(f) for f in files)
    workdir = Path(tempfile.mkdtemp(prefix="pipeline-", dir=cache))
    db_path = workdir / "callpulse.db"
    try:
        load = _loadavg()
        stages = run_stages(db_path, files, calls_in_corpus, workdir if profile else None)
        total_wall = sum(s.wall_s for s in stages)
        db = Database(f"sqlite:///{db_path}")
        alerts = list_alerts(db)
        result: dict[str, Any] = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cores": _cores(), "load_average_at_start": load, "python": sys.version.split()[0]},
            "note": "shared 2-core machine: other processes may have been running; cpu_s is this process only",
            "corpus": {"calls": calls_in_corpus, "days": DAYS, "files": len(files), "requested_calls": calls},
            "database": {"dialect": "sqlite", "size_mb": round(_db_size(db_path) / 2**20, 1), **_count(db)},
            "stages": [asdict(s) for s in stages],
            "end_to_end": {"wall_s": round(total_wall, 2), "calls_per_s": round(calls_in_corpus / total_wall, 1)},
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "alerts": alerts,
            "planted": planted_found(corpus, alerts),
        }
        db.engine.dispose()
        wanted = _stages_to_profile(profile, result["stages"])
        if wanted:
            result["profiles"] = {stage: profile_stage(workdir, stage, files, calls_in_corpus) for stage in wanted}
    finally:
        for snapshot in workdir.glob("before-*.db"):
            snapshot.unlink()
        if keep:
            print(f"kept database: {db_path}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _line_count(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for _ in f)


def _stages_to_profile(profile: Sequence[str], stages: list[dict[str, Any]]) -> list[str]:
    slow = "slow" in profile
    return [s["stage"] for s in stages if s["stage"] in profile or (slow and s["calls_per_s"] < SLOW_CALLS_PER_S)]


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _db_size(db_path: Path) -> int:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000, help="calls to generate (planted incidents add ~4%%)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database under bench/.cache/")
    parser.add_argument("--profile", nargs="+", choices=[*STAGES, "slow"], help="stages to rerun under cProfile")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for pipeline.json and pipeline.md")
    args = parser.parse_args(argv)
    result = run(args.calls, args.keep, args.profile or ())
    write_results(result, args.out)
    print(markdown(result))
    for stage, text in result.get("profiles", {}).items():
        print(f"## profile: {stage}\n{text}")


if __name__ == "__main__":
    main()
