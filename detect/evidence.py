"""What an alert shows: example calls from the spike window and the words that set them apart."""

from __future__ import annotations

import importlib
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.models import Call, CallStatus, PhraseBucket, Segment, Speaker, TopicHit
from core.records import SegmentData
from core.spoken_words import folded_column, phrase_stems
from detect.tagging import CallText, analyse_calls, matchers_for
from detect.taxonomy import active_taxonomy

TermFinder = Callable[[list[str], list[str], str, int], list[str]]
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def topic_calls(
    session: Session, topic_id: str, dimension: dict[str, str], start: datetime, end: datetime, limit: int
) -> list[str]:
    conds = [TopicHit.topic_id == topic_id, Call.started_at >= start, Call.started_at < end]
    conds.append(Call.status == CallStatus.TAGGED)
    if "queue" in dimension:
        conds.append(Call.queue == dimension["queue"])
    if "language" in dimension:
        conds.append(Call.language == dimension["language"])
    stmt = select(Call.id).join(TopicHit, TopicHit.call_id == Call.id).where(and_(*conds))
    return list(session.scalars(stmt.order_by(Call.started_at.desc()).limit(limit)))


VERIFY_PAGE, VERIFY_PAGES = 200, 5  # stems match far more calls than say a phrase made of common words


def phrase_calls(session: Session, phrase: str, start: datetime, end: datetime, limit: int) -> list[str]:
    """Calls of [start, end) that said the phrase as the tagger counted it: their customer (or unknown) speech,
    read again, holds it. Stems alone match calls where the words stand apart ("Yes, hello." for "yes hello"):
    their words would become the alert's terms and their calls its examples, and the phrase would share no call
    with the wordings of its own problem. Without a taxonomy to read calls with, the stem matches."""
    taxonomy = active_taxonomy(session)
    if taxonomy is None:
        return _stem_matches(session, phrase, (start, end), limit)
    said: list[str] = []
    for page in range(VERIFY_PAGES):
        candidates = _stem_matches(session, phrase, (start, end), VERIFY_PAGE, page * VERIFY_PAGE)
        texts = call_texts(session, candidates)
        said += [a.call_id for a in analyse_calls(texts, matchers_for(taxonomy)) if phrase in a.phrases]
        if len(said) >= limit or len(candidates) < VERIFY_PAGE:
            break
    return said[:limit]


def call_texts(session: Session, call_ids: Sequence[str]) -> list[CallText]:
    """The calls' turns, as tagging reads them."""
    rows = session.execute(select(Call.id, Call.language).where(Call.id.in_(list(call_ids))))
    languages = {call_id: language for call_id, language in rows}
    turns: dict[str, list[SegmentData]] = {c: [] for c in languages}
    segments = session.execute(
        select(Segment.call_id, Segment.start, Segment.end, Segment.speaker, Segment.text)
        .where(Segment.call_id.in_(list(languages)))
        .order_by(Segment.call_id, Segment.idx)
    )
    for r in segments:
        turns[r.call_id].append(SegmentData(r.start, r.end, Speaker(r.speaker), r.text))
    return [CallText(c, languages[c], tuple(turns[c])) for c in call_ids if c in languages]


def _stem_matches(
    session: Session, phrase: str, span: tuple[datetime, datetime], limit: int, offset: int = 0
) -> list[str]:
    """Calls whose customer (or unknown) speech has every word of the (lemmatised) phrase, matched by word stem.
    A lemma need not share its stem with the spoken form ("брать" of "берут"): when no call has every stem, the
    calls that have all but one of them."""
    stems = phrase_stems(phrase)
    found = _calls_saying(session, stems, span, limit, offset)
    if found or len(stems) < 2 or offset:
        return found
    out: dict[str, None] = {}
    for skip in range(len(stems)):
        out.update(dict.fromkeys(_calls_saying(session, stems[:skip] + stems[skip + 1 :], span, limit)))
    return list(out)[:limit]


