"""`callpulse keys`: create, list and revoke API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.context import console, fail, get_db
from cli.main import app
from core.auth import create_api_key, list_api_keys, revoke_api_key
from core.errors import CallpulseError
from core.models import MAX_ROW_ID, Role

keys_app = typer.Typer(help="API keys for the HTTP API (roles: analyst < qa < ops < admin).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def create(
    role: Annotated[Role, typer.Option("--role", help="analyst, qa, ops or admin")],
    name: Annotated[str | None, typer.Option("--name", help="Who or what uses the key")] = None,
) -> None:
    """Create a key. It is printed once, as the last word of the output; only its hash is stored."""
    try:
        with get_db().session() as session:
            info, key = create_api_key(session, role, name)
    except CallpulseError as exc:
        fail(exc.detail)
    console.print(f"created key {info.id} ({info.name}, role {info.role}); store it now, it is not shown again:")
    print(key)


@keys_app.command("list")
def list_keys() -> None:
    """List keys (prefix, role, last use); the keys themselves are not stored."""
    with get_db().session() as session:
        keys = list_api_keys(session)
    table = Table("id", "name", "prefix", "role", "created", "last used", "revoked")
    for k in keys:
        table.add_row(
            str(k.id),
            k.name,
            k.prefix + "…",
            str(k.role),
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "-",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "-",
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="The key's id from `keys list`")]) -> None:
    """Revoke a key; requests with it answer 401 from now on."""
    if not 0 <= key_id <= MAX_ROW_ID:  # no row has such an id; the database driver would fail on it, not find none
        fail(f"no API key with id {key_id}")
    try:
        with get_db().session() as session:
            info = revoke_api_key(session, key_id)
    except CallpulseError as exc:
        fail(exc.detail)
    console.print(f"revoked key {info.id} ({info.name})")
