"""Readers for transcript files: `.json` (one call), `.jsonl` / `.jsonl.gz` (one call per line)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.errors import InvalidInput
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


def count_records(path: Path) -> int:
    """How many records a file holds (non-blank lines of a .jsonl), for progress totals."""
    if not _is_lines(path):
        return 1
    try:
        with _open(path) as fh:
            return sum(1 for line in fh if line.strip())
    except (OSError, UnicodeDecodeError, EOFError):
        return 1


def _parse_line(text: str, file: str, line: int) -> ImportedTranscript | BadRecord:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        # A .json file is one record over many lines: point at the line the parser stopped on.
        return BadRecord(file, line + exc.lineno - 1, f"invalid JSON: {exc.msg} (column {exc.colno})")
    try:
        return parse_transcript(obj)
    except InvalidInput as exc:
        return BadRecord(file, line, exc.detail)


def read_transcripts(path: Path) -> Iterator[ImportedTranscript | BadRecord]:
    """Every call in a transcript file, or a BadRecord for each one that cannot be used (reading goes on)."""
    file = str(path)
    try:
        with _open(path) as fh:
            if not _is_lines(path):
                yield _parse_line(fh.read(), file, 1)
                return
            for number, text in enumerate(fh, start=1):
                if text.strip():
                    yield _parse_line(text, file, number)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        yield BadRecord(file, 0, f"unreadable file: {exc}")
