"""One incident, one alert: turn per-hour signals into alerts that open once, update while elevated,
stay quiet through a cool-down, and report whether volume fell back after ops resolved them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.models import Alert, AlertKind, AlertStatus, Severity
from detect.detector import SegmentRates

RECOVERY_WATCH = timedelta(days=14)  # how long after a resolve "did the fix work?" is still answered
DIMENSION_SETTLES = timedelta(hours=24)  # where a topic's rise sits is re-read this long after detection
PLACE_SETTLES = timedelta(hours=72)  # ...and this long for one first named "everywhere" (its first calls were few)
BACK_TO_BASELINE = "back_to_baseline"
STILL_ELEVATED = "still_elevated"


@dataclass(frozen=True)
class Running:
    """A live incident's series at one hour, still above baseline without alarming anew."""

    last_day: SegmentRates  # the rates an alert reports
    # calls above baseline from the change to that hour: for topics and phrases at their share from before the
    # change, for total volume against its adapting baseline (which has no share to hold)
    excess_since_change: float


@dataclass(frozen=True)
class Signal:
    """One series elevated at one decided hour."""

    kind: AlertKind
    topic_id: str | None
    phrase: str | None
    dimension: dict[str, str]
    change_at: datetime
    seen_at: datetime  # end of the decided bucket: when the evidence was complete
    baseline_rate: float
    current_rate: float
    ratio: float
    related_call_ids: tuple[str, ...] = ()
    excess_calls: float = 0.0  # calls above baseline from change_at to seen_at
    whole_topic: bool = False  # decided on the topic's overall row: its dimension is the latest concentration

    @property
    def key(self) -> str:
        if self.kind == AlertKind.VOLUME and self.dimension:  # one queue's calls, not all calls
            return f"{self.kind.value}:" + ",".join(f"{k}={v}" for k, v in sorted(self.dimension.items()))
        return incident_key(self.kind, self.topic_id, self.phrase)


def incident_key(kind: AlertKind, topic_id: str | None, phrase: str | None) -> str:
    # Dimensions are left out on purpose: a topic spike and its queue slice are one incident.
    return f"{kind.value}:{topic_id or phrase or '*'}"


DROPPED = 0.2  # a ratio this low comes only from a queue's drop test (every other test alarms on rises)


def severity_of(baseline_rate: float, current_rate: float, ratio: float) -> Severity:
    """From magnitude and volume: many extra calls per hour, or a multiple of the usual rate; calls that stopped
    reaching a queue (at most a fifth of its usual) are high, as its callers cannot get through."""
    if ratio <= DROPPED:
        return Severity.HIGH
    excess = current_rate - baseline_rate
    if excess >= 5.0 or (ratio >= 4.0 and excess >= 2.0):
        return Severity.HIGH
    if excess >= 1.5 or ratio >= 3.0:
        return Severity.MEDIUM
    return Severity.LOW


_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


