"""Transcript search (role: qa)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import QaKey, SessionDep
from api.schemas import LanguageQuery, Moment, SearchItem, SearchPageOut, problem_responses
from core.models import Speaker
from core.search import SearchOptions, search_segments
from core.trend_series import require_topic

router = APIRouter(tags=["search"])
Text = Annotated[str | None, Query(max_length=200)]


@router.get(
    "/search",
    summary="Search transcripts (role: qa)",
    description=(
        'Query language: words (all must occur), "exact phrase", AND / OR / NOT (upper case), prefix*, '
        "parentheses. A malformed query answers 400 with the reason. Snippets are HTML-escaped with matches "
        "in <mark>…</mark>. Results are ordered by call start (newest first). An unknown topic answers 404."
    ),
    response_model=SearchPageOut,
    responses=problem_responses(400, 404),
)
def search(
    session: SessionDep,
    _key: QaKey,
    q: Annotated[str, Query(max_length=500)],
    speaker: Speaker | None = None,
    topic: Text = None,
    queue: Text = None,
    language: LanguageQuery = None,
    agent_id: Text = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> SearchPageOut:
    if topic is not None:
        require_topic(session, topic)  # a misspelt topic must not look like "no matches"
    opts = SearchOptions(q, speaker, topic, queue, language, agent_id, since, until, limit, cursor)
    page = search_segments(session, opts)
    items = [
        SearchItem(
            call_id=h.call_id,
            segment_start=h.segment_start,
            segment_end=h.segment_end,
            speaker=h.speaker,
            snippet=h.snippet,
            started_at=h.started_at,
            queue=h.queue,
            language=h.language,
            agent_id=h.agent_id,
        )
        for h in page.items
    ]
    return SearchPageOut(items=items, next_cursor=page.next_cursor)
