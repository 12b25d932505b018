"""The `callpulse` command: the one place that wires all stages together."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import state

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


def _register() -> None:
    # Each command module adds its commands to `app`; imported here so `callpulse --help` lists them all.
    from cli import commands  # noqa: F401


_register()
