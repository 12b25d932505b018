"""Per-language spaCy pipelines (blank + lookup lemmas) and the normalised keys that tagging matches on.

Text is lowercased before it reaches spaCy because the lookup tables are case-sensitive, and Russian ё is read
as е (text and lemma table alike) because speech-to-text and people write either. Each token gets a
*key*: its lookup lemma (en, hr, ru ...), the character itself (zh, segmented per character), or for
Hungarian — whose table misses most inflected forms — the stem of a known pattern word that prefixes it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import cast

import spacy
from spacy.language import Language
from spacy.lookups import Lookups, Table
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc
from spacy.util import load_language_data, registry

from core.spoken_words import fold_yo

FALLBACK_LANGUAGE = "en"
# Languages whose lemma table ships in spacy-lookups-data; others get a blank tokenizer only.
LOOKUP_LANGUAGES = frozenset(
    {"ca", "cs", "da", "de", "el", "en", "es", "fr", "ga", "hr", "hu", "id", "it"}
    | {"lb", "lt", "mk", "nb", "nl", "pt", "ro", "ru", "sr", "sv", "tl", "tr", "uk", "ur"}
)
PREFIX_LANGUAGES = frozenset({"hu"})  # agglutinative: match pattern stems as prefixes
CHAR_LANGUAGES = frozenset({"zh", "ja", "th"})
YO_LANGUAGES = frozenset({"ru", "be"})
# Croatian typed without diacritics ("racun" for "račun"): speech-to-text writes them, a typed import or a
# taxonomy author may not. A spelling that is no word as written is read as the word it lacks the letters of.
RESTORED_LANGUAGES = frozenset({"hr"})
_WITH_MARKS = {"c": "cčć", "s": "sš", "z": "zž", "d": "dđ"}
MAX_MARKED_LETTERS = 8  # 3^8 spellings at most: longer words with this many candidates are left as they are
MIN_STEM = 3
_VOWELS = "aeiouáéíóöőúüű"
_WORDLIKE = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=256)
def pipeline_language(language: str | None) -> str:
    """The pipeline a call's language uses: its own if spaCy has one, else the fallback."""
    if not language:
        return FALLBACK_LANGUAGE
    code = language.lower().split("-")[0]
    try:
        spacy.util.get_lang_class(code)
    except ImportError:
        return FALLBACK_LANGUAGE
    return code


def prepare(text: str, language: str) -> str:
    """Text as the language's pipeline reads it: lowercased (the lookup tables are case-sensitive) and, where
    a letter is often written as another (Russian ё as е), with the two spellings folded into one."""
    lowered = text.lower()
    return fold_yo(lowered) if language in YO_LANGUAGES else lowered


def _folded_lemma_table(language: str) -> Lookups:
    """The language's lemma table with ё read as е in forms and lemmas, so "счета" and "счёта" both give
    "счет". Where folding makes two forms one, the form that was already written with е keeps its lemma."""
    raw = load_language_data(registry.lookups.get(language)["lemma_lookup"])
    if not isinstance(raw, dict):
        raise TypeError(f"{language} lemma table is not a mapping")
    folded: dict[str, str] = {}
    for form, lemma in raw.items():
        key = fold_yo(form)
        if key == form or key not in folded:
            folded[key] = fold_yo(lemma)
    lookups = Lookups()
    lookups.add_table("lemma_lookup", folded)
    return lookups


@lru_cache(maxsize=32)
def pipeline(language: str) -> Language:
    """A blank pipeline with a lookup lemmatizer where a table exists; built once per process."""
    # zh: per-character segmentation needs no jieba/pkuseg download; patterns match as character sequences.
    config = {"nlp": {"tokenizer": {"segmenter": "char"}}} if language == "zh" else {}
    nlp = spacy.blank(language, config=config)
    if language in LOOKUP_LANGUAGES:
        # mode="lookup" avoids rule/pymorphy lemmatizers that need POS tags or extra packages (ru, uk).
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        if language in YO_LANGUAGES:
            cast(Lemmatizer, lemmatizer).initialize(lookups=_folded_lemma_table(language))
        else:
            nlp.initialize()
    return nlp


