"""`callpulse keys revoke`: an id no row can have is an unknown key, not a database error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.models import MAX_ROW_ID


@pytest.mark.parametrize("key_id", ["999", str(MAX_ROW_ID + 1), "9223372036854775808", "99999999999999999999"])
def test_revoking_an_id_no_key_has_says_so_in_one_line(tmp_path: Path, key_id: str) -> None:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/keys.db", "keys", "revoke", key_id])
    assert result.exit_code == 1
    assert result.stderr == f"error: no API key with id {key_id}\n"
