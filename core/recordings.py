"""Where a call's recording lives on disk: uploads are kept under the audio directory by content hash."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

UPLOADS = "uploads"
_UPLOAD_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{2,5}")


def upload_dir(audio_dir: Path) -> Path:
    return audio_dir.resolve() / UPLOADS


def recording_path(audio_path: str | None, audio_dir: Path) -> Path | None:
    """The stored recording of a call, or None when there is no file.

    Uploads registered before paths were stored absolute hold a path relative to the working directory of the
    server that took them. Their file name is the SHA-256 of the content, so a file of that name under the
    configured upload folder is that very recording; any other relative path is left as it was stored.
    """
    if not audio_path:
        return None
    path = Path(audio_path)
    if not path.is_absolute() and path.parent.name == UPLOADS and _UPLOAD_NAME.fullmatch(path.name):
        moved = upload_dir(audio_dir) / path.name
        if moved.is_file():
            return moved
    return path if path.is_file() else None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks (recordings may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def keep_private(source: Path, audio_dir: Path) -> Path:
    """The recording at ``source``, kept under the upload folder by the SHA-256 of its content, as uploads are: for
    a recording whose path holds personal data, which must not be stored. A hard link where the file system
    allows it (no second copy on disk, and the recording survives the source folder's clean-up), else a copy."""
    target_dir = upload_dir(audio_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = file_sha256(source)
    target = target_dir / f"{digest}{source.suffix.lower()}"
    if target.is_file():
        return target
    staging = target_dir / f".ingest-{digest}-{os.getpid()}"
    try:
        try:
            os.link(source, staging)
        except OSError:  # another file system, or one without hard links
            shutil.copyfile(source, staging)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target
