"""Upgrading rewrites stored recording paths that carry a caller's number, as ingest now stores them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.db import Database, upgrade
from core.models import Call
from tests.core.migrations.schema import downgrade_to
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
STORED = {
    "a": "/rec/2026-11-02_0915_+385915550101.wav",
    "b": "/rec/out-0915550101-20261102-091500-1698312345.123.wav",
    "c": "/rec/call-20261102-000213.wav",
    "d": None,
}


def check_upgrade_redacts_source_files(db: Database) -> None:
    downgrade_to(db, "0009")
    with db.session() as s:
        s.add_all(Call(id=cid, started_at=T0, source_file=path, audio_path=path) for cid, path in STORED.items())
    upgrade(db.engine)
    with db.session() as s:
        stored = {cid: path for cid, path in s.execute(select(Call.id, Call.source_file))}
    assert stored == {
        "a": "/rec/2026-11-02_0915_[PHONE].wav",
        "b": "/rec/out-[PHONE]-20261102-091500-1698312345.123.wav",
        "c": "/rec/call-20261102-000213.wav",
        "d": None,
    }


def test_upgrade_redacts_source_files_on_sqlite(db: Database) -> None:
    check_upgrade_redacts_source_files(db)


@pytest.mark.postgres
def test_upgrade_redacts_source_files_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_source_file") as db:
        check_upgrade_redacts_source_files(db)
