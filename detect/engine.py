"""The detect job: decide every complete hourly bucket, causally, live (since a watermark) or as a replay."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import Database
from core.models import DETECT_WATERMARK, Alert, AlertKind, AppMeta
from core.progress import NoProgress, Progress
from core.settings import get_settings
from detect import evidence
from detect.backtest import carry_over, keep_actions
from detect.baseline import HOURS_PER_WEEK, BaselineOptions
from detect.decide import Decider, DetectOptions
from detect.hourly import HOUR, bucket_range, load_hourly
from detect.incidents import (
    PLACE_SETTLES,
    RECOVERY_WATCH,
    IncidentBook,
    Signal,
    raise_severity,
    resolved_by,
    severity_of,
)
from detect.kinship import (
    CO_MOVING_HOURS,
    Wording,
    carry_one_topic,
    co_moving,
    sparse_wording,
    started_apart,
    talk_apart,
)
from detect.silence import SILENCE_KEY
from detect.slices import recent_day
from detect.wordings import name_after_main_phrase, size_of_wordings, where_calls_sit

WATERMARK_KEY = DETECT_WATERMARK
# Everything a decision at hour t reads lies within this many hours before t (4 weekly blocks behind a one-day
# guard, the one-week change search), so a live run loading only this much decides exactly like a replay.
CONTEXT_HOURS = 5 * HOURS_PER_WEEK + 200


@dataclass(frozen=True)
class DetectionReport:
    replay: bool
    buckets: int
    first_bucket: datetime | None
    last_bucket: datetime | None
    new_alert_ids: tuple[int, ...] = ()
    updated_alert_ids: tuple[int, ...] = ()
    seconds: float = 0.0


@dataclass
class _Run:
    book: IncidentBook
    created: list[Alert] = field(default_factory=list)
    updated: set[int] = field(default_factory=set)
    related: dict[str, set[str]] = field(default_factory=dict)  # emerging key -> calls with the phrase


def default_options() -> DetectOptions:
    s = get_settings().detect
    base = DetectOptions()
    share = replace(base.share, min_ratio=s.min_ratio, min_excess=s.min_excess_calls)
    return replace(base, share=share, min_history_hours=24 * s.min_history_days)


def run_detection(
    db: Database,
    now: datetime | None = None,
    replay: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Progress | None = None,
    options: DetectOptions | None = None,
) -> DetectionReport:
    """Live: buckets after the stored watermark up to the last complete one before ``now``.
    Replay: the same decisions over stored history (``since``..``until``), alerts marked replay=True."""
    started = time.monotonic()
    opts = options or default_options()
    bar = progress or NoProgress()
    with db.session() as session:
        span = _decision_span(session, now, replay, since, until, opts)
        if span is None:
            return DetectionReport(replay, 0, None, None)
        first_data, first, last = span
        kept = []
        if replay:
            in_range = (Alert.replay.is_(True), Alert.detected_at >= first + HOUR, Alert.detected_at <= last + HOUR)
            kept = keep_actions(list(session.scalars(select(Alert).where(*in_range))))
            session.execute(delete(Alert).where(*in_range))
        cooldown = timedelta(hours=get_settings().detect.cooldown_hours)
        known = list(session.scalars(select(Alert).where(Alert.replay.is_(replay), Alert.detected_at <= first + HOUR)))
        if replay:
            _as_of(known, first)
        lo = _context_start(known, first, cooldown)
        data = load_hourly(session, max(first_data, lo), last, opts.phrase.least_excess)
        run = _Run(IncidentBook(cooldown, replay))
        run.book.load(known)
        decider = Decider(data, opts, data.index_of(first_data))
        bar.start("detect" + (" (replay)" if replay else ""), total=data.index_of(last) - data.index_of(first) + 1)
        for t in range(data.index_of(first), data.index_of(last) + 1):
            _decide_hour(session, run, decider, t)
            bar.advance(1, data.at(t).strftime("%Y-%m-%d %H:00"))
        bar.finish()
        _size_by_wordings(session, run, decider)
        found_again = carry_over(kept, run.created)
        session.add_all(run.created)
        if not replay:
            _set_watermark(session, last)
        session.flush()
        new_ids = tuple(a.id for a in run.created if a.id not in found_again)
        updated = tuple(sorted((run.updated | found_again) - set(new_ids)))
    return DetectionReport(
        replay,
        data.index_of(last) - data.index_of(first) + 1,
        first,
        last,
        new_ids,
        updated,
        time.monotonic() - started,
    )


def _decision_span(
    session: Session,
    now: datetime | None,
    replay: bool,
    since: datetime | None,
    until: datetime | None,
    opts: DetectOptions,
) -> tuple[datetime, datetime, datetime] | None:
    stored = bucket_range(session)
    if stored is None:
        return None
    first_data, last_data = stored
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    last_complete = moment.replace(minute=0, second=0, microsecond=0) - HOUR
    last = min(last_data, last_complete)
    first = first_data + opts.min_history_hours * HOUR
    if replay:
        if since is not None:
            first = max(first, since.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
        if until is not None:  # as of ``until``, like ``now``: the buckets complete by then
            last = min(last, until.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - HOUR)
    else:
        mark = session.get(AppMeta, WATERMARK_KEY)
        if mark is not None:
            first = max(first, datetime.fromisoformat(mark.value) + HOUR)
    return (first_data, first, last) if first <= last else None


def _as_of(known: list[Alert], first: datetime) -> None:
    """A replay that resumes at ``first`` takes the incidents an earlier backtest found before it as they stood
    then: how they ran afterwards came from data that may have changed since (re-tagged calls), and an incident
    kept live by it would swallow a rise the new data shows. The replay extends them again where they go on."""
    for alert in known:
        if alert.last_seen_at > first:
            alert.last_seen_at = max(first, alert.detected_at)


def _context_start(known: list[Alert], first: datetime, cooldown: timedelta) -> datetime:
    """Where a run must start loading: CONTEXT_HOURS before its first bucket, and a week before the change of
    every incident still live. "Still elevated?" compares against the share of the week before the change,
    however long ago that was; a live run must see it as a replay does."""
    lo = first - CONTEXT_HOURS * HOUR
    live = [
        a.change_at
        for a in known
        if a.last_seen_at >= first - cooldown or (a.resolved_at is not None and a.resolved_at >= first - RECOVERY_WATCH)
    ]
    return min([lo, *(c - HOURS_PER_WEEK * HOUR for c in live)])


def _set_watermark(session: Session, last: datetime) -> None:
    row = session.get(AppMeta, WATERMARK_KEY)
    if row is None:
        session.add(AppMeta(key=WATERMARK_KEY, value=last.isoformat()))
    else:
        row.value = last.isoformat()


def _decide_hour(session: Session, run: _Run, decider: Decider, t: int) -> None:
    alarming: set[str] = set()
    for signal in decider.topic_signals(t) + decider.volume_signals(t) + decider.drop_signals(t):
        alarming.add(signal.key)
        _record(session, run, signal)
    for signal in decider.phrase_signals(t):
        alarming.add(signal.key)
        _record_phrase(session, run, decider, signal)
    now = decider.data.at(t) + HOUR
    for alert in run.book.watched(now):
        if alert.incident_key in alarming or alert.incident_key == SILENCE_KEY:  # the intake check keeps that one
            continue
        running = decider.still_elevated(*_series_of(alert), t, since=_change_of(decider, alert))
        if resolved_by(alert, now):
            _watch_fix(run, decider, alert, t, running is not None)
        elif running is not None:
            run.book.touch(alert, now, running)
            _settle_where(decider, alert, t)
            if alert.id is not None:
                run.updated.add(alert.id)
    run.book.watch_recovery(alarming, now)


def _watch_fix(run: _Run, decider: Decider, alert: Alert, t: int, above_before: bool) -> None:
    """A resolved incident: live while above its adapting baseline too; its fix judged on the whole hours since
    the resolve, once they had calls enough to show the problem."""
    now = decider.data.at(t) + HOUR
    series = _series_of(alert)
    run.book.touch_resolved(alert, now, above_before and decider.still_elevated(*series, t) is not None)
    fixed = decider.data.index_of((alert.resolved_at or now) + HOUR - timedelta(microseconds=1))  # next whole hour
    if alert.kind == AlertKind.VOLUME and alert.dimension:  # a drop: are the place's calls back?
        down = decider.still_down(dict(alert.dimension), fixed, t)
        if down is not None:
            run.book.judge_fix(alert, now, down)
        return
    if decider.heard_since(*series, fixed, t):
        after_fix = decider.still_elevated(*series, t, since=_change_of(decider, alert), after=fixed)
        run.book.judge_fix(alert, now, after_fix is not None)


def _settle_where(decider: Decider, alert: Alert, t: int) -> None:
    """A topic incident named "everywhere" is re-read for its first days: at a few calls an hour its first alarm
    has too few calls to tell where the rise sits, the next days more (the same tests name it, so a rise across
    the topic's usual routing stays "everywhere")."""
    now = decider.data.at(t) + HOUR
    change = _change_of(decider, alert)
    if alert.kind != AlertKind.TOPIC or alert.dimension or change is None or alert.topic_id is None:
        return
    if now - alert.detected_at <= PLACE_SETTLES:
        alert.dimension = decider.where_it_sits(alert.topic_id, change, t)


def _series_of(alert: Alert) -> tuple[AlertKind, str | None, str | None, dict[str, str]]:
    return AlertKind(alert.kind), alert.topic_id, alert.phrase, dict(alert.dimension or {})


def _change_of(decider: Decider, alert: Alert) -> int | None:
    """The hour of the incident's change in the loaded data; None when it lies before it."""
    change = decider.data.index_of(alert.change_at)
    return change if change >= 0 else None


def _record(session: Session, run: _Run, signal: Signal) -> None:
    if _absorb_emerging(session, run, signal):
        return
    alert, created = run.book.observe(signal)
    if not created:
        if alert.id is not None:
            run.updated.add(alert.id)
        return
    run.created.append(alert)
    if signal.kind == AlertKind.TOPIC and signal.topic_id is not None:
        spike, terms = evidence.topic_terms(
            session, signal.topic_id, signal.dimension, signal.change_at, signal.seen_at
        )
        alert.example_call_ids, alert.top_terms = spike[: evidence.EXAMPLE_CALLS], terms
        alert.mean_call_s = evidence.mean_length(session, spike)
    elif signal.kind == AlertKind.VOLUME and signal.ratio > 1.0:  # everyone calling more: their calls' length
        alert.mean_call_s = evidence.mean_length(
            session, evidence.recent_calls(session, signal.change_at, signal.seen_at, 200)
        )


def _absorb_emerging(session: Session, run: _Run, signal: Signal) -> bool:
    """A topic that fires after a live emerging phrase whose calls it mostly carries is that phrase's incident
    (a new fee named in the customers' words hours before the topic's own test is sure): promote, not repeat."""
    book = run.book
    if signal.kind != AlertKind.TOPIC or signal.topic_id is None or book.is_live(signal.key, signal.seen_at):
        return False
    for alert in book.active(signal.seen_at):
        if alert.kind != AlertKind.EMERGING:
            continue
        calls = sorted(run.related.get(alert.incident_key) or set(alert.example_call_ids or []))
        topics = evidence.topics_of(session, calls)
        if calls and sum(signal.topic_id in topics.get(c, set()) for c in calls) * 2 >= len(calls):
            phrase_terms = list(alert.top_terms or [])
            book.promote(alert, signal)
            spike, terms = evidence.topic_terms(
                session, signal.topic_id, signal.dimension, alert.change_at, signal.seen_at
            )
            alert.example_call_ids = spike[: evidence.EXAMPLE_CALLS] or alert.example_call_ids
            alert.top_terms = list(dict.fromkeys([*phrase_terms[:1], *terms, *phrase_terms[1:]]))[:12]
            if alert.id is not None:
                run.updated.add(alert.id)
            return True
    return False


def _record_phrase(session: Session, run: _Run, decider: Decider, signal: Signal) -> None:
    book = run.book
    if book.is_live(signal.key, signal.seen_at):
        alert, _ = book.observe(signal)
        if alert.id is not None:
            run.updated.add(alert.id)
        return
    if book.merged_into_live(signal.key, signal.seen_at):
        return
    phrase = signal.phrase or ""
    calls = evidence.phrase_calls(session, phrase, signal.change_at, signal.seen_at, 50)
    signal = replace(signal, related_call_ids=tuple(calls))

    mine = evidence.topics_of(session, calls)
    before = evidence.recent_calls(session, signal.change_at - timedelta(days=7), signal.change_at, 300)
    terms = evidence.distinguishing_terms(session, calls, before) if calls else []
    t = decider.data.index_of(signal.seen_at - HOUR)
    my_side = Wording(frozenset(calls), (phrase, *terms), evidence.main_language(session, calls))

    def same_problem(other: Alert) -> bool:
        theirs = run.related.get(other.incident_key) or set()
        if other.kind == AlertKind.EMERGING:
            theirs = theirs or set(other.example_call_ids or [])
            if carry_one_topic(mine, evidence.topics_of(session, sorted(theirs))):
                return True
        if calls and theirs and len(theirs & set(calls)) * 3 >= min(len(theirs), len(calls)):
            return True
        start, end = (decider.data.index_of(a.change_at) for a in (other, signal))
        their_words = [*book.phrases_of(other), *(other.top_terms or [])]
        if sparse_wording(decider, (phrase, terms), their_words, (start, end), t):
            return True
        if abs(end - start) > CO_MOVING_HOURS:
            return False
        their_calls = sorted(theirs)
        their_side = Wording(frozenset(theirs), tuple(their_words), evidence.main_language(session, their_calls))
        if talk_apart(my_side, their_side) or started_apart(my_side, their_side, abs(end - start)):
            return False
        return any(co_moving(decider, phrase, p, min(start, end), t) for p in book.phrases_of(other))

    target = book.find_merge_target(signal, mine, same_problem)
    if target is not None:
        book.merge(target, signal)
        if target.id is not None:
            run.updated.add(target.id)
        run.related.setdefault(target.incident_key, set()).update(calls)
        if target.kind == AlertKind.EMERGING:
            name_after_main_phrase(book, decider, target)
            # a target from an earlier run brings only its example calls: theirs and the newcomer's together
            calls_of_both = run.related[target.incident_key] | set(target.example_call_ids or [])
            target.dimension = where_calls_sit(session, decider.opts, calls_of_both, target)
        return
    if evidence.few_callers(session, calls):
        return  # one or two callers repeating themselves; the phrase may fire again when others say it
    alert, _ = book.observe(signal)
    run.created.append(alert)
    run.related[signal.key] = set(calls)
    alert.mean_call_s = evidence.mean_length(session, calls)
    alert.dimension = where_calls_sit(session, decider.opts, calls, alert)
    alert.top_terms = [phrase, *[term for term in terms if term != phrase]][:10]


def _size_by_wordings(session: Session, run: _Run, decider: Decider) -> None:
    """The emerging incidents this run saw are sized by all their wordings: each hourly series counts one."""
    for alert in run.book.latest.values():
        if alert.kind != AlertKind.EMERGING or not (alert in run.created or alert.id in run.updated):
            continue
        t = decider.data.index_of(alert.last_seen_at - HOUR)
        day_start = decider.data.at(recent_day(decider.data.total, t, decider.opts.rate_hours))
        size = size_of_wordings(session, run.book.phrases_of(alert), alert, day_start)
        if size is None:
            continue
        alert.excess_calls = max(alert.excess_calls or 0.0, size.extra_calls)
        if size.rated:
            alert.baseline_rate, alert.current_rate, alert.ratio = size.baseline_rate, size.current_rate, size.ratio
            raise_severity(alert, severity_of(size.baseline_rate, size.current_rate, size.ratio))


__all__ = ["BaselineOptions", "DetectionReport", "run_detection"]
