"""Transcript search over segments: FTS5 on SQLite, tsvector + GIN on PostgreSQL, with filters, highlighted
snippets and cursor pagination. The query language lives in core.search_query.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, column, exists, func, literal, literal_column, or_, select, table
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.models import MAX_ROW_ID, Call, Segment, TopicHit
from core.search_query import CJK_CLASS, fold_letters, pad_cjk, parse_query, to_fts5, to_tsquery

MAX_LIMIT = 200
# Private-use characters mark highlights inside the database's snippet so the rest can be escaped safely.
_OPEN, _CLOSE = "\ue000", "\ue001"
_FTS = table("segments_fts", column("rowid"))
# PostgreSQL text search configuration from migration 0003: `simple` with diacritics folded by unaccent.
# Documents, queries and highlights must all use it, or "racun" and "račun" stop meeting.
PG_SEARCH_CONFIG = "callpulse_search"
# One space on each side of a CJK character is the index's padding; a highlight mark may sit inside it.
CHARACTER_LANGUAGES = ("zh", "ja", "ko")
_PADDED_CJK = re.compile(f" ?({_OPEN}?[{CJK_CLASS}]{_CLOSE}?) ?")


def unpad_cjk(raw: str) -> str:
    """The original text of a snippet taken from the padded index text (see core.search_query.pad_cjk).

    Padding adds exactly one space on each side of a CJK character, so removing one on each side restores the
    text, spaces the speaker put between CJK words included; highlights of neighbouring characters join.
    """
    return _PADDED_CJK.sub(r"\1", raw).replace(_CLOSE + _OPEN, "")


def unfold_snippet(raw: str, text: str) -> str:
    """A snippet of the SQLite index with its folded letters (migration 0008) given back from the stored text.

    The index shows the text padded and folded letter for letter, so the snippet, without its highlight marks
    and the ellipses FTS5 adds where it cut, is a piece of that at the same offsets as in the padded text.
    """
    padded = pad_cjk(text)
    indexed = fold_letters(padded)
    if indexed == padded:
        return raw
    plain = raw.replace(_OPEN, "").replace(_CLOSE, "")
    for lead in (1, 0) if plain.startswith("…") else (0,):
        for trail in (1, 0) if plain.endswith("…") else (0,):
            at = indexed.find(plain[lead : len(plain) - trail])
            if at >= 0:
                return _copy_letters(raw, padded, at - lead, range(lead, len(plain) - trail))
    return raw


def _copy_letters(raw: str, padded: str, offset: int, inside: range) -> str:
    out, k = [], 0
    for ch in raw:
        if ch in (_OPEN, _CLOSE):
            out.append(ch)
            continue
        out.append(padded[offset + k] if k in inside else ch)
        k += 1
    return "".join(out)


def mark_snippet(raw: str) -> str:
    """Escape the snippet's text for HTML and turn the highlight markers into <mark> elements."""
    return html.escape(unpad_cjk(raw), quote=False).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def encode_cursor(*values: Any) -> str:
    data = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("invalid cursor: pass next_cursor from the previous page unchanged") from exc
    if not isinstance(data, list) or len(data) != n:
        raise InvalidInput("invalid cursor: pass next_cursor from the previous page unchanged")
    return data


def cursor_row_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ROW_ID:
        raise InvalidInput("invalid cursor")
    return value


