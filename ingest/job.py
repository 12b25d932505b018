"""The ingest job: read every named path and register what it holds, one transaction per file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.db import Database
from core.progress import NoProgress, Progress
from core.settings import get_settings
from ingest.digests import load_memo, save_memo, taken_in_before
from ingest.register import IngestSummary, register_audio, register_transcripts
from ingest.sources import plan_paths, private_placement, read_audio_items
from ingest.transcripts import count_records, read_transcripts


def ingest_paths(
    db: Database, paths: Sequence[Path], progress: Progress | None = None, settled_before: float | None = None
) -> IngestSummary:
    """Register transcripts and recordings found under `paths`; safe to run again (known calls are skipped).

    Raises InvalidInput if a path does not exist; unusable records are reported in the summary, not raised.
    ``settled_before`` (epoch seconds): files changed later may still be being written and wait (see
    ``plan_paths``).
    """
    progress = progress or NoProgress()
    plan = plan_paths(paths, settled_before)
    total = sum(count_records(f) for f in plan.transcript_files) + len(plan.audio)
    summary = IngestSummary(files=plan.files, bad_records=plan.bad_records, waiting=plan.waiting)
    progress.start("ingest", total)
    try:
        for path in plan.transcript_files:
            # A transaction per file keeps memory flat and lets a rerun skip what already landed.
            with db.session() as session:
                summary += register_transcripts(
                    session, read_transcripts(path), source_file=str(path), progress=progress
                )
        if plan.audio:
            with db.session() as session:
                memo = load_memo(session, [item.audio for item in plan.audio])
            with db.session() as session:
                place = private_placement(get_settings().audio_dir)
                records = taken_in_before(session, memo, read_audio_items(plan.audio, memo.content_id))
                summary += register_audio(session, records, progress=progress, place=place)
                save_memo(session, memo)  # with the calls: a failed round leaves neither
    finally:
        progress.finish()
    return summary