@dataclass
class IncidentBook:
    """The newest alert per incident key, kept in memory while the engine walks hours."""

    cooldown: timedelta
    replay: bool
    latest: dict[str, Alert] = field(default_factory=dict)
    merged: dict[str, Alert] = field(default_factory=dict)  # phrase key -> the incident it joined

    def load(self, alerts: list[Alert]) -> None:
        for alert in sorted(alerts, key=lambda a: a.detected_at):
            self.latest[alert.incident_key] = alert
            for key in alert.merged_keys or []:
                self.merged[key] = alert

    def _join(self, key: str, alert: Alert) -> None:
        self.merged[key] = alert
        if key not in (alert.merged_keys or []):
            alert.merged_keys = [*(alert.merged_keys or []), key]

    def active(self, now: datetime) -> list[Alert]:
        return [a for a in self.latest.values() if now - a.last_seen_at <= self.cooldown]

    def watched(self, now: datetime) -> list[Alert]:
        """Incidents whose level is read at ``now``: the live ones, and resolved ones whose fix is still judged."""
        return [a for a in self.latest.values() if now - a.last_seen_at <= self.cooldown or _judging_fix(a, now)]

    def find_merge_target(
        self, signal: Signal, call_topics: dict[str, set[str]], same_problem: Callable[[Alert], bool]
    ) -> Alert | None:
        """The live incident a phrase belongs to: a topic carried by most of the phrase's calls (an emerging
        problem is one no topic covers), else a topic or emerging incident that ``same_problem`` recognises
        (calls shared with its phrases, or rising together with one of them)."""
        mine = set(signal.related_call_ids)
        candidates = [a for a in self.active(signal.seen_at) if a.incident_key != signal.key]
        for alert in candidates:
            if alert.kind == AlertKind.TOPIC and alert.topic_id is not None and mine:
                carrying = sum(1 for c in mine if alert.topic_id in call_topics.get(c, set()))
                if carrying * 2 >= len(mine):
                    return alert
        for alert in candidates:
            if alert.kind in (AlertKind.TOPIC, AlertKind.EMERGING) and same_problem(alert):
                return alert
        return None

    def phrases_of(self, alert: Alert) -> list[str]:
        """The phrases an incident stands for: its own (as first keyed and as now named) and those merged in."""
        own = [alert.incident_key.split(":", 1)[1]] if alert.kind == AlertKind.EMERGING else []
        own += [alert.phrase] if alert.phrase else []
        merged = [k.split(":", 1)[1] for k, a in self.merged.items() if a is alert]
        return list(dict.fromkeys([*own, *merged]))

    def merge(self, alert: Alert, signal: Signal) -> None:
        """A phrase riding on a live incident becomes one of its terms instead of a second alert."""
        phrase = signal.phrase or ""
        terms: list[Any] = list(alert.top_terms or [])
        if phrase not in terms and len(terms) < 12:
            alert.top_terms = [*terms, phrase]
        self._join(signal.key, alert)

    def promote(self, alert: Alert, signal: Signal) -> None:
        """An emerging incident whose calls turn out to carry a topic that now fires becomes that topic's
        incident: one alert, detected when the phrase first showed it, now with the topic and where it sits."""
        old_key, phrase = alert.incident_key, alert.phrase
        if self.latest.get(old_key) is alert:
            del self.latest[old_key]
        self._join(old_key, alert)
        alert.kind, alert.topic_id, alert.phrase = signal.kind, signal.topic_id, None
        alert.incident_key = signal.key
        alert.dimension = dict(signal.dimension)
        alert.change_at = min(alert.change_at, signal.change_at)
        update(alert, signal)
        if phrase and phrase not in (alert.top_terms or []):
            alert.top_terms = [phrase, *(alert.top_terms or [])][:12]
        self.latest[signal.key] = alert

    def merged_into_live(self, key: str, now: datetime) -> bool:
        alert = self.merged.get(key)
        return alert is not None and now - alert.last_seen_at <= self.cooldown

    def is_live(self, key: str, now: datetime) -> bool:
        alert = self.latest.get(key)
        return alert is not None and now - alert.last_seen_at <= self.cooldown

    def observe(self, signal: Signal) -> tuple[Alert, bool]:
        """Create an alert, or update the live incident with this key; returns (alert, created)."""
        alert = self.latest.get(signal.key)
        if alert is not None and signal.seen_at - alert.last_seen_at <= self.cooldown:
            update(alert, signal)
            return alert, False
        alert = new_alert(signal, self.replay)
        self.latest[signal.key] = alert
        return alert, True

    def touch(self, alert: Alert, now: datetime, running: Running) -> None:
        """The incident is still running without alarming anew: push its cool-down forward, report its last
        day's rates and add up its extra calls, so the alert's numbers match its trend up to ``last_seen_at``.
        Severity is left to alarms: against the share before a phrase existed, any use of it is "×100"."""
        rates = running.last_day
        alert.current_rate, alert.baseline_rate, alert.ratio = (
            rates.current_rate,
            rates.baseline_rate,
            _finite(rates.ratio),
        )
        alert.excess_calls = max(alert.excess_calls or 0.0, running.excess_since_change)
        alert.last_seen_at = max(alert.last_seen_at, now)

    def touch_resolved(self, alert: Alert, now: datetime, above_baseline: bool) -> None:
        """A resolved incident stays live only while its level is also above the adapting baseline. Kept live by
        the share before its change alone, a shift that became the new normal would absorb every later rise of
        the same topic, and ops would never hear of the next problem."""
        if above_baseline and now - alert.last_seen_at <= self.cooldown:  # a lapsed incident is not revived
            alert.last_seen_at = max(alert.last_seen_at, now)

    @staticmethod
    def judge_fix(alert: Alert, now: datetime, elevated: bool) -> None:
        """Whether the fix worked, read off the hours since the resolve once they had calls enough to tell:
        still above the share before the change, or back to it. Beyond RECOVERY_WATCH the last answer stands."""
        if _judging_fix(alert, now):
            alert.recovery = STILL_ELEVATED if elevated else BACK_TO_BASELINE

    def watch_recovery(self, alarming_keys: set[str], now: datetime) -> None:
        """A resolved incident that alarms anew while its fix is judged is still elevated."""
        for alert in self.latest.values():
            if alert.incident_key in alarming_keys and _judging_fix(alert, now):
                alert.recovery = STILL_ELEVATED


