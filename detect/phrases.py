"""Candidate phrases of customer speech, for spotting problems no topic covers yet.

A candidate is a lemma bigram or trigram of adjacent content words: stop words, digits, punctuation and
PII placeholders such as [CARD] break a run, so "my esim activation keeps failing" yields "esim activation",
"activation keep", "esim activation keep", ... Counted once per call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\[[A-Z_]{2,12}\]")
MAX_PHRASE_CHARS = 200  # PhraseBucket.phrase column width
CHAR_SCRIPT_LANGUAGES = frozenset({"zh", "ja", "th"})


@dataclass(frozen=True)
class PhraseOptions:
    min_n: int = 2
    max_n: int = 3
    min_token_chars: int = 2  # single letters are noise, except in character-segmented scripts


def strip_placeholders(text: str) -> str:
    """Replace PII placeholders by a comma so they break phrases and are never counted."""
    return PLACEHOLDER.sub(" , ", text)


def is_content(lemma: str, is_stop: bool, is_alpha: bool, language: str, options: PhraseOptions) -> bool:
    if is_stop or not is_alpha:
        return False
    return language in CHAR_SCRIPT_LANGUAGES or len(lemma) >= options.min_token_chars


def _contraction_stem(lemmas: Sequence[str], alphas: Sequence[bool], i: int) -> bool:
    """The "wo" of "won't" and "ai" of "ain't": the tokenizer splits off a clitic that is not a word itself but whose
    lemma is ("n't" -> "not"); what is left before it is no word either."""
    return i + 1 < len(lemmas) and not alphas[i + 1] and lemmas[i + 1].isalpha()


def ngrams(run: Sequence[str], options: PhraseOptions, joiner: str) -> Iterable[str]:
    for n in range(options.min_n, options.max_n + 1):
        for i in range(len(run) - n + 1):
            yield joiner.join(run[i : i + n])


def candidate_phrases(
    lemmas: Sequence[str],
    stops: Sequence[bool],
    alphas: Sequence[bool],
    language: str,
    options: PhraseOptions = PhraseOptions(),
) -> set[str]:
    """The distinct candidate phrases of one stretch of speech (tokens already lemmatised)."""
    joiner = "" if language in CHAR_SCRIPT_LANGUAGES else " "
    phrases: set[str] = set()
    run: list[str] = []
    for i, (lemma, stop, alpha) in enumerate(zip(lemmas, stops, alphas, strict=True)):
        if is_content(lemma, stop, alpha, language, options) and not _contraction_stem(lemmas, alphas, i):
            run.append(lemma)
            continue
        if len(run) >= options.min_n:
            phrases.update(ngrams(run, options, joiner))
        run = []
    if len(run) >= options.min_n:
        phrases.update(ngrams(run, options, joiner))
    return {p for p in phrases if len(p) <= MAX_PHRASE_CHARS}
