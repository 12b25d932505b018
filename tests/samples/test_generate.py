"""The sample corpus generator: seeded, streaming, the shape corpus.md asks for."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def test_same_seed_same_files_and_valid_calls(tmp_path: Path) -> None:
    gen = generator()
    for run in ("a", "b"):
        gen.main(["--out", str(tmp_path / run), "--start", "2026-10-26", "--days", "3", "--calls-per-day", "400"])
    # the truth sits beside the corpus, so ingesting the corpus folder reads calls only
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["week-2026-10-26.jsonl"]
    assert sorted(p.name for p in (tmp_path / "a-truth").iterdir()) == ["truth.json", "truth_topics.csv"]
    for name in ("a/week-2026-10-26.jsonl", "a-truth/truth.json", "a-truth/truth_topics.csv"):
        assert (tmp_path / name).read_bytes() == (tmp_path / name.replace("a", "b", 1)).read_bytes()
    calls = [json.loads(line) for line in (tmp_path / "a" / "week-2026-10-26.jsonl").read_text().splitlines()]
    assert len(calls) > 1000
    for call in calls:
        assert 4 <= len(call["segments"]) <= 10
        assert call["segments"][0]["speaker"] == "agent"
        assert call["language"] in {"en", "hr", "hu", "ru", "zh"}
        assert call["queue"] in {"billing", "tech", "sales", "shop"}
    texts = " ".join(s["text"] for c in calls for s in c["segments"]).lower()
    assert "paper bill fee" in texts and "esim" in texts and "@example.com" in texts


def test_committed_corpus_matches_the_spec() -> None:
    truth = json.loads((SAMPLES / "truth.json").read_text())
    assert {i["name"] for i in truth["incidents"]} == {"paper bill fee", "esim activation"}
    with (SAMPLES / "truth_topics.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert 12_000 < len(rows) < 17_000  # ~250 calls a day for 8 weeks
    files = sorted((SAMPLES / "transcripts").glob("week-*.jsonl"))
    assert len(files) == 8
    assert sum(f.stat().st_size for f in files) < 15_000_000
