"""Per-hour decisions over all stored series: which topics, slices, phrases and totals are elevated at hour t,
since when, by how much and where the change is concentrated."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.models import AlertKind
from detect.changepoint import ChangeOptions, estimate_change_start
from detect.detector import (
    VOLUME_TEST,
    Evaluation,
    TestOptions,
    evaluate_share,
    evaluate_volume,
    segment_rates,
)
from detect.dispersion import DispersionOptions
from detect.drops import DropOptions, drop_signals, from_hourly, still_down
from detect.hourly import HOUR, OVERALL, FloatArray, HourlyData, phrases_in_use
from detect.incidents import Running, Signal
from detect.slices import (
    burstiness,
    concentration_llr,
    expected_before_change,
    heard_enough,
    recent_day,
    rose_apart,
    sum_rates,
)


@dataclass(frozen=True)
class DetectOptions:
    # Share tests add the CUSUM and allow for the baseline's sampling error. Their false-alarm control rests on
    # tail probabilities and nats, not on call counts: a 4,000-call-a-day centre runs as quiet as a 250-call one
    # (bench.scenarios, three centre sizes).
    share: TestOptions = field(
        default_factory=lambda: TestOptions(
            alpha=1e-5,
            cusum_threshold=10.0,
            cusum_run_alpha=3e-5,
            baseline_error=True,
            history_dispersion=DispersionOptions(),
        )
    )
    # A phrase must at least triple against its own history: new words, or an old one jumping. A new word needs
    # five calls against a baseline of a fraction of a call (4.5: that fraction must not demand a sixth), two of
    # them outside the busiest hour (a third of the excess: one talkative hour is a blip, two hours are a trend);
    # or four calls that came in three different hours (callers trickling in hour after hour).
    phrase: TestOptions = field(
        default_factory=lambda: TestOptions(
            windows=(3, 6, 12, 24), alpha=1e-6, min_ratio=3.0, min_excess=4.5, min_hours=3, spread_excess=3.5
        )
    )
    # Hundreds of everyday phrases are tested every hour: at a fixed alpha, one of them has a chance busy
    # afternoon every few weeks. Their alpha shares this budget, capped by phrase.alpha for a few phrases.
    phrase_family_alpha: float = 3e-5
    volume: TestOptions = VOLUME_TEST
    min_history_hours: int = 168
    slice_alpha_factor: float = 0.15  # ~ten queue/language slices per topic: each needs more evidence
    concentration: float = 0.7  # share of a topic's excess one queue/language must carry to be named
    fresh_ratio: float = 1.5  # an alarm counts while its last day (or the change, if younger) runs this far above
    concentration_nats: float = 4.0  # ...and how much better "it sits there" must explain the counts than "even"
    concentration_lift: float = 2.0  # ...and how many times the rest of the topic's relative rise it must show
    change: ChangeOptions = field(default_factory=ChangeOptions)
    drops: DropOptions = field(default_factory=DropOptions)
    slice_extra_history_hours: int = 168
    rate_hours: int = 24  # current/baseline rates are reported over the change's most recent hours


class Decider:
    """Evaluates every series once (vectorised, causal), then answers per hour."""

    def __init__(self, data: HourlyData, opts: DetectOptions, first_data_index: int) -> None:
        self.data = data
        self.opts = opts
        self.change = opts.change
        self.share = self._evaluate_rows(data, opts)
        self.volume = evaluate_volume(data.total, opts.volume)
        totals = np.broadcast_to(data.total, data.phrase_counts.shape)
        in_use = phrases_in_use(data.phrase_counts, opts.phrase.least_excess)
        alpha = np.minimum(opts.phrase.alpha, opts.phrase_family_alpha / np.maximum(in_use, 1.0))
        self.phrase = evaluate_share(data.phrase_counts, totals, opts.phrase, alpha=alpha[None, :])
        self.ready_from = first_data_index + opts.min_history_hours
        # a slice's own baseline is read off few calls: it waits for more history than the topic's
        self.slices_from = self.ready_from + opts.slice_extra_history_hours
        self.drops = from_hourly(data, opts.drops)
        self.topics: dict[str, list[int]] = {}
        for i, row in enumerate(data.rows):
            self.topics.setdefault(row.topic_id, []).append(i)

    @staticmethod
    def _evaluate_rows(data: HourlyData, opts: DetectOptions) -> Evaluation:
        overall = np.array([r.dim == OVERALL for r in data.rows], dtype=bool)
        f = opts.slice_alpha_factor
        sliced = replace(
            opts.share,
            alpha=opts.share.alpha * f,
            extreme_alpha=opts.share.extreme_alpha * f,
            cusum_threshold=opts.share.cusum_threshold + float(np.log(1.0 / f)) if opts.share.cusum_threshold else 0.0,
        )
        burst = burstiness(data, opts.share.history_dispersion)
        hour = data.start.hour
        parts = [
            (overall, evaluate_share(data.counts[overall], data.totals[overall], opts.share, hour, burst[overall])),
            (~overall, evaluate_share(data.counts[~overall], data.totals[~overall], sliced, hour, burst[~overall])),
        ]
        shape = data.counts.shape
        expected, alarm, window = np.zeros(shape), np.zeros(shape, dtype=bool), np.zeros(shape, dtype=np.int64)
        for mask, ev in parts:
            expected[mask], alarm[mask], window[mask] = ev.expected, ev.alarm, ev.window
        return Evaluation(counts=data.counts, expected=expected, alarm=alarm, window=window)

    def still_elevated(
        self,
        kind: AlertKind,
        topic: str | None,
        phrase: str | None,
        dimension: dict[str, str],
        t: int,
        since: int | None = None,
        after: int | None = None,
    ) -> Running | None:
        """How a live incident's series runs over the last day (of calls: see ``recent_day``), if still above
        baseline (weaker than alarming: a spike that quietens at night or over a weekend is the same incident on
        Monday); None once it is not.

        ``since``: the incident's change. Baselines adapt, and after two or three weeks of a problem that nobody
        fixed they have absorbed it; against the share from the week before the change, "did the fix work?"
        keeps its answer however long the incident runs, and the extra calls keep adding up. ``after``: a fix's
        hour; the last day is read from there at the earliest (the busy day before a fix says nothing of it)."""
        ev, row = self._row_of(kind, topic, phrase, dimension)
        if row is None:
            return None
        lo = self._last_day(kind, row, t)
        start = lo if since is None else max(0, since)
        lo = lo if after is None else max(lo, after)
        expected = ev.expected[row]
        if since is not None and kind != AlertKind.VOLUME:
            expected = expected_before_change(ev.expected[row], self._totals(kind, row), since, min(lo, start), t)
        o = (
            self.opts.phrase
            if kind == AlertKind.EMERGING
            else self.opts.volume
            if kind == AlertKind.VOLUME
            else self.opts.share
        )
        rates = segment_rates(ev.counts[row], expected, lo, t)
        if rates.ratio < o.min_ratio or rates.excess < o.min_excess / 2:
            return None
        return Running(rates, segment_rates(ev.counts[row], expected, start, t).excess)

    def heard_since(
        self, kind: AlertKind, topic: str | None, phrase: str | None, dimension: dict[str, str], start: int, t: int
    ) -> bool:
        """Whether the series' slice had half a typical day's calls in hours start..t: room to show its level."""
        _, row = self._row_of(kind, topic, phrase, dimension)
        return row is not None and heard_enough(self._totals(kind, row), start, t, self.opts.rate_hours)

    def _last_day(self, kind: AlertKind, row: int, t: int) -> int:
        """First hour of the last day of calls up to t that rates are read over (see ``recent_day``)."""
        return recent_day(self._totals(kind, row), t, self.opts.rate_hours)

    def _totals(self, kind: AlertKind, row: int) -> FloatArray:
        """All calls of the series' slice per hour: a topic row's own slice, else every call."""
        return self.data.totals[row] if kind == AlertKind.TOPIC else self.data.total

    def _row_of(
        self, kind: AlertKind, topic: str | None, phrase: str | None, dimension: dict[str, str]
    ) -> tuple[Evaluation, int | None]:
        if kind == AlertKind.VOLUME:  # all calls; a queue's drop lasts while its own test alarms
            return self.volume, None if dimension else 0
        if kind == AlertKind.EMERGING:
            return self.phrase, self.data.phrases.index(phrase) if phrase in self.data.phrases else None
        dim, value = next(iter(dimension.items()), (OVERALL, ""))
        for r in self.topics.get(topic or "", []):
            key = self.data.rows[r]
            if key.dim == dim and key.value == value:
                return self.share, r
        return self.share, None

    def phrase_excess(self, phrase: str, start: int, t: int) -> float:
        """Calls with the phrase above its baseline over hours [start, t]."""
        if phrase not in self.data.phrases:
            return float("-inf")
        row = self.data.phrases.index(phrase)
        return segment_rates(self.phrase.counts[row], self.phrase.expected[row], start, t).excess

    def topic_signals(self, t: int) -> list[Signal]:
        if t < self.ready_from:
            return []
        out = []
        for topic, rows in self.topics.items():
            firing = [r for r in rows if self.share.alarm[r, t] and (t >= self.slices_from or self._is_overall(r))]
            if firing:
                out.append(self._topic_signal(topic, rows, firing, t))
        return self._fresh(out)

    def where_it_sits(self, topic: str, start: int, t: int) -> dict[str, str]:
        """The queue or language a topic's rise since ``start`` sits in (see ``_concentration``); {} if none."""
        if t < self.slices_from:
            return {}
        return self._concentration(self.share, self.topics.get(topic, []), start, t)

    def _is_overall(self, row: int) -> bool:
        return self.data.rows[row].dim == OVERALL

    def _topic_signal(self, topic: str, rows: list[int], firing: list[int], t: int) -> Signal:
        overall = next((r for r in rows if self.data.rows[r].dim == OVERALL), None)
        ev = self.share
        if overall is not None and overall in firing:
            primary = overall
            start = self._change_start(ev, primary, t)
            dimension = self._concentration(ev, rows, start, t)
        else:
            primary = max(firing, key=lambda r: self._window_excess(ev, r, t))
            start = self._change_start(ev, primary, t)
            key = self.data.rows[primary]
            # a slice firing says it rose, not that the rise sits there: the same concentration test names it,
            # unless the topic as a whole did not rise at all (calls moved between queues)
            dimension = self._concentration(ev, rows, start, t)
            if not dimension and (
                overall is None or segment_rates(ev.counts[overall], ev.expected[overall], start, t).excess <= 0
            ):
                dimension = {key.dim: key.value}
        signal = self._signal(AlertKind.TOPIC, topic, None, dimension, ev, primary, start, t)
        return replace(signal, whole_topic=primary == overall)

    def volume_signals(self, t: int) -> list[Signal]:
        if t < self.ready_from or not self.volume.alarm[0, t]:
            return []
        start = self._change_start(self.volume, 0, t)
        return self._fresh([self._signal(AlertKind.VOLUME, None, None, {}, self.volume, 0, start, t)])

    def drop_signals(self, t: int) -> list[Signal]:
        """Queues whose calls stopped; a queue's share needs the history a slice does."""
        return drop_signals(self.drops, self.data, t, self.opts.drops) if t >= self.slices_from else []

    def still_down(self, dimension: dict[str, str], start: int, t: int) -> bool | None:
        """Whether a queue's (or language's) calls are still missing over hours start..t; None: too few to tell."""
        return still_down(self.drops, dimension, (start, t), self.opts.drops)

    def phrase_signals(self, t: int) -> list[Signal]:
        if t < self.ready_from or self.phrase.alarm.shape[0] == 0:
            return []
        out = []
        for p in np.flatnonzero(self.phrase.alarm[:, t]):
            start = self._change_start(self.phrase, int(p), t)
            out.append(self._signal(AlertKind.EMERGING, None, self.data.phrases[p], {}, self.phrase, int(p), start, t))
        return self._fresh(out)

    def _fresh(self, signals: list[Signal]) -> list[Signal]:
        """Signals whose last day still runs above baseline. A day- or two-day window keeps alarming after the
        series is back to normal, as long as the spike is inside it: such an alarm is stale, and must neither
        refresh an incident nor report a fixed problem as still elevated."""
        return [s for s in signals if s.ratio >= self.opts.fresh_ratio]

    def _change_start(self, ev: Evaluation, row: int, t: int) -> int:
        fallback = t - int(ev.window[row, t]) + 1
        return estimate_change_start(ev.counts[row], ev.expected[row], t, fallback, self.change)

    @staticmethod
    def _window_excess(ev: Evaluation, row: int, t: int) -> float:
        w = max(1, int(ev.window[row, t]))
        return float(ev.counts[row, t - w + 1 : t + 1].sum() - np.nansum(ev.expected[row, t - w + 1 : t + 1]))

    def _concentration(self, ev: Evaluation, rows: list[int], start: int, t: int) -> dict[str, str]:
        """The slice that carries most of the topic's excess and, among those, explains it best: the largest
        Poisson log-likelihood ratio of "the rise sits in this slice" against "the whole topic rose evenly".

        Each slice is weighed against the sum of its siblings (all queues, or all languages), not against the
        topic's own row: each row's baseline is a share of its own totals, and a rise inflates the totals of the
        slice it sits in most, so only siblings compare like with like."""
        best: tuple[float, dict[str, str]] = (self.opts.concentration_nats, {})
        for dim, members in self._by_dimension(rows).items():
            each = [segment_rates(ev.counts[r], ev.expected[r], start, t) for r in members]
            whole = sum_rates(each)
            if whole.excess <= 0:
                continue
            for r, rates in zip(members, each, strict=True):
                if rates.baseline_rate >= 0.97 * whole.baseline_rate:
                    continue  # a slice that is (nearly) the whole topic says nothing about where
                if rates.excess < self.opts.concentration * whole.excess:
                    continue
                if not rose_apart(rates, whole, self.opts.concentration_lift):
                    continue
                score = concentration_llr(rates, whole, t - start + 1)
                if score > best[0]:
                    best = (score, {dim: self.data.rows[r].value})
        return best[1]

    def _by_dimension(self, rows: list[int]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for r in rows:
            if self.data.rows[r].dim != OVERALL:
                out.setdefault(self.data.rows[r].dim, []).append(r)
        return out

    def _signal(
        self,
        kind: AlertKind,
        topic: str | None,
        phrase: str | None,
        dimension: dict[str, str],
        ev: Evaluation,
        row: int,
        start: int,
        t: int,
    ) -> Signal:
        rates = segment_rates(ev.counts[row], ev.expected[row], max(start, self._last_day(kind, row, t)), t)
        since_change = segment_rates(ev.counts[row], ev.expected[row], start, t)
        return Signal(
            kind=kind,
            topic_id=topic,
            phrase=phrase,
            dimension=dimension,
            change_at=self.data.at(start),
            seen_at=self.data.at(t) + HOUR,
            baseline_rate=rates.baseline_rate,
            current_rate=rates.current_rate,
            ratio=rates.ratio,
            excess_calls=since_change.excess,
        )
