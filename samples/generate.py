"""Generate the sample corpus: seeded synthetic contact-centre transcripts with planted incidents.

    python samples/generate.py                      # the committed corpus (samples/transcripts, truth files)
    python samples/generate.py --out DIR --days 56 --calls-per-day 18000   # ~1M calls for benchmarks

With --out, the truth files go to DIR-truth beside it, so `callpulse ingest DIR` reads calls only.

Calls are written hour by hour, so any size streams in constant memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import phrasebook as pb

HERE = Path(__file__).resolve().parent
START = date(2026, 9, 7)
DAYS = 56
CALLS_PER_DAY = 250
SEED = 20260907

LANG_WEIGHTS = {"en": 0.45, "hr": 0.20, "hu": 0.15, "ru": 0.12, "zh": 0.08}
# Baseline share of each reason; "" is a call about nothing in the taxonomy.
TOPIC_WEIGHTS = {
    "billing.unexpected_charge": 0.07,
    "billing.bill_explanation": 0.12,
    "payments.failed_payment": 0.08,
    "payments.direct_debit": 0.06,
    "cancellation.request": 0.07,
    "outage.no_service": 0.09,
    "outage.slow_internet": 0.10,
    "login.password_reset": 0.09,
    "account.address_change": 0.06,
    "upgrades.plan_change": 0.10,
    "delivery.device_delivery": 0.07,
    "roaming.charges": 0.05,
    "": 0.04,
}
TOPIC_QUEUE = {
    "billing.unexpected_charge": "billing",
    "billing.bill_explanation": "billing",
    "payments.failed_payment": "billing",
    "payments.direct_debit": "billing",
    "roaming.charges": "billing",
    "account.address_change": "billing",
    "outage.no_service": "tech",
    "outage.slow_internet": "tech",
    "login.password_reset": "tech",
    "cancellation.request": "sales",
    "upgrades.plan_change": "sales",
    "delivery.device_delivery": "shop",
    "": "shop",
}
QUEUES = ("billing", "tech", "sales", "shop")
# Calls per hour of day (UTC) and per weekday (Monday first), relative.
HOUR_SHAPE = [1, 0.5, 0.3, 0.3, 0.4, 1, 3, 8, 14, 16, 16, 15, 13, 14, 15, 14, 13, 11, 8, 6, 4, 3, 2, 1.5]
WEEKDAY_SHAPE = [1.45, 1.15, 1.1, 1.05, 1.0, 0.5, 0.35]

PAPER_FEE_START = datetime(2026, 10, 26, 9, tzinfo=UTC)
PAPER_FEE_EXTRA = 0.22  # extra paper-fee calls per baseline call: the topic's share rises ~3.5x
ESIM_START = datetime(2026, 10, 28, 10, tzinfo=UTC)
ESIM_PER_BUSINESS_HOUR = 3.0  # at 250 calls a day; scales with --calls-per-day
STORM_DAY = date(2026, 10, 7)
BLIP_HOUR = datetime(2026, 9, 23, 14, tzinfo=UTC)
HOLIDAY = date(2026, 10, 12)


@dataclass(frozen=True)
class Options:
    out: Path
    truth_dir: Path
    start: date
    days: int
    calls_per_day: float
    seed: int


@dataclass(frozen=True)
class Intent:
    """What a call is about: its topics, the sentences that carry them, and where it is routed."""

    topics: tuple[str, ...]
    reasons: tuple[str, ...]
    queue: str


def hourly_rate(hour: datetime, calls_per_day: float) -> float:
    hours = np.array(HOUR_SHAPE)
    rate = calls_per_day * hours[hour.hour] / hours.sum() * WEEKDAY_SHAPE[hour.weekday()] / np.mean(WEEKDAY_SHAPE)
    if hour.date() == STORM_DAY:
        rate *= 2.0
    if hour.date() == HOLIDAY:
        rate *= 0.3
    if hour == BLIP_HOUR:
        rate *= 3.0
    return float(rate)


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fill(rng: random.Random, text: str, lang: str) -> str:
    return text.format(
        amt=rng.randint(3, 60),
        month=rng.choice(pb.MONTHS[lang]),
        agent=rng.choice(pb.AGENT_NAMES),
    )


def pii_sentence(rng: random.Random, lang: str) -> str:
    card = " ".join(f"{rng.randint(0, 9999):04d}" for _ in range(4))
    phone = f"+{rng.choice(['385', '36', '7', '44', '86'])} {rng.randint(10, 99)} {rng.randint(100, 999)} " + (
        f"{rng.randint(1000, 9999)}"
    )
    email = f"{rng.choice(pb.NAMES[lang])}{rng.randint(1, 99)}@example.com"
    return rng.choice(pb.PII[lang]).format(card=card, phone=phone, email=email)


def regular_intent(rng: random.Random, lang: str) -> Intent:
    first = pick(rng, TOPIC_WEIGHTS)
    topics = [first] if first else []
    if first and rng.random() < 0.12:
        second = pick(rng, {t: w for t, w in TOPIC_WEIGHTS.items() if t and t != first})
        topics.append(second)
    reasons = tuple(rng.choice(pb.REASONS[t][lang]) for t in topics) or (rng.choice(pb.OTHER[lang]),)
    queue = TOPIC_QUEUE[first] if rng.random() < 0.85 else rng.choice(QUEUES)
    return Intent(tuple(topics), reasons, queue)


def customer_opening(rng: random.Random, lang: str, reason: str) -> str:
    return rng.choice(pb.OPENERS[lang]) + fill(rng, reason, lang)


def build_segments(rng: random.Random, lang: str, intent: Intent) -> list[tuple[str, str]]:
    """The dialogue as (speaker, text) turns: greeting, reason(s), replies, optional check, closing."""
    agent = "agent"
    turns: list[tuple[str, str]] = []
    greeting = pb.GREETINGS[lang] if rng.random() < 0.88 else pb.BARE_OPENINGS[lang]
    turns.append((agent, fill(rng, rng.choice(greeting), lang)))
    turns.append(("customer", customer_opening(rng, lang, intent.reasons[0])))
    for reason in intent.reasons[1:]:
        turns.append((agent, rng.choice(pb.AGENT_REPLIES[lang])))
        turns.append(("customer", pb.ALSO[lang] + fill(rng, reason, lang)))
    reply = rng.choice(pb.AGENT_REPLIES[lang])
    if intent.topics and rng.random() < 0.5:
        reply = rng.choice(pb.EMPATHY[lang]) + " " + reply
    turns.append((agent, reply))
    if rng.random() < 0.3:
        turns.append(("customer", pii_sentence(rng, lang)))
    else:
        turns.append(("customer", rng.choice(pb.CUSTOMER_FOLLOWUPS[lang])))
    if rng.random() < 0.4:
        turns.append((agent, rng.choice(pb.AGENT_REPLIES[lang])))
        turns.append(("customer", rng.choice(pb.CUSTOMER_FOLLOWUPS[lang])))
    if rng.random() < 0.7:
        turns.append((agent, rng.choice(pb.RESOLUTION[lang])))
        turns.append(("customer", rng.choice(pb.THANKS[lang])))
    closing = pb.CLOSINGS[lang] if rng.random() < 0.85 else pb.ABRUPT_ENDS[lang]
    turns.append((agent, rng.choice(closing)))
    return turns[:10]


def timed(rng: random.Random, lang: str, turns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    chars_per_s = 4.0 if lang == "zh" else 14.0
    t = round(rng.uniform(0.2, 1.5), 2)
    out = []
    for speaker, text in turns:
        end = round(t + max(0.8, len(text) / chars_per_s * rng.uniform(0.85, 1.2)), 2)
        out.append({"start": t, "end": end, "speaker": speaker, "text": text})
        t = round(end + rng.uniform(0.2, 1.2), 2)
    return out


def make_call(rng: random.Random, call_id: str, at: datetime, lang: str, intent: Intent) -> dict[str, Any]:
    segments = timed(rng, lang, build_segments(rng, lang, intent))
    return {
        "call_id": call_id,
        "started_at": at.isoformat(),
        "duration_s": round(segments[-1]["end"] + 0.5, 1),
        "language": lang,
        "queue": intent.queue,
        "agent_id": f"agent-{rng.randint(1, 30):02d}",
        "caller_id": f"+3859{rng.randint(0, 5999):07d}",
        "direction": "inbound",
        "segments": segments,
    }


def hour_intents(
    rng: random.Random, nprng: np.random.Generator, hour: datetime, opts: Options
) -> Iterator[tuple[str, Intent]]:
    """(language, intent) of every call in one hour: the regular mix plus the planted incidents."""
    for _ in range(int(nprng.poisson(hourly_rate(hour, opts.calls_per_day)))):
        lang = pick(rng, LANG_WEIGHTS)
        yield lang, regular_intent(rng, lang)
    if hour >= PAPER_FEE_START:
        extra = PAPER_FEE_EXTRA * hourly_rate(hour, opts.calls_per_day)
        for _ in range(int(nprng.poisson(extra))):
            lang = pick(rng, LANG_WEIGHTS)
            queue = "billing" if rng.random() < 0.85 else rng.choice(QUEUES)
            yield lang, Intent(("billing.unexpected_charge",), (rng.choice(pb.PAPER_FEE[lang]),), queue)
    if hour >= ESIM_START and 9 <= hour.hour < 18:
        scale = opts.calls_per_day / CALLS_PER_DAY * WEEKDAY_SHAPE[hour.weekday()]
        for _ in range(int(nprng.poisson(ESIM_PER_BUSINESS_HOUR * scale))):
            lang = "en" if rng.random() < 0.7 else "hr"
            yield lang, Intent((), (rng.choice(pb.ESIM[lang]),), "tech")


class WeeklyWriter:
    """One JSONL file per week (named by its Monday), opened as the stream reaches it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.week: date | None = None
        self.handle: IO[str] | None = None

    def write(self, day: date, call: dict[str, Any]) -> None:
        monday = day - timedelta(days=day.weekday())
        if monday != self.week:
            self.close()
            self.week = monday
            self.handle = (self.out / f"week-{monday.isoformat()}.jsonl").open("w", encoding="utf-8")
        assert self.handle is not None
        self.handle.write(json.dumps(call, ensure_ascii=False, separators=(",", ":")) + "\n")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def generate(opts: Options) -> int:
    rng = random.Random(opts.seed)
    nprng = np.random.default_rng(opts.seed)
    opts.out.mkdir(parents=True, exist_ok=True)
    opts.truth_dir.mkdir(parents=True, exist_ok=True)
    writer = WeeklyWriter(opts.out)
    total = 0
    with (opts.truth_dir / "truth_topics.csv").open("w", newline="", encoding="utf-8") as truth_file:
        truth = csv.writer(truth_file, lineterminator="\n")
        truth.writerow(["call_id", "topics"])
        for day_index in range(opts.days):
            day = opts.start + timedelta(days=day_index)
            seq = 0
            for h in range(24):
                hour = datetime(day.year, day.month, day.day, h, tzinfo=UTC)
                calls = list(hour_intents(rng, nprng, hour, opts))
                offsets = sorted(rng.randrange(3600) for _ in calls)
                for (lang, intent), offset in zip(calls, offsets, strict=True):
                    seq += 1
                    call_id = f"call-{day:%Y%m%d}-{seq:06d}"
                    writer.write(day, make_call(rng, call_id, hour + timedelta(seconds=offset), lang, intent))
                    truth.writerow([call_id, ";".join(intent.topics)])
                    total += 1
    writer.close()
    write_truth(opts)
    return total


