"""Candidate phrases and keyness terms."""

from __future__ import annotations

import json
from pathlib import Path

from detect.keyness import distinguishing_terms, log_likelihood, text_terms
from detect.phrases import candidate_phrases, strip_placeholders

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_ngrams_break_at_stop_words_digits_and_placeholders() -> None:
    text = strip_placeholders("my esim activation failing [CARD] code 1234 activation")
    assert "[" not in text and "CARD" not in text
    lemmas = ["my", "esim", "activation", "fail", ",", "code", "1234", "activation"]
    stops = [True, False, False, False, False, False, False, False]
    alphas = [True, True, True, True, False, True, False, True]
    assert candidate_phrases(lemmas, stops, alphas, "en") == {
        "esim activation",
        "activation fail",
        "esim activation fail",
    }


def test_contraction_stems_are_no_words() -> None:
    terms = next(iter(text_terms(["My new eSIM won't activate, it ain't working"], "en")))
    assert {"new esim", "activate", "work"} <= terms
    assert not any(t.split()[-1] in ("wo", "ai") for t in terms)


def test_chinese_phrases_join_characters() -> None:
    chars = list("纸质账单")
    assert "纸质" in candidate_phrases(chars, [False] * 4, [True] * 4, "zh")


def test_log_likelihood_is_zero_without_difference() -> None:
    assert log_likelihood(5, 10, 50, 100) == 0.0
    assert log_likelihood(20, 1, 50, 100) > 10


def test_keyness_finds_the_paper_bill_fee_in_spike_calls() -> None:
    spike: list[str] = []
    baseline: list[str] = []
    for week, bucket in (("2026-10-19", baseline), ("2026-10-26", spike)):
        for line in (SAMPLES / "transcripts" / f"week-{week}.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if (
                d["language"] != "en"
                or d["queue"] != "billing"
                or (d["started_at"] < "2026-10-26T09" and bucket is spike)
            ):
                continue
            bucket.append(" ".join(s["text"] for s in d["segments"] if s["speaker"] == "customer"))
    terms = distinguishing_terms(spike, baseline, "en", k=5)
    assert any("paper bill" in t for t in terms[:3]), terms
    assert distinguishing_terms([], baseline, "en") == []


def test_a_word_a_few_calls_say_by_chance_is_no_term() -> None:
    # 20 calls about a new eSIM, 4 of them also greeting "hello"; 300 earlier calls, 40 of them with "hello"
    target = ["my new esim will not activate"] * 16 + ["hello my new esim will not activate"] * 4
    reference = ["hello my bill is wrong"] * 40 + ["my bill is wrong"] * 260
    terms = distinguishing_terms(target, reference, "en")
    assert "new esim" in terms and "hello" not in terms, terms
    assert log_likelihood(4, 40, 20, 300) < 10.83 <= log_likelihood(20, 0, 20, 300)
