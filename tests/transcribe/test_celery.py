"""Scale-out: a pending call is transcribed by a real `callpulse worker` through a real Redis broker."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.db import Database
from core.errors import CallpulseError
from core.executor import CeleryExecutor, celery_app
from core.models import Call, CallStatus
from core.progress import NoProgress
from transcribe.job import transcribe_pending

from .conftest import needs_speech_data

pytestmark = [pytest.mark.slow, pytest.mark.redis, needs_speech_data]
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server binary not installed (Debian package redis-server)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def celery_worker(redis_url: str, tmp_path: Path) -> Iterator[Path]:
    env = {**os.environ, "CALLPULSE_BROKER_URL": redis_url, "CALLPULSE_EXECUTOR": "celery"}
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cli.main import app; app()", "worker", "--concurrency", "1"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120  # a started worker answers pings once it consumes
        while not celery_app(redis_url).control.ping(timeout=1.0):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        yield log
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_pending_call_is_transcribed_by_a_celery_worker(
    db: Database, redis_url: str, celery_worker: Path, card_call: Path
) -> None:
    with db.session() as session:
        session.add(Call(id="via-celery", started_at=datetime(2026, 11, 2, 10, tzinfo=UTC), audio_path=str(card_call)))
    executor = CeleryExecutor(redis_url, timeout_s=240)
    report = transcribe_pending(db.url, workers=1, retry_failed=False, progress=NoProgress(), executor=executor)
    assert report.transcribed == 1, (report.failures, celery_worker.read_text()[-3000:])
    with db.session() as session:
        call = session.get(Call, "via-celery")
        assert call is not None and call.status == CallStatus.TRANSCRIBED
        assert any("[CARD]" in s.text for s in call.segments)


def test_without_a_worker_the_calls_stay_pending_and_the_run_says_why(db: Database, redis_url: str) -> None:
    with db.session() as session:
        session.add(Call(id="no-worker", started_at=datetime(2026, 11, 2, 10, tzinfo=UTC), audio_path="/x.wav"))
    started = time.monotonic()
    with pytest.raises(CallpulseError, match="no Celery worker answers"):
        transcribe_pending(
            db.url, workers=1, retry_failed=False, progress=NoProgress(), executor=CeleryExecutor(redis_url)
        )
    assert time.monotonic() - started < 10  # not a wait for a worker that may never come
    with db.session() as session:
        assert session.get_one(Call, "no-worker").status == CallStatus.PENDING


def test_tasks_no_worker_finishes_in_time_are_left_to_the_workers(redis_url: str, celery_worker: Path) -> None:
    started = time.monotonic()
    outcomes = list(CeleryExecutor(redis_url, stall_s=2.0).map(time.sleep, [12.0]))
    assert [(o.item, o.left) for o in outcomes] == [(12.0, True)]
    assert time.monotonic() - started < 10  # not the task's 12 s: the caller moves on, the worker goes on
