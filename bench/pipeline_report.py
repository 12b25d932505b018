"""Reports of bench.pipeline_bench: pipeline.json (with a short history of earlier runs) and pipeline.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STAGES = ("ingest", "tag", "volumes", "detect")
HISTORY = 10  # earlier runs kept in pipeline.json


def run_summary(result: dict[str, Any]) -> dict[str, Any]:
    """One line of the run history: when, how loaded, how fast."""
    return {
        "measured_at": result["measured_at"],
        "calls": result["corpus"]["calls"],
        "load_average_at_start": result["machine"]["load_average_at_start"],
        "calls_per_s": {s["stage"]: s["calls_per_s"] for s in result["stages"]},
        "end_to_end_calls_per_s": result["end_to_end"]["calls_per_s"],
    }


def write_results(result: dict[str, Any], out_dir: Path) -> None:
    """Write this run; earlier runs are kept as a short history, since one run on a shared machine is noisy."""
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = out_dir / "pipeline.json"
    if previous.exists():
        before = json.loads(previous.read_text(encoding="utf-8"))
        result = {**result, "history": [*before.get("history", []), run_summary(before)][-HISTORY:]}
    (out_dir / "pipeline.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out_dir / "pipeline.md").write_text(markdown(result), encoding="utf-8")


def _history_lines(history: list[dict[str, Any]]) -> list[str]:
    if not history:
        return []
    head = "| measured | calls | load | " + " | ".join(STAGES) + " | end to end |"
    lines = ["", "Earlier runs (calls/s):", "", head, "|---|---:|---:|" + "---:|" * (len(STAGES) + 1)]
    for h in history:
        rates = " | ".join(f"{h['calls_per_s'].get(stage, '')}" for stage in STAGES)
        load = h["load_average_at_start"][0]
        lines.append(f"| {h['measured_at']} | {h['calls']:,} | {load} | {rates} | {h['end_to_end_calls_per_s']} |")
    return lines


def markdown(result: dict[str, Any]) -> str:
    machine = result["machine"]
    lines = [
        "# Pipeline throughput",
        "",
        f"{result['corpus']['calls']:,} calls over {result['corpus']['days']} days (samples/generate.py, planted "
        f"incidents included), fresh SQLite database, measured {result['measured_at']} on a {machine['cores']}-core "
        f"machine (load average at start {machine['load_average_at_start']}). Other processes may have been running: "
        "wall times are noisy, cpu_s is this process only. Run: `python -m bench.pipeline_bench`.",
        "",
        "| stage | wall s | cpu s | calls/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in result["stages"]:
        lines.append(f"| {s['stage']} | {s['wall_s']} | {s['cpu_s']} | {s['calls_per_s']:,} | {s['peak_rss_mb']} |")
    e2e = result["end_to_end"]
    lines.append(f"| **end to end** | {e2e['wall_s']} | | **{e2e['calls_per_s']:,}** | {result['peak_rss_mb']} |")
    lines += _history_lines(result.get("history", []))
    if result.get("profiles"):
        lines += ["", f"cProfile of {', '.join(result['profiles'])} (rerun on a copy of its input): pipeline.json."]
    db = result["database"]
    lines += [
        "",
        f"Database after the run: {db['size_mb']} MB, {db['segments']:,} segments, {db['topic_hits']:,} topic hits, "
        f"{db['phrase_rows']:,} phrase rows, {db['volume_rows']:,} volume rows.",
        "",
        "## Planted incidents",
        "",
        "| incident | planted start | found | alert change_at | detected_at | lag h |",
        "|---|---|---|---|---|---:|",
    ]
    for p in result["planted"]:
        a = p["alert"] or {}
        lag = "" if p["detection_lag_hours"] is None else f"{p['detection_lag_hours']:.0f}"
        lines.append(
            f"| {p['name']} | {p['start']} | {'yes' if p['found'] else 'no'} | {a.get('change_at', '')} "
            f"| {a.get('detected_at', '')} | {lag} |"
        )
    lines += ["", "## All alerts", "", "| kind | topic / phrase | dimension | change_at | detected_at | ratio |",
              "|---|---|---|---|---|---:|"]  # fmt: skip
    for a in result["alerts"]:
        what = a["topic"] or a["phrase"] or ""
        dim = ", ".join(f"{k}={v}" for k, v in a["dimension"].items()) or "all"
        lines.append(f"| {a['kind']} | {what} | {dim} | {a['change_at']} | {a['detected_at']} | {a['ratio']} |")
    return "\n".join(lines) + "\n"
