"""`callpulse process` under the celery executor with its broker down: one line, exit 1, the calls stay pending,
the rest of the round runs."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from cli.pipeline import check_broker
from core.db import Database
from core.models import Call


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_broker_is_one_line_without_the_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = _unused_port()
    monkeypatch.setenv("CALLPULSE_EXECUTOR", "celery")
    monkeypatch.setenv("CALLPULSE_BROKER_URL", f"redis://:hunter2@127.0.0.1:{port}/0")
    (tmp_path / "audio").mkdir()
    (tmp_path / "audio" / "call.wav").write_bytes(random.Random(3).randbytes(2000))
    url = f"sqlite:///{tmp_path}/cli.db"
    assert CliRunner().invoke(app, ["--db", url, "ingest", str(tmp_path / "audio")]).exit_code == 0
    started = time.monotonic()
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 1, result.output
    # the rest of the round ran (transcripts already in are tagged and counted); the error is its last line
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: Celery broker / result store at redis://:**@127.0.0.1:{port}/0 is unreachable")
    assert result.stderr.splitlines()[-1] == error and "hunter2" not in result.output + result.stderr
    assert "not run" in result.stdout and "detect" in result.stdout
    assert time.monotonic() - started < 15
    database = Database(url)
    with database.session() as session:
        assert [str(s) for s in session.scalars(select(Call.status))] == ["pending"]
    database.engine.dispose()


@pytest.mark.redis
def test_a_running_broker_passes_the_check(tmp_path: Path) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server binary not installed (Debian package redis-server)")
    port = _unused_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                check_broker(f"redis://127.0.0.1:{port}/0", timeout_s=1.0)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