def _customer_turns(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    """Turns of calls begun in [start, end) that are not the agent's: mono recordings have unknown turns, and
    their phrases were counted, so their calls are found too."""
    in_window = select(Call.id).where(Call.started_at >= start, Call.started_at < end)
    return [Segment.call_id.in_(in_window), Segment.speaker != Speaker.AGENT]


def _says_all(session: Session, stems: Sequence[str]) -> ColumnElement[bool]:
    text = folded_column(Segment.text, session.get_bind().dialect.name)
    return and_(*(text.contains(s, autoescape=True) for s in stems))


def _calls_saying(
    session: Session, stems: list[str], span: tuple[datetime, datetime], limit: int, offset: int = 0
) -> list[str]:
    stmt = select(Segment.call_id).where(*_customer_turns(*span), _says_all(session, stems)).distinct()
    return list(session.scalars(stmt.order_by(Segment.call_id).limit(limit).offset(offset)))


def calls_saying_any(session: Session, phrases: Sequence[str], start: datetime, end: datetime) -> int:
    """How many calls of [start, end) have, in one customer (or unknown) turn, every word of some phrase."""
    each = [_says_all(session, stems) for stems in map(phrase_stems, phrases) if stems]
    if not each:
        return 0
    stmt = select(func.count(func.distinct(Segment.call_id))).where(*_customer_turns(start, end), or_(*each))
    return int(session.scalar(stmt) or 0)


def stems_track(session: Session, phrase: str, start: datetime, end: datetime, slack: float = 2.0) -> bool:
    """Whether calls matched by the phrase's stems over [start, end) are about the calls that said the phrase (at
    most ``slack`` times as many, and a call or two): the stems of "yes hello" match every "Yes, hello.", those
    of "activation code" only calls about it."""
    counted = session.scalar(
        select(func.coalesce(func.sum(PhraseBucket.count), 0)).where(
            PhraseBucket.phrase == phrase, PhraseBucket.bucket_start >= start, PhraseBucket.bucket_start < end
        )
    )
    return calls_saying_any(session, [phrase], start, end) <= slack * float(counted or 0) + 2


def calls_between(session: Session, start: datetime, end: datetime) -> int:
    stmt = select(func.count()).select_from(Call).where(Call.started_at >= start, Call.started_at < end)
    return int(session.scalar(stmt) or 0)


def dimension_counts(
    session: Session, call_ids: Sequence[str], start: datetime, end: datetime
) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per dimension (queue, language): how ``call_ids`` spread over its values, and how all calls of
    [start, end) do."""
    out: dict[str, tuple[Counter[str], Counter[str]]] = {}
    window = (Call.started_at >= start, Call.started_at < end)
    for dim, col in (("queue", Call.queue), ("language", Call.language)):
        part = Counter(v for v in session.scalars(select(col).where(Call.id.in_(list(call_ids)))) if v)
        rows = session.execute(select(col, func.count()).where(*window).group_by(col))
        out[dim] = (part, Counter({str(v): int(n) for v, n in rows if v}))
    return out


def recent_calls(session: Session, start: datetime, end: datetime, limit: int) -> list[str]:
    """A reference sample: the latest calls of a period."""
    stmt = select(Call.id).where(Call.started_at >= start, Call.started_at < end).order_by(Call.started_at.desc())
    return list(session.scalars(stmt.limit(limit)))


MIN_TIMED_CALLS = 3  # fewer calls of known length say little about how long the incident's calls take


def mean_length(session: Session, call_ids: Sequence[str]) -> float | None:
    """The average length in seconds of the calls whose length is known; None for fewer than MIN_TIMED_CALLS."""
    if not call_ids:
        return None
    known = (Call.id.in_(list(call_ids)), Call.duration_s.is_not(None), Call.duration_s > 0)
    n, mean = session.execute(select(func.count(), func.avg(Call.duration_s)).where(*known)).one()
    return float(mean) if n >= MIN_TIMED_CALLS and mean is not None else None


def topics_of(session: Session, call_ids: Sequence[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {c: set() for c in call_ids}
    if call_ids:
        for call_id, topic in session.execute(
            select(TopicHit.call_id, TopicHit.topic_id).where(TopicHit.call_id.in_(list(call_ids)))
        ):
            out[call_id].add(topic)
    return out


def customer_texts(session: Session, call_ids: Sequence[str]) -> tuple[list[str], str]:
    """Customer text per call, and the calls' most common language."""
    if not call_ids:
        return [], "en"
    texts: dict[str, list[str]] = {}
    rows = session.execute(
        select(Segment.call_id, Segment.text)
        .where(Segment.call_id.in_(list(call_ids)), Segment.speaker == Speaker.CUSTOMER)
        .order_by(Segment.call_id, Segment.idx)
    )
    for call_id, text in rows:
        texts.setdefault(call_id, []).append(text)
    return [" ".join(t) for t in texts.values()], main_language(session, call_ids) or "en"


def few_callers(session: Session, call_ids: Sequence[str], least: int = 3) -> bool:
    """Whether calls whose callers are known came from fewer than ``least`` callers: one customer calling again
    and again says the same words (their name, their contract) in every call, which is no problem of many.
    Calls of unknown callers (no caller id) leave it open: False."""
    hashes = list(session.scalars(select(Call.caller_hash).where(Call.id.in_(list(call_ids))))) if call_ids else []
    known = [h for h in hashes if h]
    return len(known) * 2 >= len(hashes) > 0 and len(set(known)) < least


def main_language(session: Session, call_ids: Sequence[str]) -> str | None:
    """The calls' most common known language."""
    if not call_ids:
        return None
    langs = Counter(session.scalars(select(Call.language).where(Call.id.in_(list(call_ids)))))
    return next((lang for lang, _ in langs.most_common() if lang), None)


def frequency_keyness(target: list[str], reference: list[str], language: str, k: int) -> list[str]:
    """Words much more common in the target calls than in the reference (smoothed log-ratio, per call)."""

    def doc_freq(texts: list[str]) -> Counter[str]:
        return Counter(w for t in texts for w in set(_WORD.findall(t.lower())))

    tf, rf = doc_freq(target), doc_freq(reference)
    nt, nr = max(1, len(target)), max(1, len(reference))
    scored = [
        (math.log(((c + 0.5) / nt) / ((rf.get(w, 0) + 0.5) / nr)), w) for w, c in tf.items() if c >= max(2, nt // 10)
    ]
    return [w for s, w in sorted(scored, reverse=True) if s > 0.5][:k]


def term_finder() -> TermFinder:
    """The shared keyness function when the NLP package provides one; word log-ratios otherwise."""
    try:
        module = importlib.import_module("detect.keyness")
    except ImportError:
        return frequency_keyness
    found = getattr(module, "distinguishing_terms", None)
    return found if callable(found) else frequency_keyness


def distinguishing_terms(
    session: Session, target_ids: Sequence[str], reference_ids: Sequence[str], k: int = 8
) -> list[str]:
    target, language = customer_texts(session, target_ids)
    reference, _ = customer_texts(session, reference_ids)
    if not target:
        return []
    try:
        return list(term_finder()(target, reference, language, k))[:k]
    except Exception:
        return frequency_keyness(target, reference, language, k)


EXAMPLE_CALLS = 10


def topic_terms(
    session: Session, topic_id: str, dimension: dict[str, str], change_at: datetime, seen_at: datetime
) -> tuple[list[str], list[str]]:
    """(the spike's calls, newest first, up to 200; top terms) for a topic incident: spike calls against the week
    before the change. Its first EXAMPLE_CALLS calls are the alert's examples."""
    spike = topic_calls(session, topic_id, dimension, change_at, seen_at, 200)
    before = topic_calls(session, topic_id, dimension, change_at - timedelta(days=7), change_at, 400)
    return spike, distinguishing_terms(session, spike, before)
