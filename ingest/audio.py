"""Readers for recordings: metadata from a sidecar `<audio>.json`, a manifest CSV row, or the file itself."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from core.errors import InvalidInput
from core.nul import nul_at, nul_message
from core.recordings import file_sha256
from core.records import AudioRecord, content_call_id
from ingest.metadata import META_KEYS, BadRecord, parse_meta, reject_unknown_keys

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".ogg", ".opus", ".flac", ".m4a", ".webm"})
MANIFEST_FILE_COLUMNS = ("file", "path", "audio", "filename", "audio_path")


def is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES


def sidecar_candidates(audio: Path) -> tuple[Path, Path]:
    """`call1.opus.json` first, then `call1.json`."""
    return audio.with_name(audio.name + ".json"), audio.with_suffix(".json")


def file_call_id(path: Path) -> str:
    """A call id for a recording that came without one: the same bytes always give the same id."""
    return content_call_id(file_sha256(path))


def file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


@dataclass(frozen=True)
class ManifestRow:
    audio: Path
    fields: Mapping[str, Any]
    manifest: Path
    line: int
    problem: str | None = None  # why the row cannot be used; its recording is held back, not read on its own


def _file_column(header: list[str]) -> str | None:
    lowered = {name.strip().lower(): name for name in header}
    return next((lowered[c] for c in MANIFEST_FILE_COLUMNS if c in lowered), None)


def _open_csv(path: Path) -> TextIO:
    # Spreadsheets save "Unicode" CSV as UTF-16 with a byte-order mark: read as such. Otherwise bytes that are
    # not UTF-8 become lone surrogates: a row holding one is refused by name and line, while the rest of the
    # manifest, and which recordings it covers, are still read.
    with path.open("rb") as fh:
        head = fh.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return path.open(newline="", encoding="utf-16")
    return path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")


def _undecodable(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and any("\udc80" <= ch <= "\udcff" for ch in v) for v in values)


NOT_UTF8 = "not UTF-8 (a spreadsheet's regional encoding?): save the manifest as UTF-8 and ingest it again"


def _delimiter(fh: TextIO) -> str:
    """The header's separator: a comma, or the semicolon or tab spreadsheets use where the comma is a decimal
    mark or for "Unicode text" exports."""
    header = fh.readline()
    fh.seek(0)
    return max((",", ";", "\t"), key=header.count)


def is_manifest(path: Path) -> bool:
    """A CSV is a manifest when one of its columns names the audio file."""
    try:
        with _open_csv(path) as fh:
            header = next(csv.reader(fh, delimiter=_delimiter(fh)), [])
    except (OSError, UnicodeError, csv.Error):
        return False
    return _file_column(header) is not None


def read_manifest(path: Path) -> Iterator[ManifestRow | BadRecord]:
    """Rows of a manifest CSV; relative audio paths are relative to the manifest's folder."""
    try:
        with _open_csv(path) as fh:
            reader = csv.DictReader(fh, delimiter=_delimiter(fh))
            column = _file_column(list(reader.fieldnames or []))
            if column is None:
                columns = ", ".join(MANIFEST_FILE_COLUMNS)
                yield BadRecord(str(path), 1, f"manifest has no column naming the file ({columns})")
                return
            for row in reader:
                line = reader.line_num
                name = (row.get(column) or "").strip()
                if not name:
                    yield BadRecord(str(path), line, f"no audio file named in column {column!r}")
                    continue
                audio = (path.parent / name).resolve()
                fields = {k.strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
                problem = NOT_UTF8 if _undecodable([*row.keys(), *row.values()]) else None
                yield ManifestRow(audio, fields, path, line, problem)
    except (OSError, UnicodeError, csv.Error) as exc:
        yield BadRecord(str(path), 0, f"unreadable manifest: {exc}")


def _sidecar_fields(audio: Path) -> tuple[Mapping[str, Any] | None, Path | None]:
    for candidate in sidecar_candidates(audio):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8")), candidate
    return None, None


def audio_record(
    audio: Path, fields: Mapping[str, Any] | None = None, content_id: Callable[[Path], str] = file_call_id
) -> AudioRecord:
    """The record for one recording; metadata from `fields` or its sidecar, else from the file itself (its call
    id from ``content_id``)."""
    origin, allowed = "manifest", META_KEYS | set(MANIFEST_FILE_COLUMNS)
    if fields is None:
        try:
            fields, sidecar = _sidecar_fields(audio)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"sidecar is not valid JSON: {exc}") from None
        origin, allowed = (str(sidecar) if sidecar else "file"), META_KEYS
    if fields is not None and not isinstance(fields, Mapping):
        raise InvalidInput(f"{origin}: metadata must be a JSON object")
    where = nul_at(dict(fields)) if fields else None
    if where:
        raise InvalidInput(f"{origin}: {nul_message(where)}")
    if fields:
        reject_unknown_keys(fields, allowed, "" if origin == "manifest" else f"{origin}: ")
    call_id = None if fields and fields.get("call_id") else content_id(audio)
    meta = parse_meta(fields or {}, default_call_id=call_id, default_started_at=file_time(audio))
    return AudioRecord(meta=meta, audio_path=str(audio.resolve()))