def pattern_stem(word: str) -> str:
    """A Hungarian pattern word's stem: drop the final vowel that suffixes lengthen (számla → száml-á-mon)."""
    if len(word) >= MIN_STEM + 2 and word[-1] in _VOWELS:
        return word[:-1]
    return word


def prefix_key(form: str, lemma: str, stems: frozenset[str]) -> str:
    """The longest known stem that prefixes the token (lemma first, then surface form), else its lemma."""
    for candidate in (lemma, form):
        for end in range(len(candidate), MIN_STEM - 1, -1):
            if candidate[:end] in stems:
                return candidate[:end]
    return lemma


@lru_cache(maxsize=8)
def _lemma_table(language: str) -> Table:
    lemmatizer = cast(Lemmatizer, pipeline(language).get_pipe("lemmatizer"))
    return lemmatizer.lookups.get_table("lemma_lookup")


@lru_cache(maxsize=65_536)
def restored(word: str, language: str) -> str:
    """The word as written with its diacritics, when it is no word without them: "racuna" -> "računa", while
    "sok" (juice) stays "sok", never "šok". Spellings with fewer added marks are tried first; a word that no
    spelling makes known is left as it is."""
    if language not in RESTORED_LANGUAGES:
        return word
    table = _lemma_table(language)
    slots = [i for i, ch in enumerate(word) if ch in _WITH_MARKS]
    if word in table or not slots or len(slots) > MAX_MARKED_LETTERS:
        return word
    choices = itertools.product(*(range(len(_WITH_MARKS[word[i]])) for i in slots))
    for picks in sorted(choices, key=lambda p: sum(1 for c in p if c)):
        letters = list(word)
        for i, pick in zip(slots, picks, strict=True):
            letters[i] = _WITH_MARKS[word[i]][pick]
        candidate = "".join(letters)
        if candidate in table:
            return candidate
    return word


def needs_keys(language: str, stems: frozenset[str]) -> bool:
    """Whether a doc's match keys differ from its lookup lemmas (they must then be set on it before matching)."""
    return bool(stems) or language in RESTORED_LANGUAGES


def written_key(text: str, language: str) -> str:
    """A pattern word as written, as a match key."""
    return restored(text, language)


def token_keys(doc: Doc, language: str, stems: frozenset[str] = frozenset()) -> list[str]:
    """The match key of every token of a (lowercased) doc."""
    if language in CHAR_LANGUAGES or language not in LOOKUP_LANGUAGES:
        return [t.text for t in doc]
    lemmas = [t.lemma_ or t.text for t in doc]
    if language in RESTORED_LANGUAGES:
        table = _lemma_table(language)
        return [
            lemma if (word := restored(t.text, language)) == t.text else str(table.get(word, word))
            for t, lemma in zip(doc, lemmas, strict=True)
        ]
    if language in PREFIX_LANGUAGES and stems:
        return [
            prefix_key(t.text, lemma, stems) if len(t.text) >= MIN_STEM else lemma
            for t, lemma in zip(doc, lemmas, strict=True)
        ]
    return lemmas


def match_attr(language: str) -> str:
    """The token attribute patterns are matched on: lemmas where a table gives them, else the text itself."""
    if language in CHAR_LANGUAGES or language not in LOOKUP_LANGUAGES:
        return "ORTH"
    return "LEMMA"


def set_keys(doc: Doc, keys: Sequence[str]) -> Doc:
    """Store keys as the tokens' lemmas so a PhraseMatcher(attr="LEMMA") matches on them."""
    for token, key in zip(doc, keys, strict=True):
        token.lemma_ = key
    return doc


def lemmatise(texts: Iterable[str], language: str, batch_size: int = 256) -> Iterable[Doc]:
    """Docs of lowercased texts through the language's pipeline."""
    nlp = pipeline(language)
    return nlp.pipe((prepare(text, language) for text in texts), batch_size=batch_size)


def is_word(text: str) -> bool:
    return bool(_WORDLIKE.search(text))