def resolved_by(alert: Alert, now: datetime) -> bool:
    """Whether ops had resolved the alert at ``now`` (a backtest decides hours before a resolve too)."""
    return alert.status == AlertStatus.RESOLVED and alert.resolved_at is not None and alert.resolved_at <= now


def _judging_fix(alert: Alert, now: datetime) -> bool:
    return resolved_by(alert, now) and alert.resolved_at is not None and now <= alert.resolved_at + RECOVERY_WATCH


def new_alert(signal: Signal, replay: bool) -> Alert:
    return Alert(
        kind=signal.kind,
        topic_id=signal.topic_id,
        phrase=signal.phrase,
        dimension=dict(signal.dimension),
        incident_key=signal.key,
        change_at=signal.change_at,
        detected_at=signal.seen_at,
        last_seen_at=signal.seen_at,
        baseline_rate=signal.baseline_rate,
        current_rate=signal.current_rate,
        ratio=_finite(signal.ratio),
        excess_calls=max(0.0, signal.excess_calls),
        severity=severity_of(signal.baseline_rate, signal.current_rate, signal.ratio),
        status=AlertStatus.OPEN,
        top_terms=[],
        example_call_ids=list(signal.related_call_ids[:10]),
        replay=replay,
    )


def update(alert: Alert, signal: Signal) -> None:
    alert.last_seen_at = max(alert.last_seen_at, signal.seen_at)
    alert.current_rate = signal.current_rate
    alert.baseline_rate = signal.baseline_rate
    alert.ratio = _finite(signal.ratio)
    alert.excess_calls = max(alert.excess_calls or 0.0, signal.excess_calls)
    raise_severity(alert, severity_of(signal.baseline_rate, signal.current_rate, signal.ratio))
    settling = signal.seen_at - alert.detected_at <= DIMENSION_SETTLES
    if (
        alert.kind == AlertKind.TOPIC
        and signal.dimension
        and ((signal.whole_topic and settling) or not alert.dimension)
    ):
        # where the excess sits is re-read while evidence accumulates, then kept (baselines adapt later)
        alert.dimension = dict(signal.dimension)
    if _judging_fix(alert, signal.seen_at):  # a re-alarm after the resolve, not one from before it
        alert.recovery = STILL_ELEVATED


def raise_severity(alert: Alert, severity: Severity) -> None:
    if _RANK[severity] > _RANK[Severity(alert.severity)]:
        alert.severity = severity


def _finite(value: float) -> float:
    return value if value < 1e9 else 1e9
