"""Keyness: which words set a group of calls apart from a reference group (for alerts' top_terms).

Terms are lemma n-grams of content words (as for candidate phrases), counted once per text. Each term is
scored with Dunning's log-likelihood G² on the 2x2 table (texts with/without it, target vs reference);
only terms over-represented in the target count.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from detect import nlp
from detect.phrases import CHAR_SCRIPT_LANGUAGES, PhraseOptions, candidate_phrases, strip_placeholders

MIN_TARGET_TEXTS = 2
# G2 of a term at p < 0.001 (chi-squared, one degree of freedom): below it, "hello" or "know" in a few dozen calls
# is chance, and a list of terms padded with it buries the ones that say what changed
MIN_SCORE = 10.83
MAX_CANDIDATES = 300
SUBSUME = 0.8


def _options(language: str) -> PhraseOptions:
    # Single Chinese characters say little; start at two.
    return PhraseOptions(min_n=2 if language in CHAR_SCRIPT_LANGUAGES else 1, max_n=3)


def text_terms(texts: Sequence[str], language: str) -> Iterable[set[str]]:
    """The distinct terms of each text."""
    code = nlp.pipeline_language(language)
    pipe = nlp.pipeline(code)
    stop_words = pipe.Defaults.stop_words
    options = _options(code)
    for doc in nlp.lemmatise((strip_placeholders(t) for t in texts), code):
        lemmas = [t.lemma_ or t.text for t in doc]
        stops = [t.is_stop or lemma in stop_words for t, lemma in zip(doc, lemmas, strict=True)]
        yield candidate_phrases(lemmas, stops, [t.is_alpha for t in doc], code, options)


def log_likelihood(a: int, b: int, n_target: int, n_reference: int) -> float:
    """G² of a term in a of n_target target texts and b of n_reference reference texts."""
    total = n_target + n_reference
    expected_a = n_target * (a + b) / total
    expected_b = n_reference * (a + b) / total
    g2 = 0.0
    if a:
        g2 += a * math.log(a / expected_a)
    if b:
        g2 += b * math.log(b / expected_b)
    return 2.0 * g2


def distinguishing_terms(target: Sequence[str], reference: Sequence[str], language: str, k: int = 10) -> list[str]:
    """Up to k terms most characteristic of `target` texts against `reference` texts, best first.

    A term contained in a longer one of nearly the same score, or in a better-ranked one, is left out.
    """
    if not target:
        return []
    in_target: Counter[str] = Counter(t for terms in text_terms(target, language) for t in terms)
    in_reference: Counter[str] = Counter(t for terms in text_terms(reference, language) for t in terms)
    n_t, n_r = len(target), max(len(reference), 1)
    scored = []
    for term, a in in_target.items():
        b = in_reference.get(term, 0)
        if a < min(MIN_TARGET_TEXTS, n_t) or a / n_t <= b / n_r:
            continue
        score = log_likelihood(a, b, n_t, n_r)
        if score >= MIN_SCORE:
            scored.append((score, len(term), term))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    top = scored[:MAX_CANDIDATES]
    chosen: list[str] = []
    for score, _, term in top:
        # Prefer the longer phrase when it carries nearly the same evidence ("paper bill" -> "paper bill fee").
        if any(_contains(other, term) and other_score >= SUBSUME * score for other_score, _, other in top):
            continue
        if any(_contains(better, term) for better in chosen):
            continue
        chosen.append(term)
        if len(chosen) == k:
            break
    return chosen


def _contains(longer: str, shorter: str) -> bool:
    if longer == shorter:
        return False
    if " " not in longer:
        return shorter in longer if len(longer) > len(shorter) else False
    return f" {shorter} " in f" {longer} "
