"""State shared by all commands: the database chosen by --db, and the console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console

from cli.settings_errors import describe_settings_error
from core.db import Database, get_database
from core.errors import DatabaseNotReady
from core.settings import Settings, get_settings

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


def load_settings() -> Settings:
    """The settings, or one line naming the CALLPULSE_* variable that is malformed (exit 1)."""
    try:
        return get_settings()
    except (ValidationError, SettingsError) as exc:
        fail(describe_settings_error(exc))


def get_db() -> Database:
    try:
        return get_database(state.db_url or load_settings().database_url)
    except DatabaseNotReady as exc:
        fail(exc.detail)
