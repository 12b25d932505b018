"""Planted-incident benchmark: seeded synthetic contact-centre volumes through the real detect engine.

Each scenario is eight weeks of hourly buckets (daily and weekly seasonality) written straight into a real
SQLite database as VolumeBucket/PhraseBucket rows, with planted incidents (known topic, emerging phrase,
low-volume topic, queue-only, language-only) and confounders that must stay quiet (storm day doubling all
traffic, single-hour blips, a holiday). `run_detection(replay=True)` decides it; alerts are matched to the
plan for recall, precision and detection delay.

Worlds come in three centre sizes (250, 1,000 and 4,000 calls a day): the evidence a change leaves per hour grows
with volume, so delays are reported per size; the low-volume topic stays at 3 -> 15 calls a day in every size.

    python -m bench.scenarios [--seeds 10] [--sizes 250,1000,4000] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from bench.scenarios_report import markdown
from core.db import Database
from core.models import TOTAL, Alert, PhraseBucket, VolumeBucket
from detect.changepoint import ChangeOptions, CountCost
from detect.decide import DetectOptions
from detect.engine import run_detection

START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday
WEEKS = 8
HOURS = WEEKS * 168
QUEUES = ("billing", "tech", "sales", "shop")
LANGS = ("en", "hr", "hu", "ru", "zh")
LANG_P = np.array([0.45, 0.2, 0.15, 0.12, 0.08])
# topic -> (share of calls, queue distribution)
TOPICS: dict[str, tuple[float, tuple[float, ...]]] = {
    "billing.unexpected_charge": (0.06, (0.8, 0.1, 0.05, 0.05)),
    "billing.bill_explanation": (0.10, (0.85, 0.05, 0.05, 0.05)),
    "payments.failed_payment": (0.07, (0.7, 0.1, 0.1, 0.1)),
    "payments.direct_debit": (0.05, (0.8, 0.05, 0.1, 0.05)),
    "cancellation.request": (0.06, (0.3, 0.2, 0.4, 0.1)),
    "outage.no_service": (0.08, (0.05, 0.9, 0.03, 0.02)),
    "outage.slow_internet": (0.08, (0.05, 0.9, 0.03, 0.02)),
    "login.password_reset": (0.05, (0.1, 0.8, 0.05, 0.05)),
    "account.address_change": (0.04, (0.3, 0.2, 0.3, 0.2)),
    "upgrades.plan_change": (0.07, (0.1, 0.1, 0.7, 0.1)),
    "delivery.device_delivery": (0.05, (0.05, 0.05, 0.2, 0.7)),
    "roaming.charges": (0.0, (0.4, 0.3, 0.2, 0.1)),  # the low-volume topic: share set per centre size
}
LOW_VOLUME_TOPIC = "roaming.charges"
LOW_VOLUME_PER_DAY = 3.0  # "a topic going from 3 to 15 calls a day is news", whatever the centre's size
CENTRE_SIZES = (250.0, 1000.0, 4000.0)  # calls a day: a 10-seat team, a small centre, a mid-size one
# Real topic shares wander from day to day; some reasons much more than others (couriers batch deliveries):
# a bursty topic is a confounder that must stay quiet.
DAILY_WANDER = 0.1
BURSTY_TOPICS = {"delivery.device_delivery": 0.35}
BACKGROUND_PHRASES = {f"common phrase {i}": 0.2 / (i + 1) for i in range(40)}


@dataclass(frozen=True)
class Planted:
    kind: str  # topic | emerging | volume
    label: str  # scenario family
    topic: str | None
    phrase: str | None
    dimension: dict[str, str]
    start: int  # hour index
    end: int


@dataclass
class World:
    calls_per_day: float
    rate: np.ndarray  # expected calls per hour (seasonal, confounders applied)
    multiplier: dict[tuple[str, str, str], np.ndarray]  # (topic, dim, value) -> share multiplier per hour
    plan: list[Planted]
    phrase_rate: dict[str, np.ndarray]  # expected phrase calls per hour beyond background


def seasonal_rate(calls_per_day: float) -> np.ndarray:
    h = np.arange(HOURS)
    hour, day = h % 24, (h // 24) % 7
    daily = np.where((hour >= 8) & (hour < 20), 1.0, 0.08) * (1 + 0.3 * np.sin((hour - 8) / 12 * np.pi))
    weekly = np.array([1.5, 1.15, 1.0, 1.0, 0.95, 0.5, 0.35])[day]
    shape = daily * weekly
    return np.asarray(shape * calls_per_day * (HOURS / 24) / shape.sum(), dtype=float)


def _day(d: int) -> int:
    return d * 24


def topic_share(world: World, topic: str) -> float:
    return LOW_VOLUME_PER_DAY / world.calls_per_day if topic == LOW_VOLUME_TOPIC else TOPICS[topic][0]


def make_world(rng: np.random.Generator, calls_per_day: float = 1000.0) -> World:
    rate = seasonal_rate(calls_per_day)
    storm, holiday = _day(int(rng.integers(14, 20))), _day(int(rng.integers(21, 27)))
    rate[storm : storm + 24] *= 2.0
    rate[holiday : holiday + 24] *= 0.3
    for blip in rng.choice(np.arange(_day(10), _day(54)), size=3, replace=False):
        rate[blip] *= 3.0
    mult: dict[tuple[str, str, str], np.ndarray] = {}
    plan: list[Planted] = []
    phrase_rate: dict[str, np.ndarray] = {}

    def business_hour(lo_day: int, hi_day: int) -> int:
        while True:
            d = int(rng.integers(lo_day, hi_day))
            if d % 7 < 5 and _day(d) not in (storm, holiday):
                return _day(d) + int(rng.integers(9, 14))

    def plant(label: str, topic: str, dim: str, value: str, factor: float, lo: int, hi: int) -> None:
        s = business_hour(lo, hi)
        e = min(HOURS - 1, s + int(rng.integers(72, 144)))
        m = mult.setdefault((topic, dim, value), np.ones(HOURS))
        m[s : e + 1] *= factor
        plan.append(Planted("topic", label, topic, None, {dim: value} if dim else {}, s, e))

    plant("known_topic", "billing.unexpected_charge", "queue", "billing", 3.5, 22, 30)
    plant("low_volume_topic", "roaming.charges", "", "", 5.0, 31, 38)
    plant("queue_only", "cancellation.request", "queue", "tech", 5.0, 39, 45)
    plant("language_only", "outage.slow_internet", "language", "hr", 4.0, 46, 52)
    s = business_hour(28, 50)
    e = min(HOURS - 1, s + 96)
    pr = np.zeros(HOURS)
    pr[s : e + 1] = 3.0 * (rate[s : e + 1] / rate.max()) * 2.0
    phrase_rate["esim activation"] = pr
    plan.append(Planted("emerging", "emerging_phrase", None, "esim activation", {}, s, e))
    return World(calls_per_day, rate, mult, plan, phrase_rate)


def _topic_rates(world: World, topic: str, share: float, qdist: tuple[float, ...]) -> dict[tuple[str, str], np.ndarray]:
    out = {}
    for qi, q in enumerate(QUEUES):
        for li, lang in enumerate(LANGS):
            m = world.multiplier.get((topic, "", ""), 1.0) * world.multiplier.get((topic, "queue", q), 1.0)
            m = m * world.multiplier.get((topic, "language", lang), 1.0)
            out[(q, lang)] = world.rate * share * qdist[qi] * LANG_P[li] * m
    return out


def write_buckets(db: Database, world: World, rng: np.random.Generator) -> None:
    rows: list[dict[str, Any]] = []
    at = [START + timedelta(hours=i) for i in range(HOURS)]
    totals = {(q, lang): np.zeros(HOURS) for q in QUEUES for lang in LANGS}
    no_topic = 1.0 - sum(topic_share(world, t) for t in TOPICS)
    for topic, (_, qdist) in TOPICS.items():
        share = topic_share(world, topic)
        sigma = BURSTY_TOPICS.get(topic, DAILY_WANDER)
        wander = np.repeat(np.exp(sigma * rng.standard_normal(HOURS // 24)), 24)
        for cell, lam in _topic_rates(world, topic, share, qdist).items():
            counts = rng.poisson(lam * wander)
            totals[cell] += counts
            rows += [_vb(at[i], topic, cell, int(c)) for i, c in enumerate(counts) if c]
    for _qi, q in enumerate(QUEUES):
        for li, lang in enumerate(LANGS):
            totals[(q, lang)] += rng.poisson(world.rate * no_topic * LANG_P[li] / len(QUEUES))
            rows += [_vb(at[i], TOTAL, (q, lang), int(c)) for i, c in enumerate(totals[(q, lang)]) if c]
    all_calls = np.sum(list(totals.values()), axis=0).astype(int)
    phrase_rows = _phrase_rows(world, rng, at, all_calls)
    with db.session() as session:
        for i in range(0, len(rows), 5000):
            session.execute(insert(VolumeBucket), rows[i : i + 5000])
        for i in range(0, len(phrase_rows), 5000):
            session.execute(insert(PhraseBucket), phrase_rows[i : i + 5000])


def _vb(at: datetime, topic: str, cell: tuple[str, str], count: int) -> dict[str, Any]:
    return {"bucket_start": at, "topic_id": topic, "queue": cell[0], "language": cell[1], "count": count}


def _phrase_rows(world: World, rng: np.random.Generator, at: list[datetime], calls: np.ndarray) -> list[dict[str, Any]]:
    rows = []
    series = {p: rng.binomial(calls, share) for p, share in BACKGROUND_PHRASES.items()}
    for p, extra in world.phrase_rate.items():
        series[p] = rng.poisson(extra)
    for k in range(300):  # rare one-off phrases: noise the emerging detector must ignore
        v = np.zeros(HOURS, dtype=int)
        v[rng.choice(HOURS, size=int(rng.integers(1, 4)), replace=False)] = rng.integers(1, 3)
        series[f"rare phrase {k}"] = v
    for p, v in series.items():
        rows += [{"bucket_start": at[i], "phrase": p, "language": "en", "count": int(c)} for i, c in enumerate(v) if c]
    return rows


def _match(alert: Alert, plan: list[Planted]) -> Planted | None:
    for p in plan:
        same = (alert.kind == "emerging" and alert.phrase == p.phrase) or (
            alert.kind == p.kind and alert.topic_id == p.topic
        )
        at = START + timedelta(hours=p.start)
        if same and at <= alert.detected_at <= START + timedelta(hours=p.end + 25):
            return p
    return None


def run_scenario(
    seed: int, workdir: Path, options: DetectOptions | None = None, calls_per_day: float = 1000.0
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    world = make_world(rng, calls_per_day)
    db = Database(f"sqlite:///{workdir}/scenario-{int(calls_per_day)}-{seed}.db")
    write_buckets(db, world, rng)
    report = run_detection(db, now=START + timedelta(hours=HOURS + 1), replay=True, options=options)
    with db.session() as session:
        alerts = list(session.scalars(select(Alert).order_by(Alert.detected_at)))
        found: dict[int, dict[str, Any]] = {}
        false_alarms = []
        for a in alerts:
            p = _match(a, world.plan)
            if p is None or world.plan.index(p) in found:  # a second alert for one incident is a false one
                false_alarms.append(
                    {"kind": a.kind, "topic": a.topic_id, "phrase": a.phrase, "at": a.detected_at.isoformat()}
                )
                continue
            i = world.plan.index(p)
            if i not in found:
                found[i] = {
                    "delay_h": (a.detected_at - START).total_seconds() / 3600 - p.start,
                    "change_err_h": (a.change_at - START).total_seconds() / 3600 - p.start,
                    "dimension_ok": dict(a.dimension) == p.dimension,
                    "alert_dimension": dict(a.dimension),
                }
    db.engine.dispose()
    return {
        "seed": seed,
        "calls_per_day": calls_per_day,
        "seconds": report.seconds,
        "planted": [asdict(p) | found.get(i, {"missed": True}) for i, p in enumerate(world.plan)],
        "alerts": len(alerts),
        "false_alarms": false_alarms,
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    planted = [p for r in results for p in r["planted"]]
    hits = [p for p in planted if "missed" not in p]
    alerts = sum(r["alerts"] for r in results)
    false = sum(len(r["false_alarms"]) for r in results)
    by_label: dict[str, dict[str, float]] = {}
    for label in sorted({p["label"] for p in planted}):
        group = [p for p in planted if p["label"] == label]
        found = [p for p in group if "missed" not in p]
        by_label[label] = {
            "recall": len(found) / len(group),
            "median_delay_h": float(np.median([p["delay_h"] for p in found])) if found else float("nan"),
            "dimension_ok": sum(p["dimension_ok"] for p in found) / max(1, len(found)),
        }
    return {
        "scenarios": len(results),
        "recall": len(hits) / max(1, len(planted)),
        "precision": (alerts - false) / max(1, alerts),
        "median_delay_h": float(np.median([p["delay_h"] for p in hits])) if hits else float("nan"),
        "median_abs_change_err_h": float(np.median([abs(p["change_err_h"]) for p in hits])) if hits else float("nan"),
        "dimension_accuracy": sum(p["dimension_ok"] for p in hits) / max(1, len(hits)),
        "false_alarms": false,
        "seconds_per_replay": float(np.mean([r["seconds"] for r in results])),
        "by_family": by_label,
    }


def compare_costs(seeds: int, workdir: Path) -> dict[str, Any]:
    """How well each count treatment dates the planted changes (change_at), with everything else equal."""
    out = {}
    for cost in CountCost:
        opts = DetectOptions(change=ChangeOptions(cost=cost))
        s = summarise([run_scenario(seed, workdir / cost.value, opts) for seed in range(seeds)])
        out[cost.value] = {k: s[k] for k in ("recall", "precision", "median_abs_change_err_h", "median_delay_h")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--sizes", default=",".join(str(int(c)) for c in CENTRE_SIZES), help="calls a day, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args()
    sizes = [float(v) for v in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_scenario(seed, Path(tmp), calls_per_day=size) for size in sizes for seed in range(args.seeds)]
        for cost in CountCost:
            (Path(tmp) / cost.value).mkdir()
        summary = summarise(results)
        summary["by_size"] = {
            str(int(size)): summarise([r for r in results if r["calls_per_day"] == size]) for size in sizes
        }
        summary["change_cost_comparison"] = compare_costs(min(args.seeds, 5), Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scenarios.json").write_text(json.dumps({"summary": summary, "runs": results}, indent=2, default=str))
    (args.out / "scenarios.md").write_text(markdown(summary))
    print(markdown(summary))


if __name__ == "__main__":
    main()
