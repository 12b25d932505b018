"""Markdown for bench.scenarios: the pooled row, one row per centre size, per-family delays, change_at costs."""

from __future__ import annotations

from typing import Any

TARGETS = "targets: recall >= 0.95, precision >= 0.9, median delay <= 3 h"


def _row(name: str, s: dict[str, Any]) -> str:
    return (
        f"| {name} | {s['scenarios']} | {s['recall']:.2f} | {s['precision']:.3f} | {s['false_alarms']} | "
        f"{s['median_delay_h']:.1f} | {s['median_abs_change_err_h']:.1f} | {s['dimension_accuracy']:.2f} |"
    )


def markdown(summary: dict[str, Any]) -> str:
    sizes: dict[str, dict[str, Any]] = summary.get("by_size", {})
    lines = [
        "# Planted-incident scenarios (seeded 8-week worlds, real engine, SQLite)",
        "",
        f"One detector configuration for every size; {TARGETS}. "
        f"{summary['seconds_per_replay']:.1f} s per 8-week replay.",
        "",
        "| calls a day | worlds | recall | precision | false alarms | median delay (h) | median abs change_at "
        "error (h) | dimension right |",
        "|---|---|---|---|---|---|---|---|",
        *[_row(f"{int(float(size)):,}", s) for size, s in sizes.items()],
        _row("all sizes", summary),
        "",
        "Median detection delay (h) per family:",
        "",
        "| family | " + " | ".join(f"{int(float(size)):,}/day" for size in sizes) + " | all |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    for family, row in summary["by_family"].items():
        cells = [f"{s['by_family'][family]['median_delay_h']:.1f}" for s in sizes.values()]
        lines.append(f"| {family} | " + " | ".join(cells) + f" | {row['median_delay_h']:.1f} |")
    lines += [
        "",
        "| change_at estimator (1,000/day) | recall | precision | median abs change error (h) | median delay (h) |",
        "|---|---|---|---|---|",
    ]
    for cost, row in summary.get("change_cost_comparison", {}).items():
        lines.append(
            f"| {cost} | {row['recall']:.2f} | {row['precision']:.2f} | "
            f"{row['median_abs_change_err_h']:.1f} | {row['median_delay_h']:.1f} |"
        )
    return "\n".join(lines) + "\n"
