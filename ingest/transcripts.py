"""Readers for transcript files: `.json` (one call), `.jsonl` / `.jsonl.gz` (one call per line)."""

from __future__ import annotations

import codecs
import gzip
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, cast

from core.errors import InvalidInput
from core.nul import nul_at, nul_message
from ingest.metadata import BadRecord, ImportedTranscript, parse_transcript

TRANSCRIPT_SUFFIXES = (".jsonl.gz", ".json.gz", ".jsonl", ".json")


def is_transcript_file(path: Path) -> bool:
    return path.name.lower().endswith(TRANSCRIPT_SUFFIXES)


def _is_lines(path: Path) -> bool:
    return path.name.lower().endswith((".jsonl", ".jsonl.gz"))


def _open(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")  # files saved on Windows often start with a byte-order mark


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def count_records(path: Path) -> int:
    """How many records a file holds (non-blank lines of a .jsonl), for progress totals."""
    if not _is_lines(path):
        return 1
    try:
        with _open_bytes(path) as fh:
            return sum(1 for line in fh if line.strip())
    except (OSError, EOFError, gzip.BadGzipFile):
        return 1


def _decoded_lines(fh: IO[bytes]) -> Iterator[tuple[int, str | UnicodeDecodeError]]:
    """Each line decoded on its own, so one line in another encoding costs that line, not the rest of the file."""
    for number, raw in enumerate(fh, start=1):
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise UnicodeDecodeError("utf-16", raw[:2], 0, 2, "the file is UTF-16; save it as UTF-8")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, exc


def _parse_line(text: str, file: str, line: int) -> ImportedTranscript | BadRecord:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file is one record over many lines: point at the line the parser stopped on.
        return BadRecord(file, line + exc.lineno - 1, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, nesting too deep to read
        return BadRecord(file, line, f"invalid JSON: {str(exc).split(';')[0]}")
    try:
        parsed = replace(parse_transcript(obj), line=line)
    except InvalidInput as exc:
        return BadRecord(file, line, exc.detail)
    where = nul_at(obj)
    return BadRecord(file, line, nul_message(where)) if where else parsed


def read_transcripts(path: Path) -> Iterator[ImportedTranscript | BadRecord]:
    """Every call in a transcript file, or a BadRecord for each one that cannot be used (reading goes on)."""
    file = str(path)
    try:
        if not _is_lines(path):
            with _open(path) as fh:
                yield _parse_line(fh.read(), file, 1)
            return
        with _open_bytes(path) as raw:
            for number, text in _decoded_lines(raw):
                if isinstance(text, UnicodeDecodeError):
                    byte = text.object[text.start : text.start + 1].hex()
                    yield BadRecord(file, number, f"not UTF-8 text: byte 0x{byte} at column {text.start + 1}")
                elif text.strip():
                    yield _parse_line(text, file, number)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        yield BadRecord(file, 0, f"unreadable file: {exc}")
