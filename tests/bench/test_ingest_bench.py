"""The drop-folder bench runs end to end on a small folder (its figures are the bench's, not a test's)."""

from __future__ import annotations

from bench.ingest_bench import run


def test_the_bench_times_both_rounds_and_the_baseline() -> None:
    result = run(files=3, mb=0.05)
    assert result["files"] == 3
    assert min(result["first_round_s"], result["hash_all_s"], result["next_round_s"]) > 0
