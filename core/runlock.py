"""One processing run per database at a time. Two `process` runs (a cron round that overran, cron beside
`--every`) would both tag, count and detect the same hours, and one of them dies on the other's rows."""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from core.db import Database

LOCK_KEY = zlib.crc32(b"callpulse process")  # the advisory lock's number on PostgreSQL


@contextmanager
def exclusive_run(db: Database) -> Iterator[bool]:
    """Whether this run holds the database's processing lock (False: another run holds it); released on exit,
    and by the operating system or the server when the process dies."""
    url = make_url(db.url)
    if url.get_backend_name() == "postgresql":
        with db.engine.connect() as conn:
            held = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                    conn.commit()
        return
    if not url.database or url.database == ":memory:":
        yield True  # a database of this process alone
        return
    with Path(f"{url.database}.process-lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
