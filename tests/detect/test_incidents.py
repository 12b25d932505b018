"""Incident bookkeeping: one alert per incident, updates while elevated, cool-down, merges, severity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import AlertKind, AlertStatus, Severity
from detect.detector import SegmentRates
from detect.incidents import (
    BACK_TO_BASELINE,
    STILL_ELEVATED,
    IncidentBook,
    Running,
    Signal,
    incident_key,
    severity_of,
)

T0 = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def signal(
    hour: int,
    dimension: dict[str, str] | None = None,
    ratio: float = 3.0,
    phrase: str | None = None,
    calls: tuple[str, ...] = (),
) -> Signal:
    kind = AlertKind.EMERGING if phrase else AlertKind.TOPIC
    return Signal(
        kind,
        None if phrase else "billing.unexpected_charge",
        phrase,
        dimension or {},
        T0,
        T0 + hour * H,
        baseline_rate=1.0,
        current_rate=ratio,
        ratio=ratio,
        related_call_ids=calls,
    )


def test_key_ignores_dimension() -> None:
    assert (
        signal(1).key
        == signal(1, {"queue": "billing"}).key
        == incident_key(AlertKind.TOPIC, "billing.unexpected_charge", None)
    )


def test_updates_while_elevated_and_reopens_only_after_cool_down() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    first, created = book.observe(signal(3, {"queue": "billing"}))
    assert created and (first.detected_at, first.severity) == (T0 + 3 * H, Severity.MEDIUM)
    again, created = book.observe(signal(10, ratio=6.0))
    assert again is first and not created
    assert first.last_seen_at == T0 + 10 * H and first.ratio == 6.0 and first.severity == Severity.HIGH
    assert first.dimension == {"queue": "billing"}
    _, created = book.observe(signal(10 + 24))  # exactly the cool-down after last_seen: same incident
    assert not created
    later, created = book.observe(signal(34 + 25))
    assert created and later is not first


def test_recovery_after_resolve() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    alert, _ = book.observe(signal(3))
    alert.status, alert.resolved_at = AlertStatus.RESOLVED, T0 + 5 * H
    book.watch_recovery({alert.incident_key}, T0 + 6 * H)  # alarming anew after the resolve
    assert alert.recovery == STILL_ELEVATED
    book.touch_resolved(alert, T0 + 6 * H, above_baseline=True)
    assert alert.recovery == STILL_ELEVATED and alert.last_seen_at == T0 + 6 * H
    book.judge_fix(alert, T0 + 12 * H, elevated=False)
    assert alert.recovery == BACK_TO_BASELINE
    book.watch_recovery(set(), T0 + 13 * H)
    assert alert.recovery == BACK_TO_BASELINE


def test_phrases_merge_into_the_incident_their_calls_belong_to() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    topic_alert, _ = book.observe(signal(3))
    phrase = signal(4, phrase="paper bill fee", calls=("c1", "c2", "c3"))
    topics = {"c1": {"billing.unexpected_charge"}, "c2": {"billing.unexpected_charge"}, "c3": set()}
    target = book.find_merge_target(phrase, topics, lambda _: False)
    assert target is topic_alert
    book.merge(target, phrase)
    assert "paper bill fee" in topic_alert.top_terms and book.merged_into_live(phrase.key, T0 + 5 * H)
    unrelated = signal(4, phrase="esim activation", calls=("c7", "c8"))
    assert book.find_merge_target(unrelated, {"c7": set(), "c8": set()}, lambda _: False) is None


def test_a_topic_firing_after_its_phrase_promotes_the_phrase_alert() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    emerging, _ = book.observe(signal(2, phrase="paper bill fee", calls=("c1", "c2")))
    topic = signal(4, {"queue": "billing"})
    book.promote(emerging, topic)
    assert emerging.kind == AlertKind.TOPIC and emerging.topic_id == "billing.unexpected_charge"
    assert emerging.phrase is None and emerging.top_terms[0] == "paper bill fee"
    assert emerging.detected_at == T0 + 2 * H and emerging.dimension == {"queue": "billing"}
    assert book.is_live(topic.key, T0 + 5 * H) and not book.is_live("emerging:paper bill fee", T0 + 5 * H)
    assert book.merged_into_live("emerging:paper bill fee", T0 + 5 * H)
    again, created = book.observe(signal(6))
    assert again is emerging and not created


def test_severity_grows_with_excess_and_ratio() -> None:
    assert severity_of(1.0, 1.6, 1.6) == Severity.LOW
    assert severity_of(1.0, 3.0, 3.0) == Severity.MEDIUM
    assert severity_of(2.0, 9.0, 4.5) == Severity.HIGH


def test_a_touch_carries_the_incidents_numbers_up_to_the_hour() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    alert, _ = book.observe(signal(3))
    book.touch(alert, T0 + 6 * H, Running(SegmentRates(1.0, 2.5, 2.5, 40.0), excess_since_change=40.0))
    assert (alert.current_rate, alert.ratio, alert.excess_calls, alert.last_seen_at) == (2.5, 2.5, 40.0, T0 + 6 * H)


def test_a_resolved_shift_that_became_the_baseline_stops_being_live() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    alert, _ = book.observe(signal(3))
    alert.status, alert.resolved_at = AlertStatus.RESOLVED, T0 + 5 * H
    book.touch_resolved(alert, T0 + 40 * H, above_baseline=False)
    book.judge_fix(alert, T0 + 40 * H, elevated=True)
    assert alert.recovery == STILL_ELEVATED and alert.last_seen_at == T0 + 3 * H
    later, created = book.observe(signal(3 + 30))  # a new rise past the cool-down: news
    assert created and later is not alert


def test_an_alarm_before_the_resolve_or_after_its_watch_says_nothing_about_the_fix() -> None:
    book = IncidentBook(cooldown=24 * H, replay=False)
    alert, _ = book.observe(signal(3))
    alert.status, alert.resolved_at = AlertStatus.RESOLVED, T0 + 10 * H  # resolved later than the hours decided
    book.observe(signal(6))
    assert alert.recovery is None
    book.observe(signal(12))
    assert alert.recovery == STILL_ELEVATED
    alert.recovery = BACK_TO_BASELINE
    book.judge_fix(alert, T0 + 10 * H + 15 * 24 * H, elevated=True)
    assert alert.recovery == BACK_TO_BASELINE  # beyond the watch, the last answer stands
