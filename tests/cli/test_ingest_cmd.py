from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from tests.ingest.conftest import call_obj, write_jsonl

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/cli.db", *args])
    return result.exit_code, result.stdout, result.stderr


def test_ingest_reports_summary_and_nothing_new_on_rerun(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("a"), call_obj("b"), "{bad"])
    code, out, err = _run(tmp_path, "ingest", str(path))
    assert code == 0
    assert "new calls" in out and "2" in out
    assert f"{path}:3:" in err.replace("\n", "")
    code, out, _ = _run(tmp_path, "ingest", str(path))
    assert code == 0
    assert "nothing new: 2 calls already ingested" in out


def test_ingest_json_output(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "calls.jsonl", [call_obj("a"), {"call_id": "x"}])
    code, out, _ = _run(tmp_path, "ingest", "--json", str(path))
    assert code == 0
    summary = json.loads(out)
    assert summary["calls_new"] == 1
    assert summary["bad_records"] == [{"file": str(path.resolve()), "line": 2, "reason": "missing started_at"}]


def test_ingest_missing_path_and_unreadable_input_exit_1(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "ingest", str(tmp_path / "nope.jsonl"))
    assert code == 1
    assert err.strip().startswith("error: no such file or directory")
    bad = write_jsonl(tmp_path / "bad.jsonl", ["{", "[]"])
    code, _, err = _run(tmp_path, "ingest", str(bad))
    assert code == 1
    assert "nothing readable" in err and "2 bad records" in err


def test_export_to_file_and_stdout(tmp_path: Path) -> None:
    _run(tmp_path, "ingest", str(write_jsonl(tmp_path / "calls.jsonl", [call_obj("a"), call_obj("b")])))
    code, _, err = _run(tmp_path, "export", "--out", str(tmp_path / "out.jsonl"))
    assert code == 0
    assert "exported 2 calls" in err
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["call_id"] for line in lines] == ["a", "b"]
    code, out, _ = _run(tmp_path, "export")
    assert code == 0
    assert out.splitlines() == lines
    code, _, err = _run(tmp_path, "export", "--format", "xml")
    assert code == 1 and "unknown export format" in err


def test_export_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`callpulse export | head -1`: the reader stops early; no error message, as with any Unix tool."""
    long_text = "There is a paper bill fee on my bill and I never asked for paper. " * 5
    calls = [
        call_obj(f"call-{i:04d}", segments=[{"start": 0, "end": 9, "speaker": "customer", "text": long_text}])
        for i in range(600)
    ]
    code, _, _ = _run(tmp_path, "ingest", "--json", str(write_jsonl(tmp_path / "calls.jsonl", calls)))
    assert code == 0
    command = [
        sys.executable,
        "-c",
        "from cli.main import app; app()",
        "--db",
        f"sqlite:///{tmp_path}/cli.db",
        "export",
    ]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(60) in (0, 141)
    assert json.loads(first)["call_id"] == "call-0000"
    assert err == ""
