"""One processing run per database: a second one while the first holds it is told so, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.db import Database
from core.runlock import exclusive_run
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)


def check_one_run_at_a_time(db: Database, other: Database) -> None:
    with exclusive_run(db) as first:
        with exclusive_run(other) as second:
            assert (first, second) == (True, False)
        result = CliRunner().invoke(app, ["--db", db.url, "process"])
        assert result.exit_code == 0, result.output
        assert result.stderr.strip() == (
            "skipped: another `callpulse process` run is working on this database (it does the pending work)"
        )
    with exclusive_run(other) as again:  # released with its holder
        assert again


def test_one_run_at_a_time_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cp.db"
    check_one_run_at_a_time(Database(url), Database(url))


@pytest.mark.postgres
def test_one_run_at_a_time_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_runlock") as db:
        other = Database(db.url, migrate=False)
        try:
            check_one_run_at_a_time(db, other)
        finally:
            other.engine.dispose()
