"""`callpulse ingest` and `callpulse export`: calls in and out of the database."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from cli.context import console, err_console, fail, get_db
from cli.main import app
from cli.progress import RichProgress
from core.errors import CallpulseError
from ingest.export import write_export
from ingest.job import ingest_paths
from ingest.register import IngestSummary

MAX_LISTED_BAD = 50
EXIT_BROKEN_PIPE = 128 + 13  # killed by SIGPIPE, as a shell reports it


def _summary_json(summary: IngestSummary) -> dict[str, Any]:
    return {
        "files": summary.files,
        "calls_new": summary.calls_new,
        "skipped_existing": summary.skipped_existing,
        "before_horizon": summary.before_horizon,
        "audio_registered": summary.audio_registered,
        "bad_records": [{"file": b.file, "line": b.line, "reason": b.reason} for b in summary.bad_records],
    }


def _print_summary(summary: IngestSummary) -> None:
    table = Table("", "count", title="ingest")
    table.add_row("files", str(summary.files))
    table.add_row("new calls", str(summary.calls_new))
    table.add_row("  of them recordings (pending transcription)", str(summary.audio_registered))
    table.add_row("already ingested (skipped)", str(summary.skipped_existing))
    if summary.before_horizon:
        table.add_row("started before the retention horizon (skipped)", str(summary.before_horizon))
    table.add_row("bad records (skipped)", str(len(summary.bad_records)))
    console.print(table)
    if summary.calls_new == 0 and summary.skipped_existing > 0:
        console.print(f"nothing new: {summary.skipped_existing} calls already ingested")
    for bad in summary.bad_records[:MAX_LISTED_BAD]:
        err_console.print(Text.assemble(("bad record ", "yellow"), str(bad)), soft_wrap=True)
    if len(summary.bad_records) > MAX_LISTED_BAD:
        err_console.print(f"... and {len(summary.bad_records) - MAX_LISTED_BAD} more bad records")


@app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files (.json/.jsonl[.gz]), recordings or folders")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Register recordings (with sidecars or a manifest CSV) and transcripts; known calls are skipped."""
    try:
        summary = ingest_paths(get_db(), paths, progress=None if as_json else RichProgress())
    except CallpulseError as exc:
        fail(exc.detail)
    if as_json:
        print(json.dumps(_summary_json(summary), indent=2, ensure_ascii=False))
    else:
        _print_summary(summary)
    if summary.readable == 0:
        reason = f"{len(summary.bad_records)} bad records" if summary.bad_records else "no transcripts or recordings"
        where = ", ".join(map(str, paths))
        err_console.print(f"error: nothing readable in {where}: {reason}", markup=False, soft_wrap=True)
        raise typer.Exit(1)


def _reader_went_away() -> NoReturn:
    """`callpulse export | head`: the reader has what it wanted. End quietly with SIGPIPE's shell status, as
    Unix tools do; stdout goes to /dev/null so the final flush of what is still buffered cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured): nothing will flush to a pipe
        pass
    raise typer.Exit(EXIT_BROKEN_PIPE)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="Output format (jsonl: one call per line)")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout")] = None,
) -> None:
    """Write transcribed calls with segments, topics and QA in the transcript format (re-importable)."""
    try:
        with get_db().session() as session:
            if out is None:
                written = write_export(session, sys.stdout, fmt)
            else:
                with out.open("w", encoding="utf-8") as fh:
                    written = write_export(session, fh, fmt, progress=RichProgress())
    except CallpulseError as exc:
        fail(exc.detail)
    except BrokenPipeError:
        if out is not None:
            fail(f"cannot write {out}: broken pipe")
        _reader_went_away()
    except OSError as exc:
        fail(f"cannot write {out or 'standard output'}: {exc.strerror}")
    err_console.print(f"exported {written} calls" + (f" to {out}" if out else ""), markup=False, soft_wrap=True)
