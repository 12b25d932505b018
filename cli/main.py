"""The `callpulse` command: the one place that wires all stages together."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import load_settings, state

app = typer.Typer(
    name="callpulse",
    help="Speech analytics that finds broken processes in contact centres.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    db: Annotated[str | None, typer.Option("--db", help="Database URL (overrides CALLPULSE_DATABASE_URL)")] = None,
) -> None:
    state.db_url = db
    # Every stage reads the settings; a malformed CALLPULSE_* variable is reported here, once, before any work.
    load_settings()


def _register() -> None:
    # Each command module adds its commands to `app`; imported here so `callpulse --help` lists them all.
    from cli import commands  # noqa: F401


_register()
