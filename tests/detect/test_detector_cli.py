"""`callpulse detect-series` on small CSVs and `callpulse detect --replay --json` on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from cli.main import app
from core.db import Database
from tests.detect.test_engine import HOURS, SPIKE, write_world


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/cli.db", *args])
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, counts: list[int], totals: list[int] | None = None) -> Path:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    lines = ["timestamp,count" + (",total" if totals else "")]
    for i, c in enumerate(counts):
        extra = f",{totals[i]}" if totals else ""
        lines.append(f"{(t0 + timedelta(hours=i)).isoformat()},{c}{extra}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_offline_changepoints_of_a_count_step(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    counts = [*rng.poisson(4, 120), *rng.poisson(14, 80)]
    code, out, _ = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "s.csv", counts)), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["rows"] == 200
    assert [abs(p["index"] - 120) <= 2 for p in result["changepoints"]] == [True]
    assert result["changepoints"][0]["timestamp"].startswith("2026-01-")


def test_causal_alarms_with_totals_and_without(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    totals = [int(v) for v in rng.poisson(200, 24 * 14)]
    counts = [int(rng.binomial(t, 0.05 if i < 24 * 11 else 0.2)) for i, t in enumerate(totals)]
    code, out, _ = _run(
        tmp_path, "detect-series", str(write_csv(tmp_path / "s.csv", counts, totals)), "--causal", "--json"
    )
    assert code == 0
    alarms = json.loads(out)["alarms"]
    assert alarms and all(24 * 11 <= a["index"] <= 24 * 11 + 3 for a in alarms[:1])
    level = [*rng.normal(10, 1, 300).round(2), *rng.normal(30, 1, 50).round(2)]
    path = tmp_path / "v.csv"
    path.write_text("timestamp,value\n" + "\n".join(f"{1700000000 + 60 * i},{v}" for i, v in enumerate(level)))
    code, out, _ = _run(tmp_path, "detect-series", str(path), "--causal", "--json")
    assert code == 0 and [a["index"] for a in json.loads(out)["alarms"]] == [300]  # one change, one alarm


def test_bad_csv_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("when,how_many\n1,2\n")
    code, _, err = _run(tmp_path, "detect-series", str(bad))
    assert code == 1 and "expected a header 'timestamp,count[,total]'" in err
    bad.write_text("timestamp,count\n2026-01-01T00:00:00Z,abc\n2026-01-01T01:00:00Z,3\n")
    code, _, err = _run(tmp_path, "detect-series", str(bad))
    assert code == 1 and "line 2: count 'abc' is not a number" in err
    code, _, err = _run(tmp_path, "detect-series", str(tmp_path / "missing.csv"))
    assert code == 1 and err.startswith("error: cannot read")
    bad.write_bytes(b"\xff\xfe\x00binary")
    code, _, err = _run(tmp_path, "detect-series", str(bad))
    assert code == 1 and "not a readable UTF-8 CSV" in err and err.count("\n") == 1


def test_detect_replay_json_lists_the_new_alerts(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/cli.db")
    write_world(db, 0, [("a", "billing", SPIKE, HOURS, 3.5)])
    db.engine.dispose()
    code, out, err = _run(tmp_path, "detect", "--replay", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert [(a["kind"], a["topic"], a["dimension"]) for a in items] == [("topic", "a", {"queue": "billing"})]
    code, _, err = _run(tmp_path, "detect", "--since", "2026-10-01")
    assert code == 1 and "--since/--until only apply to --replay" in err


def test_impossible_counts_are_refused(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "n.csv", [3, -5, 4])))
    assert code == 1 and "line 3: count '-5' is negative" in err
    code, _, err = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "t.csv", [3, 5, 4], [10, 2, 10])))
    assert code == 1 and "line 3: count 5 is above total 2" in err


def test_causal_mode_says_when_a_series_is_too_short_to_alarm(tmp_path: Path) -> None:
    counts = [3] * 60 + [12] * 30
    code, out, _ = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "s.csv", counts)), "--causal")
    assert code == 0 and "90 rows, 0 alarms" in out and "the first 90 rows build the reference: no row can" in out
    code, out, _ = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "s.csv", counts)), "--causal", "--json")
    assert json.loads(out)["alarms_from_row"] == 96  # three days of history after the day kept out of it


def test_counts_without_totals_are_tested_as_counts_and_stay_quiet_on_noise(tmp_path: Path) -> None:
    """The product's count test, not the streaming detector tuned on NAB's measurements: Poisson noise at a
    few calls an hour raises nothing in three months; tripling the rate raises one alarm, within hours."""
    rng = np.random.default_rng(4)
    noise = [int(v) for v in rng.poisson(2.0, 24 * 90)]
    code, out, _ = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "n.csv", noise)), "--causal", "--json")
    assert code == 0 and json.loads(out)["alarms"] == []
    rise = noise[: 24 * 60] + [int(v) for v in rng.poisson(6.0, 24 * 3)]
    code, out, _ = _run(tmp_path, "detect-series", str(write_csv(tmp_path / "r.csv", rise)), "--causal", "--json")
    alarms = [a["index"] for a in json.loads(out)["alarms"]]
    assert len(alarms) == 1 and 24 * 60 <= alarms[0] <= 24 * 60 + 6


def test_a_row_with_more_values_than_columns_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "wide.csv"
    bad.write_text("timestamp,count\n2026-01-01T00:00:00Z,1,7,8\n2026-01-01T01:00:00Z,3\n")
    code, _, err = _run(tmp_path, "detect-series", str(bad), "--json")
    assert code == 1 and err == "error: line 2: 4 values, but the header has 2 columns\n"


def test_epoch_seconds_beyond_the_calendar_are_a_one_line_error(tmp_path: Path) -> None:
    for stamp in ("1e20", "1e12", "-1e11", "inf", "nan"):
        bad = tmp_path / "far.csv"
        bad.write_text(f"timestamp,count\n{stamp},1\n{stamp},2\n")
        code, _, err = _run(tmp_path, "detect-series", str(bad), "--json")
        assert code == 1, stamp
        assert err == f"error: line 2: timestamp '{stamp}' is not epoch seconds within the years 1 to 9999\n"
