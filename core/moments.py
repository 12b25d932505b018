"""Times a user names (a window's ends, a replay's span): ISO 8601, UTC when no offset is given, within years
date arithmetic can move through (year 1 with an offset, or 9999 plus a day, leaves the calendar)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.errors import InvalidInput

FIRST_YEAR, LAST_YEAR = 1900, 2199


def out_of_range(moment: datetime) -> str | None:
    """Why a moment cannot bound a query, or None."""
    if FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return f"must be between the years {FIRST_YEAR} and {LAST_YEAR}"


def parse_moment(value: str, name: str) -> datetime:
    """An aware datetime from ISO 8601 text; raises InvalidInput naming the option."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not an ISO 8601 time") from None
    problem = out_of_range(moment)
    if problem:
        raise InvalidInput(f"{name}: {value!r} {problem}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
