"""`callpulse process` on recordings that cannot be decoded: each fails with its reason and file, the batch goes on."""

from __future__ import annotations

import os
import random
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.context import console
from cli.main import app
from core.db import Database, get_database
from core.models import Alert, AlertKind, Severity, Speaker
from core.settings import get_settings
from tests.detect.test_tagging import add_call


def test_undecodable_recordings_fail_with_their_file_and_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)  # one failure per line, however long the temporary path
    audio = tmp_path / "audio"
    audio.mkdir()
    (audio / "noise.wav").write_bytes(random.Random(7).randbytes(4000))
    (audio / "empty.mp3").write_bytes(b"")
    db = ["--db", f"sqlite:///{tmp_path}/cli.db"]
    assert CliRunner().invoke(app, [*db, "ingest", str(audio)]).exit_code == 0
    result = CliRunner().invoke(app, [*db, "process", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 failed" in result.stdout
    assert f"({audio / 'noise.wav'}): not a decodable audio file" in result.stdout
    assert f"({audio / 'empty.mp3'}): empty file (0 bytes)" in result.stdout


def test_process_every_runs_rounds_and_later_rounds_find_nothing_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)  # the test does not wait a minute between rounds
    db = ["--db", f"sqlite:///{tmp_path}/loop.db"]
    transcript = tmp_path / "calls.jsonl"
    transcript.write_text(
        '{"call_id": "c1", "started_at": "2026-10-26T09:00:00Z", "language": "en", "queue": "billing", '
        '"segments": [{"start": 0, "end": 4, "speaker": "customer", "text": "There is a paper bill fee on my bill"}]}\n'
    )
    assert CliRunner().invoke(app, [*db, "ingest", str(transcript)]).exit_code == 0
    result = CliRunner().invoke(app, [*db, "process", "--every", "1", "--max-rounds", "2"])
    assert result.exit_code == 0, result.output
    assert "round 1 at" in result.stdout and "round 2 at" in result.stdout and "round 3" not in result.stdout
    assert "1 new, 0 re-tagged" in result.stdout and "0 new, 0 re-tagged" in result.stdout
    assert len(waits) == 1 and 0 < waits[0] <= 60  # the rest of the minute the first round left


def test_a_database_that_stops_answering_fails_a_round_and_the_loop_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "loop.db"
    url = f"sqlite:///{path}"
    assert CliRunner().invoke(app, ["--db", url, "keys", "list"]).exit_code == 0
    get_database(url).engine.dispose()  # its write-ahead log checkpointed into the file
    saved = path.read_bytes()
    rounds: list[float] = []

    def between_rounds(_: float) -> None:
        rounds.append(_)
        get_database(url).engine.dispose()  # the next round opens the file anew, as after a restart of the database
        for part in tmp_path.glob("loop.db-*"):
            part.unlink()
        # the first pause breaks the file, the second puts it back
        path.write_bytes(b"x" * 100 + saved[100:] if len(rounds) == 1 else saved)

    monkeypatch.setattr(time, "sleep", between_rounds)
    result = CliRunner().invoke(app, ["--db", url, "process", "--every", "1", "--max-rounds", "3"])
    assert result.exit_code == 0, result.output
    assert "round 3 at" in result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("round failed")]
    assert len(failed) == 1 and "the database stopped answering" in failed[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("every", ["0", "0.5", "-1"])
def test_process_every_refuses_rounds_closer_than_a_minute(tmp_path: Path, every: str) -> None:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/loop.db", "process", "--every", every])
    assert result.exit_code == 2
    assert "Invalid value for '--every'" in result.stderr and "greater than or equal to 1" in result.stderr
    assert "round 1" not in result.stdout


def test_failed_deliveries_are_shown_with_their_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 250)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CALLPULSE_DELIVERY__WEBHOOK_URLS", f'["http://127.0.0.1:{port}/hook"]')
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path}/deliver.db"
    at = datetime.now(UTC) - timedelta(hours=2)
    with Database(url).session() as session:
        session.add(
            Alert(
                kind=AlertKind.TOPIC, topic_id="billing.unexpected_charge", incident_key="topic:fee", change_at=at,
                detected_at=at, last_seen_at=at, baseline_rate=1.0, current_rate=3.0, ratio=3.0,
                severity=Severity.HIGH,
            )
        )  # fmt: skip
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 0, result.output
    assert "0 delivered, 1 to retry" in result.stdout
    assert f"failed alert 1 -> webhook:http://127.0.0.1:{port}/hook: ConnectError" in result.stdout


