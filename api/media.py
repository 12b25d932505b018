"""Audio uploads and downloads: content sniffing by magic bytes and single-range HTTP requests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import UnsupportedMedia

# (content type, file extension) by the leading bytes of the file.
AUDIO_TYPES = {
    "audio/wav": ".wav",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/webm": ".webm",
}
EXTENSION_TYPES = {ext: ctype for ctype, ext in AUDIO_TYPES.items()} | {".opus": "audio/ogg", ".oga": "audio/ogg"}


def sniff_audio(head: bytes) -> str:
    """The audio content type of a file from its first bytes; UnsupportedMedia when it is not audio we know."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    raise UnsupportedMedia("not a recognised audio file (WAV, Ogg/Opus, FLAC, MP3, M4A or WebM expected)")


class RangeNotSatisfiable(Exception):
    pass


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The requested byte range, None for a whole-file answer; RangeNotSatisfiable for bad or impossible ranges.

    Only one range is served; a multi-range request gets the whole file (allowed by RFC 9110).
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    match = _RANGE.match(spec)
    if match is None or (match.group(1) == "" and match.group(2) == ""):
        raise RangeNotSatisfiable(header)
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or start > end:
        raise RangeNotSatisfiable(header)
    return ByteRange(start, end)
