from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from core.db import Database, is_current
from core.errors import DatabaseNotReady
from core.migrations.env_filters import include_name
from core.models import Base, Call, Segment, Speaker


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
    assert is_current(db.engine)


def test_datetimes_round_trip_as_utc(db: Database) -> None:
    started = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    with db.session() as s:
        s.add(Call(id="c1", started_at=started))
    with db.session() as s:
        call = s.get(Call, "c1")
        assert call is not None
        assert call.started_at == started and call.started_at.tzinfo is not None


def test_segment_text_is_indexed_for_search(db: Database) -> None:
    with db.session() as s:
        s.add(Call(id="c1", started_at=datetime(2026, 3, 1, tzinfo=UTC)))
        s.add(Segment(call_id="c1", idx=0, start=0, end=1, speaker=Speaker.CUSTOMER, text="moj račun je veći"))
    with db.session() as s:
        rows = s.execute(text("SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'racun'")).all()
    assert len(rows) == 1
    assert db.dialect == "sqlite"


def test_unusable_database_is_a_one_line_domain_error(tmp_path: Path) -> None:
    for url, reason in (
        (f"sqlite:///{tmp_path}", "unable to open database file"),
        ("postgresql://user:secret@127.0.0.1:1/x", "Connection refused"),
        ("not a url", "Could not parse"),
    ):
        with pytest.raises(DatabaseNotReady) as caught:
            Database(url)
        assert reason in caught.value.detail and "\n" not in caught.value.detail
        assert "secret" not in caught.value.detail