def test_a_call_tagging_cannot_take_is_listed_with_its_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tag.db"
    database = Database(url)
    at = datetime(2026, 10, 26, 9, tzinfo=UTC)
    add_call(database, "fine", at, "en", [(Speaker.CUSTOMER, "There is a paper bill fee on my bill")])
    add_call(database, "huge", at, "en", [(Speaker.CUSTOMER, "bill " * 220_000)])
    database.engine.dispose()
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 re-tagged, 1 failed" in result.stdout
    assert "failed huge: tagging failed: ValueError" in result.stdout


def test_a_broken_tagging_pipeline_is_a_failed_run_for_schedulers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detect import tag_job

    monkeypatch.setattr(tag_job, "SYSTEMATIC_FAILURE_CALLS", 3)
    url = f"sqlite:///{tmp_path}/broken.db"
    database = Database(url)
    at = datetime(2026, 10, 26, 9, tzinfo=UTC)
    for i in range(3):
        add_call(database, f"h{i}", at, "en", [(Speaker.CUSTOMER, "bill " * 220_000)])
    database.engine.dispose()
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 1 and "stopped tagging failed for all 3 calls of a batch" in result.stdout
    assert "detect" in result.stdout  # the rest of the round ran


def test_process_takes_in_a_drop_folder_each_round_and_leaves_files_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)
    db = ["--db", f"sqlite:///{tmp_path}/drop.db"]
    drop = tmp_path / "drop"
    drop.mkdir()
    line = (
        '{{"call_id": "{}", "started_at": "2026-10-26T09:00:00Z", "language": "en", "queue": "billing", '
        '"segments": [{{"start": 0, "end": 4, "speaker": "customer", "text": "a paper bill fee"}}]}}\n'
    )
    rested = drop / "monday.jsonl"
    rested.write_text(line.format("c1"))
    os.utime(rested, (time.time() - 600, time.time() - 600))
    (drop / "tuesday.jsonl").write_text(line.format("c2"))  # the exporter is still writing it
    first = CliRunner().invoke(app, [*db, "process", "--ingest", str(drop)])
    assert first.exit_code == 0, first.output
    assert "1 new calls (0 recordings), 0 bad records, 1 file still being written (next run)" in first.stdout
    assert "1 new, 0 re-tagged" in first.stdout
    later = CliRunner().invoke(app, [*db, "process", "--ingest", str(drop), "--settle", "0"])
    assert "1 new calls (0 recordings), 0 bad records" in later.stdout and "still being written" not in later.stdout
    assert "1 new, 0 re-tagged" in later.stdout


def test_an_unreadable_drop_folder_fails_the_run_for_schedulers_after_the_rest_of_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 250)
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/gone.db", "process", "--ingest", "/no/such/nfs"])
    assert result.exit_code == 1
    assert "failed no such file or directory: /no/such/nfs" in result.stdout
    assert "hourly buckets decided" in result.stdout  # pending work still ran


def test_process_says_when_no_calls_have_arrived_for_hours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 250)
    monkeypatch.setenv("CALLPULSE_DETECT__SILENCE_MIN_CALLS", "2")
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path}/quiet.db"
    database = Database(url)
    newest = datetime.now(UTC).replace(minute=10) - timedelta(hours=5)
    for h in range(20 * 24):  # a call an hour for twenty days, then nothing
        add_call(database, f"c{h}", newest - timedelta(hours=h), "en", [(Speaker.CUSTOMER, "a question")])
    database.engine.dispose()
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 0, result.output
    assert f"no calls since {newest + timedelta(hours=1):%Y-%m-%d %H:00} UTC (4 hours that usually hold about 4)" in (
        result.stdout
    )
    listed = CliRunner().invoke(app, ["--db", url, "alerts"])
    assert "volume alert: all calls" in listed.stdout and "no calls arrive (usually 1 an hour)" in listed.stdout