def cursor_time(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput("invalid cursor") from exc
    if parsed.tzinfo is None:
        raise InvalidInput("invalid cursor")
    return parsed


@dataclass(frozen=True)
class SearchOptions:
    query: str
    speaker: str | None = None
    topic: str | None = None
    queue: str | None = None
    language: str | None = None
    agent_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class SearchHit:
    call_id: str
    segment_id: int
    segment_start: float
    segment_end: float
    speaker: str
    snippet: str
    started_at: datetime
    queue: str | None
    language: str | None
    agent_id: str | None


@dataclass(frozen=True)
class SearchPage:
    items: tuple[SearchHit, ...]
    next_cursor: str | None


def _filters(opts: SearchOptions) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    simple = [
        (Segment.speaker, opts.speaker),
        (Call.queue, opts.queue),
        (Call.language, opts.language),
        (Call.agent_id, opts.agent_id),
    ]
    conds.extend(col == value for col, value in simple if value is not None)
    if opts.since is not None:
        conds.append(Call.started_at >= opts.since)
    if opts.until is not None:
        conds.append(Call.started_at < opts.until)
    if opts.topic is not None:
        conds.append(exists().where(TopicHit.call_id == Call.id, TopicHit.topic_id == opts.topic))
    if opts.cursor is not None:
        at, seg_id = decode_cursor(opts.cursor, 2)
        t = cursor_time(at)
        seg_id = cursor_row_id(seg_id)
        conds.append(or_(Call.started_at < t, and_(Call.started_at == t, Segment.id < seg_id)))
    return conds


def search_segments(session: Session, opts: SearchOptions) -> SearchPage:
    """Matching segments, newest call first, with highlighted snippets and a cursor for the next page."""
    if not 1 <= opts.limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    if opts.since and opts.until and opts.since >= opts.until:
        raise InvalidInput("since must be before until")
    node = parse_query(opts.query)
    dialect = session.get_bind().dialect.name
    base = select(
        Segment.id,
        Segment.call_id,
        Segment.start,
        Segment.end,
        Segment.speaker,
        Call.started_at,
        Call.queue,
        Call.language,
        Call.agent_id,
    ).join(Call, Call.id == Segment.call_id)
    if dialect == "postgresql":
        tsq = func.to_tsquery(PG_SEARCH_CONFIG, to_tsquery(node))
        match = literal_column("segments.tsv").op("@@")(tsq)
        # Highlights are taken from the text as indexed (migration 0007's callpulse_search_text pads CJK).
        words = case((_written_in_characters(), "MaxWords=100, MinWords=60"), else_="MaxWords=24, MinWords=10")
        snippet = func.ts_headline(
            PG_SEARCH_CONFIG,
            func.callpulse_search_text(Segment.text),
            tsq,
            literal(f"StartSel={_OPEN}, StopSel={_CLOSE}, ").concat(words),
        )
        base = base.add_columns(snippet).where(match)
    else:
        fts_ids = select(_FTS.c.rowid).where(literal_column("segments_fts").op("MATCH")(to_fts5(node)))
        # "+ 0" keeps SQLite from driving the join from the match list, so it walks calls newest first.
        seg_id = Segment.id + 0 if _walk_calls_first(session, to_fts5(node), opts) else Segment.id
        base = base.where(seg_id.in_(fts_ids))
    query = base.where(*_filters(opts)).order_by(Call.started_at.desc(), Segment.id.desc()).limit(opts.limit + 1)
    rows: list[Any] = list(session.execute(query).all())
    more = len(rows) > opts.limit
    rows = rows[: opts.limit]
    snippets = {r[0]: r[9] for r in rows} if dialect == "postgresql" else _fts5_snippets(session, to_fts5(node), rows)
    items = tuple(
        SearchHit(
            call_id=r[1],
            segment_id=r[0],
            segment_start=r[2],
            segment_end=r[3],
            speaker=str(r[4]),
            snippet=mark_snippet(snippets.get(r[0], "")),
            started_at=r[5],
            queue=r[6],
            language=r[7],
            agent_id=r[8],
        )
        for r in rows
    )
    next_cursor = encode_cursor(items[-1].started_at, items[-1].segment_id) if more and items else None
    return SearchPage(items, next_cursor)


def _walk_calls_first(session: Session, match: str, opts: SearchOptions) -> bool:
    """Choose the cheaper SQLite plan from the number of matching segments.

    Starting from the matches costs a lookup per match; walking the calls in the window newest first costs
    a few lookups per call until a page of hits is found. Frequent terms favour the walk, rare ones the
    matches. The estimate assumes hits spread evenly over time; both plans return the same rows.
    """
    cap = 200_000
    matches = (
        session.scalar(
            select(func.count()).select_from(
                select(_FTS.c.rowid).where(literal_column("segments_fts").op("MATCH")(match)).limit(cap).subquery()
            )
        )
        or 0
    )
    total = session.scalar(select(func.max(literal_column("rowid"))).select_from(Call.__table__)) or 0
    conds: list[ColumnElement[bool]] = []
    if opts.since is not None:
        conds.append(Call.started_at >= opts.since)
    if opts.until is not None:
        conds.append(Call.started_at < opts.until)
    window_calls = session.scalar(select(func.count()).select_from(Call).where(*conds)) if conds else total
    walked = min(window_calls or 0, (opts.limit + 1) * total / max(matches, 1))
    return walked * 5 < matches * 3


def _written_in_characters() -> ColumnElement[bool]:
    """Calls in Chinese, Japanese or Korean: the index reads each character as a word, so their snippets take
    more words to show about a sentence (FTS5: 64 tokens, its most; ts_headline, which also counts the padding
    between characters: 100), against 24 words elsewhere."""
    return or_(*(Call.language.like(f"{code}%") for code in CHARACTER_LANGUAGES))


def _fts5_snippets(session: Session, match: str, rows: Any) -> dict[int, str]:
    # snippet() is costly, so it runs only for the page's rows, not for every match.
    ids = [r[0] for r in rows]
    if not ids:
        return {}
    tokens = case((_written_in_characters(), 64), else_=24)
    snippet = func.snippet(literal_column("segments_fts"), 0, _OPEN, _CLOSE, "…", tokens)
    query = (
        select(_FTS.c.rowid, snippet, Segment.text)
        .join(Segment, Segment.id == _FTS.c.rowid)
        .join(Call, Call.id == Segment.call_id)
        .where(literal_column("segments_fts").op("MATCH")(match), _FTS.c.rowid.in_(ids))
    )
    return {int(r[0]): unfold_snippet(str(r[1]), str(r[2])) for r in session.execute(query)}
