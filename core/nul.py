"""NUL characters: PostgreSQL text cannot hold them (SQLite stores them, then no filter finds the value). Text
that comes in with one is refused where it comes in, naming where it sits."""

from __future__ import annotations

from typing import Any


def nul_at(value: Any, where: str = "") -> str | None:
    """The place of the first string holding a NUL in a parsed JSON/YAML value ("segments.0.text"), or None."""
    if isinstance(value, str):
        return where or "value" if "\x00" in value else None
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return None
    for key, item in items:
        name = str(key).replace("\x00", "\\x00")
        here = f"{where}.{name}" if where else name
        if name != str(key):
            return here
        found = nul_at(item, here)
        if found:
            return found
    return None


def nul_message(where: str) -> str:
    return f"{where}: NUL characters are not allowed"
