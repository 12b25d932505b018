"""Content ids of recordings hashed in earlier rounds. A drop folder keeps every recording a recorder wrote;
read every few minutes, it would be hashed whole each round (gigabytes for a few new calls). A file whose size
and change time are those it had when hashed is taken for the same bytes, as rsync and make take it."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from core.db import caller_hash_key
from core.models import Call, FileDigest
from core.records import AudioRecord
from ingest.audio import file_call_id
from ingest.metadata import BadRecord

BATCH = 500


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int
    content_id: str


def path_key(key: bytes, path: Path) -> str:
    """A keyed hash of the path: a recorder may name a recording by the caller's number."""
    return hmac.new(key, os.fsencode(path), hashlib.sha256).hexdigest()


class DigestMemo:
    """Content ids by path, from an earlier round where the file is unchanged, else hashed now (and kept in
    ``hashed`` to be saved with the calls they name)."""

    def __init__(self, key: bytes, known: Mapping[str, Stamp]) -> None:
        self._key = key
        self._known = dict(known)
        self.hashed: dict[str, Stamp] = {}

    def known(self, path: Path) -> str | None:
        """The content id an earlier round found for this file, if it is unchanged since; never reads it."""
        try:
            return self._hit(path, path.stat())
        except OSError:
            return None

    def content_id(self, path: Path) -> str:
        st = path.stat()  # before reading: a file changed meanwhile is hashed again next round
        hit = self._hit(path, st)
        if hit is not None:
            return hit
        content_id = file_call_id(path)
        self.hashed[path_key(self._key, path)] = Stamp(st.st_size, st.st_mtime_ns, content_id)
        return content_id

    def _hit(self, path: Path, st: os.stat_result) -> str | None:
        stamp = self._known.get(path_key(self._key, path))
        unchanged = stamp is not None and (stamp.size, stamp.mtime_ns) == (st.st_size, st.st_mtime_ns)
        return stamp.content_id if stamp is not None and unchanged else None


def taken_in_before(
    session: Session, memo: DigestMemo, records: Iterable[AudioRecord | BadRecord]
) -> Iterator[AudioRecord | BadRecord]:
    """The records, with one whose recording an earlier round took in under its content id, before a sidecar or
    manifest row gave it another id, turned into a BadRecord: registered again it would be a second call."""
    for record in records:
        if isinstance(record, AudioRecord):
            earlier = memo.known(Path(record.audio_path))
            if earlier and earlier != record.meta.call_id and session.get(Call, earlier) is not None:
                reason = (
                    f"taken in as call {earlier} before its metadata (call_id {record.meta.call_id!r}) arrived; "
                    "left as it is: a second call would count it twice"
                )
                record = BadRecord(record.audio_path, 0, reason)
        yield record


def load_memo(session: Session, paths: Sequence[Path]) -> DigestMemo:
    key = caller_hash_key(session)
    keys = [path_key(key, p) for p in paths]
    known: dict[str, Stamp] = {}
    for i in range(0, len(keys), BATCH):
        for row in session.scalars(select(FileDigest).where(FileDigest.path_key.in_(keys[i : i + BATCH]))):
            known[row.path_key] = Stamp(row.size, row.mtime_ns, row.content_id)
    return DigestMemo(key, known)


def save_memo(session: Session, memo: DigestMemo) -> None:
    keys = sorted(memo.hashed)
    for i in range(0, len(keys), BATCH):
        batch = keys[i : i + BATCH]
        session.execute(delete(FileDigest).where(FileDigest.path_key.in_(batch)))
        rows = [
            {"path_key": k, "size": s.size, "mtime_ns": s.mtime_ns, "content_id": s.content_id}
            for k, s in ((k, memo.hashed[k]) for k in batch)
        ]
        session.execute(insert(FileDigest), rows)
