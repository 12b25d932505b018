"""`callpulse trends` and `callpulse search`: topic volumes and transcript search in the terminal."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict, replace
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Column, Table
from rich.text import Text
from sqlalchemy import func, select

from cli.context import console, fail, get_db
from cli.main import app
from core import trends as trend_queries
from core.errors import CallpulseError, InvalidInput
from core.models import Speaker, VolumeBucket
from core.moments import parse_moment
from core.search import SearchOptions, search_segments
from core.trend_series import floor_bucket, require_topic
from core.trends import BucketSize, GroupBy, TrendWindow
from detect.baseline import expected_counts


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value, name)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.detail) from None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _dump(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _one_topic(topic: str, window: TrendWindow, by: GroupBy | None, as_json: bool) -> None:
    with get_db().session() as session:
        if by is None:
            trend = trend_queries.topic_trend(session, topic, window, expected_counts)
            if as_json:
                _dump(asdict(trend))
                return
            table = Table("bucket", "calls", "all calls", "share", "expected", "band", title=topic)
            for p in trend.points:
                band = "-" if p.lower is None else f"{p.lower:.1f}–{_num(p.upper)}"
                table.add_row(
                    f"{p.t:%Y-%m-%d %H:%M}", str(p.count), str(p.total), f"{p.share:.1%}", _num(p.expected), band
                )
            console.print(table)
            if trend.changepoints:
                console.print("change points: " + ", ".join(f"{t:%Y-%m-%d %H:%M}" for t in trend.changepoints))
            return
        series = trend_queries.grouped_trends(session, [topic], window, by)
    if as_json:  # the shape of GET /topics/trends?group_by=: the group as an object
        _dump([{**asdict(s), "group": dict(s.group)} for s in series])
        return
    table = Table(str(by), "calls", "all calls", "share", "peak bucket", title=topic)
    for s in series:
        count, total = sum(p.count for p in s.points), sum(p.total for p in s.points)
        peak = max(s.points, key=lambda p: p.count, default=None)
        table.add_row(
            dict(s.group).get(str(by), ""),
            str(count),
            str(total),
            f"{count / total:.1%}" if total else "-",
            f"{peak.t:%Y-%m-%d %H:%M}" if peak else "-",
        )
    console.print(table)


def _all_topics(window: TrendWindow, as_json: bool) -> None:
    with get_db().session() as session:
        since, until = trend_queries.resolve_window(session, window)
        rows = trend_queries.pareto(session, since, until)
    if as_json:
        _dump({"since": since, "until": until, "topics": [asdict(r) for r in rows]})
        return
    table = Table("topic", "calls", "share", "cumulative", title=f"{since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M}")
    for r in rows:
        table.add_row(r.topic, str(r.count), f"{r.share:.1%}", f"{r.cumulative_share:.1%}")
    console.print(table)


def _check_window(window: TrendWindow) -> None:
    """A --since at or past the window's end, saying where that end came from when the user did not give it."""
    if window.since is None:
        return
    with get_db().session() as session:
        _, until = trend_queries.resolve_window(session, replace(window, since=None))
        newest = session.scalar(select(func.max(VolumeBucket.bucket_start)))
    if floor_bucket(window.since, window.bucket) < until:
        return
    if window.until is not None:
        end = f"--until {window.until.isoformat()}"
    else:
        origin = "now" if newest is None else "the end of the stored volumes"
        end = f"--until (default: {origin}, rounded up to the {window.bucket}: {until.isoformat()})"
    fail(f"--since {window.since.isoformat()} is not before {end}")


@app.command("trends")
def trends(
    topic: Annotated[str | None, typer.Option("--topic", help="One topic's series (default: all topics)")] = None,
    bucket: Annotated[BucketSize, typer.Option("--bucket")] = BucketSize.DAY,
    by: Annotated[GroupBy | None, typer.Option("--by", help="Split a topic by queue, language or agent")] = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO time (UTC if no offset)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time (UTC if no offset)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Topic volumes and shares: all topics ranked, or one topic per bucket with its expected band."""
    if by is not None and topic is None:
        fail(f"--by {by} splits one topic: add --topic ID (all topics are ranked without a split)")
    window = TrendWindow(bucket, _time(since, "--since"), _time(until, "--until"))
    try:
        _check_window(window)
        if topic is None:
            _all_topics(window, as_json)
        else:
            _one_topic(topic, window, by, as_json)
    except CallpulseError as exc:
        fail(exc.detail)


def _snippet_text(snippet: str) -> Text:
    """The HTML snippet as terminal text: highlights styled, everything else printed as spoken, never as markup."""
    text = Text()
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        text.append(html.unescape(part), style="bold yellow" if i % 2 else "")
    return text


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help='Words, "exact phrase", AND/OR/NOT, prefix*')],
    topic: Annotated[str | None, typer.Option("--topic")] = None,
    speaker: Annotated[Speaker | None, typer.Option("--speaker")] = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO time (UTC if no offset)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time (UTC if no offset)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 20,
    cursor: Annotated[str | None, typer.Option("--cursor", help="The next page: the cursor a page ended with")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search transcripts; prints call, time in the call, speaker and a snippet."""
    opts = SearchOptions(query, speaker=speaker, topic=topic, limit=limit, cursor=cursor)
    opts = replace(opts, since=_time(since, "--since"), until=_time(until, "--until"))
    try:
        with get_db().session() as session:
            if topic is not None:
                require_topic(session, topic)
            page = search_segments(session, opts)
    except CallpulseError as exc:
        fail(exc.detail)
    if as_json:
        _dump({"items": [asdict(h) for h in page.items], "next_cursor": page.next_cursor})
        return
    table = Table("started", "at", "speaker", "snippet")
    # A call id is what the user copies next: keep it whole and on one line, the snippet wraps instead.
    widest = max((len(h.call_id) for h in page.items), default=4)
    table.columns.insert(0, Column("call", no_wrap=True, min_width=widest))
    for h in page.items:
        table.add_row(
            Text(h.call_id),
            f"{h.started_at:%Y-%m-%d %H:%M}",
            f"{h.segment_start:.1f}s",
            h.speaker,
            _snippet_text(h.snippet),
        )
    console.print(table if page.items else "no matches")
    if page.next_cursor:
        console.print(Text(f"more: add --cursor {page.next_cursor}"))
