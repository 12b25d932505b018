"""An emerging incident and its wordings: which one names it, where its calls sit, how many extra calls it has.

A new problem is said in many ways and languages ("esim activation", "activation code", "esim aktivacija"); the
incident carries all of them, so its name, place and size are read off all of them, not off the first to fire.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.models import Alert
from detect import evidence
from detect.decide import Decider, DetectOptions
from detect.hourly import HOUR
from detect.incidents import IncidentBook
from detect.slices import concentration_in_calls

REFERENCE = timedelta(days=7)  # the wordings' share of calls before the change is read over this long


def where_calls_sit(session: Session, opts: DetectOptions, calls: Collection[str], alert: Alert) -> dict[str, str]:
    """Where an emerging problem sits: the queue or language holding most of its calls, when they sit there far
    more than calls in general do (the same share and nats as a topic's slice); else everywhere."""
    best: tuple[float, dict[str, str]] = (opts.concentration_nats, {})
    spread = evidence.dimension_counts(session, sorted(calls), alert.change_at, alert.last_seen_at)
    for dim, (part, whole) in spread.items():
        llr, value = concentration_in_calls(part, whole, opts.concentration)
        if value is not None and llr > best[0]:
            best = (llr, {dim: value})
    return best[1]


def name_after_main_phrase(book: IncidentBook, decider: Decider, alert: Alert) -> None:
    """An emerging incident is named after the phrase of its group that carries the most extra calls since
    the change (the problem itself, e.g. "esim activation", rather than whichever wording fired first)."""
    members = [alert.phrase or "", *(k.split(":", 1)[1] for k, a in book.merged.items() if a is alert)]
    t = decider.data.index_of(alert.last_seen_at - HOUR)
    start = max(0, decider.data.index_of(alert.change_at))
    best = max(members, key=lambda p: decider.phrase_excess(p, start, t))
    if best != alert.phrase:
        alert.phrase = best
        alert.top_terms = [best, *[term for term in alert.top_terms or [] if term != best]][:12]


@dataclass(frozen=True)
class WordingsSize:
    extra_calls: float  # since the change
    baseline_rate: float  # calls an hour over the last day, at the wordings' share before the change
    current_rate: float  # calls an hour over the last day

    @property
    def rated(self) -> bool:
        """Whether there is a level to compare with: calls in the week before the change and over the last day."""
        return self.baseline_rate > 0

    @property
    def ratio(self) -> float:
        return self.current_rate / self.baseline_rate if self.rated else float("inf")


def size_of_wordings(
    session: Session, phrases: Collection[str], alert: Alert, day_start: datetime
) -> WordingsSize | None:
    """How big an incident said in several wordings is: calls saying any of them (each call once), against as
        many as said one in the week before, at the same share of all calls (half a call at least: a new thing's
        wordings had none; no share at all without calls that week). Rates over the last day (from ``day_start``),
        extra calls since the change. None for a single wording: its own series already sizes it. Wordings whose stems
    match far more calls than said them are left out (see ``stems_track``)."""
    start, end = alert.change_at, alert.last_seen_at
    # a wording whose stems match far more calls than said it would size the incident by everyday speech
    ordered = sorted(p for p in phrases if evidence.stems_track(session, p, start, end))
    if len(ordered) < 2:
        return None
    said_before = evidence.calls_saying_any(session, ordered, start - REFERENCE, start)
    calls_before = evidence.calls_between(session, start - REFERENCE, start)
    share = (said_before + 0.5) / calls_before if calls_before else 0.0
    said = evidence.calls_saying_any(session, ordered, start, end)
    day_from = max(start, day_start)
    hours = max(1.0, (end - day_from) / HOUR)
    expected_day = share * evidence.calls_between(session, day_from, end)
    return WordingsSize(
        extra_calls=said - share * evidence.calls_between(session, start, end),
        baseline_rate=expected_day / hours,
        current_rate=evidence.calls_saying_any(session, ordered, day_from, end) / hours,
    )
