"""The pipeline benchmark end to end on a tiny corpus: every stage runs and the results are written."""

from __future__ import annotations

import json
from pathlib import Path

from bench.pipeline_bench import run
from bench.pipeline_report import STAGES, write_results


def test_small_run_times_every_stage_and_writes_results(tmp_path: Path) -> None:
    result = run(300, cache=tmp_path / "cache")

    assert [s["stage"] for s in result["stages"]] == list(STAGES)
    assert 300 <= result["corpus"]["calls"] < 400  # the planted incidents add a few calls
    assert result["database"]["calls"] == result["corpus"]["calls"]
    assert result["database"]["volume_rows"] > 0
    assert all(s["wall_s"] > 0 and s["calls_per_s"] > 0 for s in result["stages"])
    assert {p["name"] for p in result["planted"]} == {"paper bill fee", "esim activation"}
    assert not list((tmp_path / "cache").glob("pipeline-*/callpulse.db"))  # the database is not kept

    write_results(result, tmp_path / "results")
    saved = json.loads((tmp_path / "results" / "pipeline.json").read_text(encoding="utf-8"))
    assert saved["end_to_end"]["calls_per_s"] > 0
    table = (tmp_path / "results" / "pipeline.md").read_text(encoding="utf-8")
    assert "| tag |" in table and "end to end" in table