def write_truth(opts: Options) -> None:
    truth = {
        "corpus": {"start": opts.start.isoformat(), "days": opts.days, "calls_per_day": opts.calls_per_day},
        "incidents": [
            {
                "name": "paper bill fee",
                "kind": "topic",
                "topic": "billing.unexpected_charge",
                "phrase": "paper bill fee",
                "start": PAPER_FEE_START.isoformat(),
                # the fee's calls are routed like the topic's usual ones (85% to billing): the rise is not
                # concentrated in any queue beyond where the topic already sits
                "dimension": {},
                "routing": "like the topic's usual calls: 85% billing, the rest spread over all queues",
                "expected_share_ratio": round((0.07 + PAPER_FEE_EXTRA) / (1 + PAPER_FEE_EXTRA) / 0.07, 2),
            },
            {
                "name": "esim activation",
                "kind": "emerging",
                "topic": None,
                "phrase": "esim activation",
                "start": ESIM_START.isoformat(),
                "dimension": {"queue": "tech"},
                "languages": ["en", "hr"],
            },
        ],
        "confounders": [
            {"name": "storm day", "kind": "all traffic x2", "day": STORM_DAY.isoformat()},
            {"name": "one-hour blip", "kind": "all traffic x3", "hour": BLIP_HOUR.isoformat()},
            {"name": "public holiday", "kind": "all traffic x0.3", "day": HOLIDAY.isoformat()},
            {"name": "seasonality", "kind": "daily and weekly", "weekday_shape": WEEKDAY_SHAPE},
        ],
    }
    (opts.truth_dir / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")


def truth_beside(out: Path) -> Path:
    """Where the truth files of a corpus written to `out` go: outside it, so ingesting `out` sees calls only."""
    return out.with_name(f"{out.name}-truth")


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "transcripts", help="folder for week-*.jsonl")
    parser.add_argument("--truth-dir", type=Path, help="folder for truth files (default: samples/ or OUT-truth)")
    parser.add_argument("--start", type=date.fromisoformat, default=START, help="first day (UTC)")
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--calls-per-day", type=float, default=CALLS_PER_DAY)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply calls per day")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    default_out = args.out == HERE / "transcripts"
    truth_dir = args.truth_dir or (HERE if default_out else truth_beside(args.out))
    return Options(args.out, truth_dir, args.start, args.days, args.calls_per_day * args.scale, args.seed)


def main(argv: list[str] | None = None) -> None:
    opts = parse_args(argv)
    total = generate(opts)
    print(f"wrote {total} calls to {opts.out} (truth files in {opts.truth_dir})")


if __name__ == "__main__":
    main()
