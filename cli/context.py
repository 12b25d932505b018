"""State shared by all commands: the database chosen by --db, and the console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import typer
from rich.console import Console

from core.db import Database, get_database
from core.errors import DatabaseNotReady
from core.settings import get_settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class CliState:
    db_url: str | None = None


state = CliState()


def fail(detail: str) -> NoReturn:
    """One line on stderr, exit 1. No markup: details quote user input (search queries, paths) verbatim."""
    err_console.print(f"error: {detail}", markup=False, soft_wrap=True)
    raise typer.Exit(1)


def get_db() -> Database:
    try:
        return get_database(state.db_url or get_settings().database_url)
    except DatabaseNotReady as exc:
        fail(exc.detail)
