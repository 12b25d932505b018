"""Where a call's recording lives on disk: uploads are kept under the audio directory by content hash."""

from __future__ import annotations

import re
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
