"""The generated-corpus trials on a tiny corpus: built once, detected on a copy, reported."""

from __future__ import annotations

from pathlib import Path

from bench.corpus_trials import built, markdown, seeds_of, trial


def test_a_tiny_trial_reports_both_planted_problems_and_keeps_its_database(tmp_path: Path) -> None:
    result = trial(tmp_path, 6, 1)
    assert [p["name"] for p in result["planted"]] == ["paper bill fee", "esim activation"]
    assert isinstance(result["extra_alerts"], list)
    db_path = built(tmp_path, 6, 1)
    stamp = db_path.stat().st_mtime_ns
    trial(tmp_path, 6, 1)  # detection runs on a copy: the built database is neither rebuilt nor changed
    assert db_path.stat().st_mtime_ns == stamp
    assert "| 6 | 1 |" in markdown([result])
    assert seeds_of("1-3") == [1, 2, 3] and seeds_of("4") == [4]
