"""Turning the paths a user names into transcript files and recordings (with their metadata) to register."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.recordings import keep_private
from core.records import AudioRecord
from core.typed_pii import redact_path
from ingest.audio import audio_record, file_call_id, is_audio_file, is_manifest, read_manifest, sidecar_candidates
from ingest.metadata import BadRecord
from ingest.transcripts import is_transcript_file


@dataclass(frozen=True)
class AudioItem:
    """A recording to register; `fields` come from a manifest row (None: sidecar or the file itself)."""

    audio: Path
    fields: Mapping[str, Any] | None = None
    origin: Path | None = None  # the manifest, for error locations
    line: int = 1


@dataclass(frozen=True)
class IngestPlan:
    transcript_files: tuple[Path, ...]
    audio: tuple[AudioItem, ...]
    bad_records: tuple[BadRecord, ...]
    files: int
    waiting: int = 0  # files changed too recently: perhaps still being written, left for a later run


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
    return [path]


def _manifest_items(
    manifests: Sequence[Path], bad: list[BadRecord], settled: Callable[[Path], bool]
) -> dict[Path, AudioItem | None]:
    """The recordings manifests name, with their rows; None for one held back by a row that cannot be used (it
    must not be registered under a content id meanwhile: the fixed row would add it a second time) or by a
    recording still being written."""
    items: dict[Path, AudioItem | None] = {}
    for manifest in manifests:
        for row in read_manifest(manifest):
            if isinstance(row, BadRecord):
                bad.append(row)
            elif row.problem is not None:
                bad.append(BadRecord(str(manifest), row.line, row.problem))
                items[row.audio] = None
            elif not row.audio.is_file():
                bad.append(BadRecord(str(manifest), row.line, f"audio file not found: {row.audio}"))
            elif not settled(row.audio):
                items[row.audio] = None
            else:
                items[row.audio] = AudioItem(row.audio, row.fields, manifest, row.line)
    return items


def _changed_after(moment: float | None) -> Callable[[Path], bool]:
    """Whether a file changed after ``moment`` (epoch seconds); never when there is no moment."""

    def fresh(path: Path) -> bool:
        try:
            return moment is not None and path.stat().st_mtime > moment
        except OSError:
            return False  # gone meanwhile: the reader reports it

    return fresh


def _settled_audio(files: Sequence[Path], found: Sequence[Path], fresh: Callable[[Path], bool]) -> list[Path]:
    """The recordings of ``files`` whose metadata is written too: a recording waits for a sidecar or a manifest of
    its folder still being written, as registered without them the call would lack its metadata for good."""
    writing = [f.parent for f in found if f.suffix.lower() == ".csv" and fresh(f)]
    return [
        f
        for f in files
        if is_audio_file(f)
        and not any(map(fresh, sidecar_candidates(f)))
        and not any(f.is_relative_to(folder) for folder in writing)
    ]


def plan_paths(paths: Sequence[Path], settled_before: float | None = None) -> IngestPlan:
    """Classify every file under `paths`; raises InvalidInput when a path does not exist.

    ``settled_before`` (epoch seconds): files changed after it are left out, as recordings a recorder or a copy
    may still be writing (a drop folder); registered half-written, a call would keep a truncated recording."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InvalidInput(f"no such file or directory: {', '.join(missing)}")
    explicit = {p.resolve() for p in paths if p.is_file()}
    fresh = _changed_after(settled_before)
    found = list(dict.fromkeys(f.resolve() for p in paths for f in _expand(p)))
    files = [f for f in found if not fresh(f)]
    bad: list[BadRecord] = []
    csvs = [f for f in files if f.suffix.lower() == ".csv"]
    manifests = [f for f in csvs if is_manifest(f)]
    bad.extend(
        BadRecord(str(f), 1, "CSV has no column naming the audio file")
        for f in csvs
        if f in explicit and f not in manifests
    )
    audio = _settled_audio(files, found, fresh)
    sidecars = {c for a in found if is_audio_file(a) for c in sidecar_candidates(a)}
    transcripts = [f for f in files if is_transcript_file(f) and f not in sidecars]
    items = _manifest_items(manifests, bad, lambda audio: not fresh(audio))
    held = {f for f in files if is_audio_file(f)} - set(audio)
    waiting = len({f for f in found if fresh(f)} | held | {a for a, item in items.items() if item is None and fresh(a)})
    for f in audio:
        items.setdefault(f, AudioItem(f))
    known = set(manifests) | set(audio) | sidecars | set(transcripts)
    bad.extend(BadRecord(str(f), 0, "unsupported file type") for f in explicit if f not in known and f in files)
    used = len(transcripts) + len(items) + len(manifests)
    chosen = tuple(item for item in items.values() if item is not None)
    return IngestPlan(tuple(transcripts), chosen, tuple(bad), used, waiting)


def read_audio_items(
    items: Sequence[AudioItem], content_id: Callable[[Path], str] = file_call_id
) -> Iterator[AudioRecord | BadRecord]:
    for item in items:
        try:
            yield audio_record(item.audio, item.fields, content_id)
        except InvalidInput as exc:
            where = item.origin or item.audio
            yield BadRecord(str(where), item.line, exc.detail)
        except OSError as exc:
            yield BadRecord(str(item.audio), 0, f"unreadable recording: {exc}")


def private_placement(audio_dir: Path) -> Callable[[AudioRecord], AudioRecord]:
    """Where a new call reads its recording from. A path that holds a phone number, an e-mail address or a card
    number, or that is not UTF-8, must not be stored: the call reads a copy named by its content, and the path is
    kept with placeholders. Applied to calls not known yet only, so a re-ingest leaves no copy behind."""

    def place(record: AudioRecord) -> AudioRecord:
        readable = record.audio_path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        shown = redact_path(readable)
        if shown == record.audio_path:
            return record
        try:
            kept = keep_private(Path(record.audio_path), audio_dir)
        except OSError as exc:
            raise InvalidInput(
                f"its path cannot be stored as it is, and no copy could be kept under {audio_dir}: {exc}"
            ) from exc
        return replace(record, audio_path=str(kept), source_file=shown)

    return place
