"""The detector on any `timestamp,count[,total]` CSV: offline changepoints or causal alarms."""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidInput
from detect.changepoint import offline_changepoints
from detect.decide import DetectOptions
from detect.detector import evaluate_share
from detect.streaming import causal_alarms, warmup_rows

# The production topic test (CUSUM, the baseline's own error, the series' burstiness). On counts without totals
# (pure Poisson noise at 0.2 to 500 a row) it raised no alarm in 20,000 rows per rate.
SHARE_TEST = DetectOptions().share


@dataclass(frozen=True)
class SeriesInput:
    timestamps: tuple[datetime, ...]
    counts: tuple[float, ...]
    totals: tuple[float, ...] | None
    measured: bool = False  # a `value` column: any measurement, not a count of calls


@dataclass(frozen=True)
class SeriesPoint:
    index: int
    timestamp: datetime


@dataclass(frozen=True)
class SeriesAlarms:
    points: list[SeriesPoint]
    first_row: int  # rows before this one only build the reference: no alarm can come from them


def _parse_time(value: str, line: int) -> datetime:
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _parse_epoch(text, line)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_epoch(text: str, line: int) -> datetime:
    try:
        seconds = float(text)
    except ValueError:
        raise InvalidInput(f"line {line}: timestamp {text!r} is neither ISO 8601 nor epoch seconds") from None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        # a number, but not a moment: outside the years 1 to 9999 (or the platform's time_t), infinite or NaN
        raise InvalidInput(f"line {line}: timestamp {text!r} is not epoch seconds within the years 1 to 9999") from None


def _parse_number(value: str, column: str, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"line {line}: {column} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(f"line {line}: {column} must be finite")
    return number


def _count(value: str, column: str, line: int) -> float:
    number = _parse_number(value, column, line)
    if number < 0 and column != "value":  # a `value` column may be any measurement; counts are not negative
        raise InvalidInput(f"line {line}: {column} {value!r} is negative")
    return number


def _row(raw: dict[str | Any, str | Any], width: int, line: int) -> dict[str, str]:
    """A data row by lower-case column name. csv.DictReader files the values past the header's columns as a list
    under the key None: a row with more values than the header has columns is refused rather than guessed at."""
    if None in raw:
        raise InvalidInput(f"line {line}: {width + len(raw[None])} values, but the header has {width} columns")
    return {k.strip().lower(): (v or "").strip() for k, v in raw.items()}


def read_series_csv(path: Path) -> SeriesInput:
    """Header `timestamp,count` or `timestamp,count,total` (`value` is accepted for `count`)."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # spreadsheet exports start with a BOM
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from exc
    try:
        with handle:
            reader = csv.DictReader(handle)
            fields = [f.strip().lower() for f in reader.fieldnames or []]
            count_col = "count" if "count" in fields else "value" if "value" in fields else None
            if "timestamp" not in fields or count_col is None:
                got = ",".join(reader.fieldnames or []) or "nothing"
                raise InvalidInput(f"{path}: expected a header 'timestamp,count[,total]', got {got}")
            has_total = "total" in fields
            times, counts, totals = [], [], []
            for line, raw in enumerate(reader, start=2):
                row = _row(raw, len(fields), line)
                times.append(_parse_time(row["timestamp"], line))
                counts.append(_count(row[count_col], count_col, line))
                if has_total:
                    totals.append(_count(row["total"], "total", line))
                    if counts[-1] > totals[-1]:
                        raise InvalidInput(f"line {line}: {count_col} {row[count_col]} is above total {row['total']}")
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{path}: not a readable UTF-8 CSV ({exc})") from None
    if len(times) < 2:
        raise InvalidInput(f"{path}: need at least two rows of data")
    if any(b < a for a, b in itertools.pairwise(times)):
        raise InvalidInput(f"{path}: timestamps must be in ascending order")
    return SeriesInput(tuple(times), tuple(counts), tuple(totals) if has_total else None, count_col == "value")


def series_changepoints(series: SeriesInput) -> list[SeriesPoint]:
    totals = np.asarray(series.totals) if series.totals is not None else None
    cps = offline_changepoints(np.asarray(series.counts, dtype=float), totals)
    return [SeriesPoint(i, series.timestamps[i]) for i in cps]


def series_alarms(series: SeriesInput, quiet_rows: int = 24) -> SeriesAlarms:
    """Counts are tested as the product tests a topic (rows taken as hours): against their totals, or, without
    totals, as the share of a constant one, so a count keeps its Poisson noise and weekly shape. A `value`
    column may be any measurement: it gets the streaming detector (the NAB configuration).

    As with the product's alerts, one change gives one alarm: an alarm within ``quiet_rows`` of the last alarmed
    row continues it (the product's cool-down)."""
    counts = np.asarray(series.counts, dtype=float)
    if series.measured and series.totals is None:
        rows = _incident_starts(np.asarray(causal_alarms(counts, list(series.timestamps)), dtype=np.int64), quiet_rows)
        first = warmup_rows(counts.size)
    else:
        totals = np.ones_like(counts) if series.totals is None else np.asarray(series.totals, dtype=float)
        ev = evaluate_share(counts, totals, SHARE_TEST)
        rows = _incident_starts(np.flatnonzero(ev.alarm[0]), quiet_rows)
        known = np.flatnonzero(np.isfinite(ev.expected[0]))
        base = SHARE_TEST.baseline
        first = int(known[0]) if known.size else max(counts.size, base.guard_hours + base.min_history_hours)
    return SeriesAlarms([SeriesPoint(i, series.timestamps[i]) for i in rows], first)


def _incident_starts(alarmed: NDArray[np.int64], quiet_rows: int) -> list[int]:
    starts: list[int] = []
    last = -quiet_rows - 2
    for row in alarmed.tolist():
        if row - last > quiet_rows + 1:
            starts.append(int(row))
        last = row
    return starts
