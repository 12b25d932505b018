"""Whether a phrase that fires belongs to a live incident: the same problem in other words or another language.

Shared calls and phrases rising together (``co_moving``) find most of a problem's wordings. Two cases
need more: a wording in a language with few calls is too sparse to correlate hour by hour (and may cross the
bar days after the incident), and a problem's calls in two languages share no call and no word. The evidence
used then: a new word both wordings name, or that their calls set apart (the product's own name: "esim
activation", "esim aktivacija", "esim激活", and "aktivacijski kod" in calls that say "esim"), or a topic that
carries the calls of both. Rising together is not enough for two wordings in one language whose calls share no
call and no word (``talk_apart``): two problems that start the same morning follow the same daily rhythm; nor for
two wordings in different languages whose changes are hours apart (``started_apart``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detect.baseline import HOURS_PER_WEEK
from detect.decide import Decider
from detect.detector import Evaluation, segment_rates
from detect.hourly import HourlyData
from detect.slices import expected_before_change, rank_correlation

LETTER_RUN = re.compile(r"([a-z\u00c0-\u024f\u0400-\u04ff]+)")  # Latin or Cyrillic letters
CO_MOVING_HOURS = 6  # new phrases whose changes are this close (and that rise together) are one problem
CO_MOVING_LEAD_HOURS = 6  # hours before the change that anchor "flat, then rising together"
CROSS_LANGUAGE_HOURS = 1  # ...and how close the changes of two wordings in different languages must be for that
EARLY_HOURS = 72  # "already up in the incident's first days"
# ...with one call more than its share before (half a call of doubt): the wording shares the incident's new word,
# so one caller saying it early is evidence enough; a later problem that only shares the word had none
EARLY_CALLS = 0.5
NOVELTY_WEEKS = 4


def co_moving(decider: Decider, phrase: str, other: str, start: int, t: int, min_corr: float = 0.6) -> bool:
    """Whether two phrases rose together: a rank correlation of their hourly excess over baseline from a few
    quiet hours before the change (``start``) to ``t``. Excess rather than counts, and ranks rather than
    values, so a phrase with a busy everyday baseline and one new in another language still compare."""
    data, ev = decider.data, decider.phrase
    if phrase not in data.phrases or other not in data.phrases:
        return False
    lo = max(0, start - CO_MOVING_LEAD_HOURS)
    rows = [data.phrases.index(p) for p in (phrase, other)]
    a, b = (ev.counts[r, lo : t + 1] - np.nan_to_num(ev.expected[r, lo : t + 1]) for r in rows)
    if a.size < CO_MOVING_LEAD_HOURS + 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return False
    if rank_correlation(a, b) >= min_corr:
        return True
    # at a few calls an hour the excess is mostly noise: their raw counts over three days (quiet before, busy
    # after, the same daily rhythm) still show two phrases of one problem
    lo = max(0, t - 71)
    a, b = (data.phrase_counts[r, lo : t + 1] for r in rows)
    return bool(a.std() > 0 and b.std() > 0 and float(np.corrcoef(a, b)[0, 1]) >= min_corr)


def sparse_wording(
    decider: Decider,
    wording: tuple[str, Sequence[str]],
    theirs: Collection[str],
    changes: tuple[int, int],
    t: int,
) -> bool:
    """Whether a phrase is a sparse wording of the incident whose phrases and terms are ``theirs``: the phrase,
    or a term its calls set apart (``wording`` = (phrase, terms)), names a new word of theirs, and its change
    is near theirs or it was already up in the incident's first days. ``changes``: (theirs, its own); ``t``:
    the hour deciding. The terms count because a wording may lack the product's name that its calls say
    ("aktivacijski kod" in calls about a new eSIM)."""
    data, o = decider.data, decider.opts.phrase
    phrase, terms = wording
    their_change, own_change = changes
    if not new_shared_words(data, [phrase, *terms], theirs, (their_change, t), o.min_excess):
        return False
    near = abs(own_change - their_change) <= CO_MOVING_HOURS
    return near or rose_early(data, decider.phrase, phrase, changes, EARLY_CALLS, o.min_ratio)


@dataclass(frozen=True)
class Wording:
    """One side of a kinship question: the calls saying it, what they say (phrases, terms), their language."""

    calls: frozenset[str]
    said: tuple[str, ...]
    language: str | None


def talk_apart(mine: Wording, theirs: Wording) -> bool:
    """Whether two wordings in one language share no call and no word. Their hours may rise together (two
    problems the same morning follow the same daily rhythm), but one problem's callers in one language say some
    of its words in common; across languages no word need be shared, and rising together is the evidence."""
    if mine.language is None or mine.language != theirs.language or mine.calls & theirs.calls:
        return False
    return not words_of(mine.said) & words_of(theirs.said)


def started_apart(mine: Wording, theirs: Wording, hours_between: int) -> bool:
    """Whether two wordings in different languages began more than CROSS_LANGUAGE_HOURS apart. Across languages
    no word can be compared, and two problems that start the same morning rise together with the day's rhythm;
    one problem's callers in every language start calling when it starts. (Wordings that name its new word, or
    whose calls one topic carries, have joined before this is asked.)"""
    languages = (mine.language, theirs.language)
    return None not in languages and languages[0] != languages[1] and hours_between > CROSS_LANGUAGE_HOURS


def words(phrase: str) -> set[str]:
    """A phrase's words. A phrase of a script written without spaces is one token: its runs of Latin or Cyrillic
    letters (a product's name inside a Chinese phrase) and the text between them count as words."""
    parts = (part for token in phrase.lower().split() for part in LETTER_RUN.split(token))
    return {part for part in parts if any(ch.isalnum() for ch in part)}


def words_of(phrases: Collection[str]) -> set[str]:
    """The words of all ``phrases``."""
    return {w for phrase in phrases for w in words(phrase)}


def new_shared_words(
    data: HourlyData, mine: Collection[str], theirs: Collection[str], span: tuple[int, int], min_calls: float
) -> set[str]:
    """Words of ``mine`` that ``theirs`` share and that are new at ``span`` = (start, t): tracked phrases said
    them ``min_calls`` times or more in hours start .. t, and fewer in the weeks before start. The new thing's
    own name, not an everyday word such as "code" or "bill" (nor a word no tracked phrase says)."""
    start, t = span
    shared = words_of(mine) & words_of(theirs)
    lo = max(0, start - NOVELTY_WEEKS * HOURS_PER_WEEK)
    out = set()
    for word in shared:
        rows = [i for i, p in enumerate(data.phrases) if word in words(p)]
        before, since = (float(np.sum(data.phrase_counts[rows, a:b])) for a, b in ((lo, start), (start, t + 1)))
        if before < min_calls <= since:
            out.add(word)
    return out


def rose_early(
    data: HourlyData, ev: Evaluation, phrase: str, span: tuple[int, int], min_calls: float, min_ratio: float
) -> bool:
    """Whether a phrase was already up in an incident's first days, ``span`` = [start, end) cut to EARLY_HOURS,
    before its own change (``end``) was dated: ``min_calls`` calls or more above its share from the week before
    ``start``, and ``min_ratio`` times that share. Too few calls for a test, but a problem that only began at
    ``end`` has none there."""
    start, end = span[0], min(span[1], span[0] + EARLY_HOURS)
    if phrase not in data.phrases or end <= start:
        return False
    row = data.phrases.index(phrase)
    expected = expected_before_change(ev.expected[row], data.total, start, start, end - 1)
    rates = segment_rates(ev.counts[row], expected, start, end - 1)
    return rates.excess >= min_calls and rates.ratio >= min_ratio


def carry_one_topic(mine: Mapping[str, set[str]], theirs: Mapping[str, set[str]]) -> bool:
    """Whether one topic carries at least half of each side's calls (call id -> its topics)."""
    return bool(mine) and bool(theirs) and bool(_carried(mine) & _carried(theirs))


def _carried(calls: Mapping[str, set[str]]) -> set[str]:
    counts = Counter(topic for topics in calls.values() for topic in topics)
    return {t for t, n in counts.items() if n * 2 >= len(calls)}
