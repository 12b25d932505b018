"""Files saved by Excel or Windows tools start with a UTF-8 byte-order mark; callpulse reads them like any other."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.ingest.conftest import call_obj

BOM = "\ufeff"


def test_series_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    rows = [
        f"2026-10-{day:02d}T00:00:00Z,{count}" for day, count in zip(range(1, 21), [5] * 10 + [30] * 10, strict=True)
    ]
    path = tmp_path / "series.csv"
    path.write_text(BOM + "timestamp,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["detect-series", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["rows"] == 20


def test_transcripts_with_a_byte_order_mark(tmp_path: Path) -> None:
    lines = BOM + "".join(json.dumps(call_obj(f"c{i}")) + "\n" for i in range(2))
    (tmp_path / "calls.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "one.json").write_text(BOM + json.dumps(call_obj("single")), encoding="utf-8")
    with gzip.open(tmp_path / "more.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(BOM + json.dumps(call_obj("zipped")) + "\n")
    files = [str(tmp_path / name) for name in ("calls.jsonl", "one.json", "more.jsonl.gz")]
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/cli.db", "ingest", "--json", *files])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["calls_new"], summary["bad_records"]) == (4, [])
