"""`callpulse alerts`: a resolved alert says whether its fix worked, or that it is not known yet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.context import console
from cli.main import app
from core.db import Database
from core.models import Alert, AlertKind, AlertStatus, Severity


def database_with_alert(tmp_path: Path, **fields: object) -> str:
    """A database holding one fee alert (``fields`` override its defaults); its URL."""
    url = f"sqlite:///{tmp_path}/alerts.db"
    at = datetime(2026, 10, 26, 9, tzinfo=UTC)
    database = Database(url)
    with database.session() as session:
        session.add(
            Alert(
                **{
                    "kind": AlertKind.TOPIC, "topic_id": "billing.unexpected_charge", "incident_key": "topic:fee",
                    "change_at": at, "detected_at": at, "last_seen_at": at, "baseline_rate": 1.0,
                    "current_rate": 3.0, "ratio": 3.0, "severity": Severity.HIGH, **fields,
                }
            )
        )  # fmt: skip
    database.engine.dispose()
    return url


@pytest.mark.parametrize(
    ("recovery", "said"),
    [
        ("back_to_baseline", "fix:   back to baseline"),
        ("still_elevated", "fix:   still elevated"),
        (None, "not known yet"),
    ],
)
def test_a_resolved_alert_says_whether_its_fix_worked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recovery: str | None, said: str
) -> None:
    monkeypatch.setattr(console, "width", 200)
    resolved_at = datetime(2026, 10, 27, 9, tzinfo=UTC)
    url = database_with_alert(tmp_path, status=AlertStatus.RESOLVED, resolved_at=resolved_at, recovery=recovery)
    resolved = CliRunner().invoke(app, ["--db", url, "alerts", "--status", "resolved"])
    assert resolved.exit_code == 0, resolved.output
    assert said in resolved.stdout


def test_an_open_alert_says_nothing_of_a_fix(tmp_path: Path) -> None:
    listed = CliRunner().invoke(app, ["--db", database_with_alert(tmp_path), "alerts"])
    assert listed.exit_code == 0, listed.output
    assert "billing.unexpected_charge" in listed.stdout and "fix:" not in listed.stdout
