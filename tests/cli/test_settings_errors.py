"""A malformed CALLPULSE_* variable is one line naming the variable and what is wrong, exit 1, on every command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.mark.parametrize(
    ("variable", "value", "command", "expected"),
    [
        (
            "CALLPULSE_DELIVERY__WEBHOOK_URLS",
            "not json",
            "process",
            "error: CALLPULSE_DELIVERY__WEBHOOK_URLS: not valid JSON; expected a JSON list, e.g. "
            """'["first","second"]'\n""",
        ),
        (  # a list of objects is shown as one
            "CALLPULSE_DELIVERY__ROUTES",
            "not json",
            "alerts",
            "error: CALLPULSE_DELIVERY__ROUTES: not valid JSON; expected a JSON list, e.g. "
            """'[{"channel":"slack","target":"https://hooks.slack.com/services/T0/B0/x","topics":["billing"]}]'\n""",
        ),
        (
            "CALLPULSE_TRANSCRIBE__ALLOWED_LANGUAGES",
            "en",
            "alerts",
            "error: CALLPULSE_TRANSCRIBE__ALLOWED_LANGUAGES: not valid JSON; expected a JSON list, "
            """e.g. '["en","hr"]'\n""",
        ),
        (
            "CALLPULSE_WORKERS",
            "abc",
            "alerts",
            "error: CALLPULSE_WORKERS: Input should be a valid integer, unable to parse string as an integer\n",
        ),
        (
            "CALLPULSE_DETECT__MIN_RATIO",
            "0.5",
            "trends",
            "error: CALLPULSE_DETECT__MIN_RATIO: Input should be greater than 1\n",
        ),
        (
            "CALLPULSE_DELIVERY__EMAIL_TO",
            "[1]",
            "alerts",
            "error: CALLPULSE_DELIVERY__EMAIL_TO: item 0: Input should be a valid string\n",
        ),
        (
            "CALLPULSE_TRANSCRIBE",
            "{oops",
            "alerts",
            'error: CALLPULSE_TRANSCRIBE: not valid JSON; expected a JSON object, e.g. \'{"name": "value"}\'\n',
        ),
    ],
)
def test_malformed_variable_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, command: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    for db in ([], ["--db", f"sqlite:///{tmp_path}/cli.db"]):
        result = CliRunner().invoke(app, [*db, command])
        assert (result.exit_code, result.stderr) == (1, expected)
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_secret_values_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLPULSE_DELIVERY__SLACK_WEBHOOK_URLS", "https://hooks.slack.com/services/T0/B0/s3cr3t")
    result = CliRunner().invoke(app, ["alerts"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: CALLPULSE_DELIVERY__SLACK_WEBHOOK_URLS: not valid JSON")
    assert "s3cr3t" not in result.stderr
