"""A drop folder read round after round: a recording is hashed once, and again only when it changes."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from core.db import Database
from core.models import Call, FileDigest
from ingest.job import ingest_paths
from tests.ingest.conftest import write_wav


def _rewrite_in_place(path: Path, freq: float) -> None:
    """New bytes of the same length, with the old change time put back."""
    st = path.stat()
    write_wav(path, freq=freq)
    assert path.stat().st_size == st.st_size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_unchanged_recording_is_not_read_again(db: Database, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    first = write_wav(drop / "a.wav")
    write_wav(drop / "b.wav", freq=330.0)
    assert ingest_paths(db, [drop]).calls_new == 2
    # same size, same change time: taken for the same recording without reading it (as rsync and make do)
    _rewrite_in_place(first, 550.0)
    again = ingest_paths(db, [drop])
    assert (again.calls_new, again.skipped_existing) == (0, 2)
    # a recording that changed is read and hashed again: new bytes are a new call
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 1_000_000_000))
    changed = ingest_paths(db, [drop])
    assert (changed.calls_new, changed.skipped_existing) == (1, 1)
    with db.session() as session:
        assert len(session.scalars(select(Call)).all()) == 3
        assert len(session.scalars(select(FileDigest)).all()) == 2


def test_paths_are_remembered_by_keyed_hash_only(db: Database, tmp_path: Path) -> None:
    drop = tmp_path / "recorder"
    drop.mkdir()
    write_wav(drop / "2026-11-02_0915_+385915550101.wav")
    ingest_paths(db, [drop])
    with db.session() as session:
        (row,) = session.scalars(select(FileDigest))
        assert len(row.path_key) == 64 and "385915550101" not in row.path_key


def test_metadata_that_arrives_after_its_recording_does_not_make_a_second_call(db: Database, tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    write_wav(drop / "d-002.wav")
    (first,) = ingest_paths(db, [drop]).bad_records or [None]
    assert first is None
    (drop / "d-002.json").write_text('{"call_id": "d-002", "started_at": "2026-11-03T16:02:00Z", "queue": "tech"}')
    late = ingest_paths(db, [drop])
    assert late.calls_new == 0
    (bad,) = late.bad_records
    assert bad.file == str(drop / "d-002.wav") and bad.reason.startswith("taken in as call ")
    with db.session() as session:
        assert len(session.scalars(select(Call)).all()) == 1
