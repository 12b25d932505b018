"""`callpulse purge` and the retention period `process` applies: old calls go, with a clear word on what went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.context import console
from cli.main import app
from core.db import Database
from core.models import Call, Speaker
from core.settings import get_settings
from tests.detect.test_tagging import add_call


def _two_calls(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/retention.db"
    database = Database(url)
    now = datetime.now(UTC)
    add_call(database, "old", now - timedelta(days=60), "en", [(Speaker.CUSTOMER, "a paper bill fee")])
    add_call(database, "recent", now - timedelta(days=2), "en", [(Speaker.CUSTOMER, "a paper bill fee")])
    database.engine.dispose()
    return url


def _calls(url: str) -> list[str]:
    database = Database(url)
    with database.session() as session:
        ids = sorted(session.scalars(select(Call.id)))
    database.engine.dispose()
    return ids


def test_purge_asks_says_and_deletes_only_what_is_older_than_the_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)
    url = _two_calls(tmp_path)
    too_short = CliRunner().invoke(app, ["--db", url, "purge", "--older-than", "7", "--yes"])
    assert too_short.exit_code == 1 and "at least 30 days" in too_short.output
    dry = CliRunner().invoke(app, ["--db", url, "purge", "--older-than", "30", "--dry-run"])
    assert dry.exit_code == 0 and "would delete 1 calls started before" in dry.stdout
    declined = CliRunner().invoke(app, ["--db", url, "purge", "--older-than", "30"], input="n\n")
    assert declined.exit_code == 1 and "delete 1 calls started before" in declined.stdout
    assert _calls(url) == ["old", "recent"]
    done = CliRunner().invoke(app, ["--db", url, "purge", "--older-than", "30", "--yes"])
    assert done.exit_code == 0, done.output
    assert "deleted 1 calls started before" in done.stdout and "hourly counts kept" in done.stdout
    assert _calls(url) == ["recent"]


def test_process_applies_the_retention_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 200)
    monkeypatch.setenv("CALLPULSE_RETENTION_DAYS", "45")
    get_settings.cache_clear()
    url = _two_calls(tmp_path)
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 0, result.output
    assert "retention" in result.stdout and "1 calls started before" in result.stdout
    assert _calls(url) == ["recent"]


@pytest.mark.parametrize("days", ["36501", "1000000", "99999999999"])
def test_purge_refuses_a_period_beyond_a_century_in_one_line(tmp_path: Path, days: str) -> None:
    url = _two_calls(tmp_path)
    result = CliRunner().invoke(app, ["--db", url, "purge", "--older-than", days, "--dry-run"])
    assert result.exit_code == 1
    assert result.stderr == f"error: calls can be kept at most 36500 days (a century), not {days}\n"


def test_process_refuses_a_retention_period_beyond_a_century_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLPULSE_RETENTION_DAYS", "1000000")
    get_settings.cache_clear()
    url = _two_calls(tmp_path)
    result = CliRunner().invoke(app, ["--db", url, "process"])
    assert result.exit_code == 1
    assert result.stderr == "error: CALLPULSE_RETENTION_DAYS: Input should be less than or equal to 36500\n"
    assert _calls(url) == ["old", "recent"]
