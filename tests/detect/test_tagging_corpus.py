"""Tagging accuracy of the default taxonomy on the committed sample corpus (truth: samples/truth_topics.csv)."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

from core.models import Speaker
from core.records import SegmentData
from detect.tagging import CallText, analyse_calls, matchers_for
from detect.taxonomy import default_taxonomy

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def load_corpus() -> list[tuple[CallText, set[str]]]:
    with (SAMPLES / "truth_topics.csv").open(encoding="utf-8") as handle:
        truth = {row["call_id"]: set(filter(None, row["topics"].split(";"))) for row in csv.DictReader(handle)}
    calls = []
    for path in sorted((SAMPLES / "transcripts").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            segments = tuple(SegmentData(s["start"], s["end"], Speaker(s["speaker"]), s["text"]) for s in d["segments"])
            calls.append((CallText(d["call_id"], d["language"], segments), truth[d["call_id"]]))
    return calls


def test_precision_and_recall_per_language() -> None:
    corpus = load_corpus()
    matchers = matchers_for(default_taxonomy())
    began = time.perf_counter()
    analyses = analyse_calls([c for c, _ in corpus], matchers, phrase_options=None)
    elapsed = time.perf_counter() - began
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for (call, want), analysis in zip(corpus, analyses, strict=True):
        got = {t.topic_id for t in analysis.topics}
        lang = call.language or ""
        tp[lang] += len(got & want)
        fp[lang] += len(got - want)
        fn[lang] += len(want - got)
    report = {
        lang: (round(tp[lang] / (tp[lang] + fp[lang]), 3), round(tp[lang] / (tp[lang] + fn[lang]), 3)) for lang in tp
    }
    print(f"precision/recall per language: {report}; {len(corpus) / elapsed:.0f} calls/s")
    assert set(report) == {"en", "hr", "hu", "ru", "zh"}
    for lang, (precision, recall) in report.items():
        assert precision >= 0.9 and recall >= 0.9, (lang, precision, recall)
