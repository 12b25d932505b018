"""Retention: old calls and the recordings callpulse keeps for them go; the hourly counts stay, for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.errors import InvalidInput
from core.models import Call, Segment, Speaker, TopicHit, VolumeBucket
from core.recordings import upload_dir
from core.retention import Storage, check_keep_days, purge, purged_before, remove_files
from core.search import SearchOptions, search_segments
from detect.tag_job import tag_pending
from detect.taxonomy import install_taxonomy
from detect.volumes import rebuild_volumes, refresh_volumes
from tests.detect.test_tagging import TAXONOMY, add_call

OLD = datetime(2026, 8, 3, 10, 15, tzinfo=UTC)
NEW = datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
CUTOFF = datetime(2026, 9, 1, tzinfo=UTC)
FEE = [(Speaker.CUSTOMER, "There's an unexpected charge on my bill")]


def _counts(db: Database) -> list[tuple[datetime, str, int]]:
    with db.session() as session:
        rows = session.execute(select(VolumeBucket.bucket_start, VolumeBucket.topic_id, VolumeBucket.count))
        return sorted((b if b.tzinfo else b.replace(tzinfo=UTC), t, c) for b, t, c in rows)


def _world(db: Database, tmp_path: Path) -> Storage:
    storage = Storage(tmp_path / "audio", tmp_path / "redacted")
    uploads = upload_dir(storage.audio_dir)
    uploads.mkdir(parents=True)
    storage.redacted_dir.mkdir()
    archive = tmp_path / "recorder-archive"
    archive.mkdir()
    for i in range(3):
        add_call(db, f"old-{i}", OLD + timedelta(minutes=i), "en", FEE)
        add_call(db, f"new-{i}", NEW + timedelta(minutes=i), "en", FEE)
    paths = {
        "old-0": uploads / ("a" * 64 + ".wav"),  # an upload: callpulse's to remove
        "old-1": archive / "old-1.wav",  # ingested where it lies: the recorder's archive keeps its own rules
        "old-2": uploads / ("b" * 64 + ".wav"),  # the same recording as a call still kept
        "new-0": uploads / ("b" * 64 + ".wav"),
    }
    with db.session() as session:
        for call_id, path in paths.items():
            path.write_bytes(b"RIFF")
            session.get_one(Call, call_id).audio_path = str(path)
    (storage.redacted_dir / "old-0.opus").write_bytes(b"Ogg")
    with db.session() as session:
        install_taxonomy(session, TAXONOMY)
    tag_pending(db)
    refresh_volumes(db)
    return storage


def test_old_calls_and_the_recordings_callpulse_keeps_for_them_go_and_their_counts_stay(
    db: Database, tmp_path: Path
) -> None:
    storage = _world(db, tmp_path)
    counted = _counts(db)
    with db.session() as session:
        preview = purge(session, CUTOFF, storage, dry_run=True)
    assert (preview.calls, preview.dry_run) == (3, True)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 6  # a dry run deletes nothing
        report = purge(session, CUTOFF, storage)
    assert report.calls == 3
    assert sorted(p.name for p in report.files) == ["a" * 64 + ".wav", "old-0.opus"]
    assert remove_files(report.files) == 2
    assert not any(p.exists() for p in report.files)
    assert (tmp_path / "recorder-archive" / "old-1.wav").exists()
    assert (upload_dir(storage.audio_dir) / ("b" * 64 + ".wav")).exists()
    with db.session() as session:
        assert sorted(session.scalars(select(Call.id))) == ["new-0", "new-1", "new-2"]
        assert session.scalar(select(func.count()).select_from(Segment).where(Segment.call_id.like("old-%"))) == 0
        assert session.scalar(select(func.count()).select_from(TopicHit).where(TopicHit.call_id.like("old-%"))) == 0
        found = search_segments(session, SearchOptions(query="unexpected charge"))
        assert sorted(item.call_id for item in found.items) == ["new-0", "new-1", "new-2"]
        assert purged_before(session) == CUTOFF
    # counts are final: a refresh after a late call, and a full rebuild after a re-tag, keep the purged hours
    add_call(db, "late", NEW + timedelta(hours=1), "en", FEE)
    tag_pending(db)
    refresh_volumes(db)
    rebuild_volumes(db)
    old_hour = OLD.replace(minute=0)
    assert [c for c in _counts(db) if c[0] == old_hour] == [c for c in counted if c[0] == old_hour]
    assert {b for b, _, _ in counted if b == old_hour} == {old_hour}


def test_the_horizon_only_moves_forward(db: Database, tmp_path: Path) -> None:
    storage = _world(db, tmp_path)
    with db.session() as session:
        purge(session, CUTOFF, storage)
    with db.session() as session:
        purge(session, CUTOFF - timedelta(days=20), storage)
        assert purged_before(session) == CUTOFF


def test_a_month_of_calls_must_stay() -> None:
    check_keep_days(30)
    with pytest.raises(InvalidInput, match="at least 30 days"):
        check_keep_days(7)


def test_a_period_beyond_a_century_is_refused() -> None:
    check_keep_days(36500)
    for days in (36501, 1_000_000, 99_999_999_999):
        with pytest.raises(InvalidInput, match="at most 36500 days"):
            check_keep_days(days)
