"""The planted-incident benchmark runs end to end through the real engine on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

from bench.scenarios import run_scenario, summarise
from bench.scenarios_report import markdown


def test_one_scenario_finds_the_planted_incidents(tmp_path: Path) -> None:
    result = run_scenario(0, tmp_path)
    summary = summarise([result])
    assert summary["recall"] >= 0.8
    assert summary["false_alarms"] <= 1
    assert {p["label"] for p in result["planted"]} == {
        "known_topic",
        "emerging_phrase",
        "low_volume_topic",
        "queue_only",
        "language_only",
    }
    found = [p for p in result["planted"] if "missed" not in p]
    assert all(p["delay_h"] >= 0 for p in found)


def test_report_has_a_row_per_centre_size(tmp_path: Path) -> None:
    small = summarise([run_scenario(1, tmp_path, calls_per_day=250.0)])
    summary = summarise([run_scenario(1, tmp_path)]) | {"by_size": {"250": small}}
    text = markdown(summary)
    assert "| 250 | 1 |" in text and "| all sizes | 1 |" in text
    assert "low_volume_topic" in text
