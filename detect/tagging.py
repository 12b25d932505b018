"""Topic tagging: match a taxonomy's patterns against call transcripts (pure core, no database).

One pass over a call lemmatises each segment once and yields its topics, its QA checks and the candidate
phrases of customer speech. Matchers (pipeline + PhraseMatcher per language) are built once per process
per taxonomy version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.attrs import IS_ALPHA, IS_STOP, LEMMA, ORTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from core.models import Speaker
from core.records import SegmentData
from detect import nlp
from detect.phrases import PhraseOptions, candidate_phrases, strip_placeholders
from detect.qa import QaResult, qa_checks
from detect.taxonomy import Taxonomy

MAX_EVIDENCE = 3
MAX_VARIANTS = 64


@dataclass(frozen=True)
class TopicMatch:
    topic_id: str
    matches: int
    first_start: float | None  # start of the first segment that matched, seconds
    evidence: str  # the matched words, "; "-separated


@dataclass(frozen=True)
class CallText:
    call_id: str
    language: str | None
    segments: tuple[SegmentData, ...]


@dataclass(frozen=True)
class CallAnalysis:
    call_id: str
    language: str  # the pipeline language used
    topics: tuple[TopicMatch, ...]
    qa: QaResult
    phrases: frozenset[str]
    error: str | None = None  # why this call could not be analysed; the rest of its batch was


NO_QA = QaResult(greeting=False, empathy=False, resolution_confirmed=False, closing=False)
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class LanguageMatcher:
    language: str
    nlp: Language
    matcher: PhraseMatcher
    stems: frozenset[str]
    speakers: dict[str, Speaker | None]  # topic id -> speaker filter

    @property
    def needs_agent_speech(self) -> bool:
        return any(s != Speaker.CUSTOMER for s in self.speakers.values())


def _pattern_variants(matcher_nlp: Language, language: str, pattern: str) -> list[list[str]]:
    """Key sequences a pattern matches: each word as its lookup lemma or as written.

    Pattern words are usually written in dictionary form, which lookup tables sometimes map elsewhere
    (hu "ért" -> "érik"); keeping the written form too lets text lemmatised to it still match.
    """
    doc = matcher_nlp(nlp.prepare(strip_placeholders(pattern), language))
    written = (nlp.written_key(t.text, language) for t in doc)
    options = [dict.fromkeys(pair) for pair in zip(nlp.token_keys(doc, language), written, strict=True)]
    if language in nlp.PREFIX_LANGUAGES:
        options = [dict.fromkeys(nlp.pattern_stem(k) for k in opts) for opts in options]
    variants: list[list[str]] = [[]]
    for opts in options:
        variants = [[*v, k] for v in variants for k in opts][:MAX_VARIANTS]
    return [v for v in variants if v]


def build_language_matcher(taxonomy: Taxonomy, language: str) -> LanguageMatcher:
    pipe = nlp.pipeline(language)
    matcher = PhraseMatcher(pipe.vocab, attr=nlp.match_attr(language))
    stems: set[str] = set()
    speakers: dict[str, Speaker | None] = {}
    for topic in taxonomy.topics:
        patterns = topic.patterns.get(language, ())
        if not patterns:
            continue
        docs = []
        for pattern in patterns:
            for keys in _pattern_variants(pipe, language, pattern):
                stems.update(k for k in keys if len(k) >= nlp.MIN_STEM)
                docs.append(Doc(pipe.vocab, words=keys, lemmas=keys))
        matcher.add(topic.id, docs)
        speakers[topic.id] = topic.speaker
    frozen = frozenset(stems) if language in nlp.PREFIX_LANGUAGES else frozenset()
    return LanguageMatcher(language, pipe, matcher, frozen, speakers)


@dataclass
class TopicMatchers:
    """Lazily built per-language matchers for one taxonomy."""

    taxonomy: Taxonomy
    _by_language: dict[str, LanguageMatcher] = field(default_factory=dict)

    def language_for(self, language: str | None) -> str:
        code = nlp.pipeline_language(language)
        return code if code in self.taxonomy.languages else nlp.FALLBACK_LANGUAGE

    def for_language(self, language: str) -> LanguageMatcher:
        if language not in self._by_language:
            self._by_language[language] = build_language_matcher(self.taxonomy, language)
        return self._by_language[language]


_matchers: dict[tuple[int, str], TopicMatchers] = {}


def matchers_for(taxonomy: Taxonomy) -> TopicMatchers:
    """The cached matchers of a taxonomy (keyed by version and content)."""
    key = (taxonomy.version, repr(taxonomy))
    if key not in _matchers:
        _matchers[key] = TopicMatchers(taxonomy)
    return _matchers[key]


def _speaker_ok(wanted: Speaker | None, actual: Speaker) -> bool:
    # Mono recordings only have "unknown" turns; they count for either side rather than for nobody.
    return wanted is None or actual in (wanted, Speaker.UNKNOWN)


@dataclass
class _Tally:
    count: int = 0
    first_start: float | None = None
    evidence: list[str] = field(default_factory=list)


def _match_segment(lm: LanguageMatcher, doc: Doc, segment: SegmentData, tallies: dict[str, _Tally]) -> None:
    for match_id, start, end in lm.matcher(doc):
        topic_id = lm.nlp.vocab.strings[match_id]
        if not _speaker_ok(lm.speakers.get(topic_id), segment.speaker):
            continue
        tally = tallies[topic_id]
        tally.count += 1
        if tally.first_start is None or segment.start < tally.first_start:
            tally.first_start = segment.start
        words = doc[start:end].text
        if words not in tally.evidence and len(tally.evidence) < MAX_EVIDENCE:
            tally.evidence.append(words)


def _selected_segments(lm: LanguageMatcher, segments: Sequence[SegmentData]) -> list[SegmentData]:
    if lm.needs_agent_speech:
        return list(segments)
    return [s for s in segments if s.speaker != Speaker.AGENT]


def _doc_phrases(lm: LanguageMatcher, doc: Doc, options: PhraseOptions) -> set[str]:
    # Arrays of attribute hashes avoid creating a Token object per word (the hot loop of tagging).
    rows = doc.to_array([LEMMA, ORTH, IS_STOP, IS_ALPHA]).tolist()
    strings, stop_words = lm.nlp.vocab.strings, lm.nlp.Defaults.stop_words
    lemmas = [strings[lemma or orth] for lemma, orth, _, _ in rows]
    stops = [bool(r[2]) or lemma in stop_words for r, lemma in zip(rows, lemmas, strict=True)]
    return candidate_phrases(lemmas, stops, [bool(r[3]) for r in rows], lm.language, options)


def analyse_language_group(
    lm: LanguageMatcher, calls: Sequence[CallText], phrase_options: PhraseOptions | None
) -> list[CallAnalysis]:
    """Analyse calls that share one pipeline language, lemmatising all their segments in one stream."""
    chosen = [_selected_segments(lm, c.segments) for c in calls]
    texts = (strip_placeholders(s.text) for segs in chosen for s in segs)
    docs = lm.nlp.pipe((nlp.prepare(t, lm.language) for t in texts), batch_size=512)
    results = []
    for call, segs in zip(calls, chosen, strict=True):
        tallies: dict[str, _Tally] = defaultdict(_Tally)
        phrases: set[str] = set()
        for segment in segs:
            doc = next(docs)
            if phrase_options is not None and segment.speaker != Speaker.AGENT:
                phrases |= _doc_phrases(lm, doc, phrase_options)
            if nlp.needs_keys(lm.language, lm.stems):
                nlp.set_keys(doc, nlp.token_keys(doc, lm.language, lm.stems))
            _match_segment(lm, doc, segment, tallies)
        topics = tuple(
            TopicMatch(tid, t.count, t.first_start, "; ".join(t.evidence)) for tid, t in sorted(tallies.items())
        )
        results.append(
            CallAnalysis(call.call_id, lm.language, topics, qa_checks(call.segments, lm.language), frozenset(phrases))
        )
    return results


def analyse_calls(
    calls: Sequence[CallText], matchers: TopicMatchers, phrase_options: PhraseOptions | None = PhraseOptions()
) -> list[CallAnalysis]:
    """Topics, QA and candidate phrases of each call, in input order; phrase_options=None skips phrases."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, call in enumerate(calls):
        groups[matchers.language_for(call.language)].append(i)
    out: list[CallAnalysis | None] = [None] * len(calls)
    for language, indices in groups.items():
        lm = matchers.for_language(language)
        group = _guarded(lm, [calls[i] for i in indices], phrase_options)
        for i, analysis in zip(indices, group, strict=True):
            out[i] = analysis
    return [a for a in out if a is not None]


def _guarded(lm: LanguageMatcher, calls: list[CallText], phrase_options: PhraseOptions | None) -> list[CallAnalysis]:
    """The per-call error boundary: a call the pipeline cannot take (text stored by an older release beyond spaCy's
    limit, say) comes back with its reason, and its batch is analysed call by call so the others go through."""
    try:
        return analyse_language_group(lm, calls, phrase_options)
    except Exception as exc:  # spaCy and thinc raise far more than ValueError; which call failed is found below
        if len(calls) == 1:
            reason = f"tagging failed: {type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
            return [CallAnalysis(calls[0].call_id, lm.language, (), NO_QA, frozenset(), error=reason)]
    return [a for call in calls for a in _guarded(lm, [call], phrase_options)]


def tag_call(
    segments: Sequence[SegmentData], language: str | None, taxonomy: Taxonomy, matchers: TopicMatchers | None = None
) -> tuple[TopicMatch, ...]:
    """The topics one call is about, under `taxonomy`."""
    matchers = matchers or matchers_for(taxonomy)
    call = CallText("", language, tuple(segments))
    return analyse_calls([call], matchers, phrase_options=None)[0].topics
