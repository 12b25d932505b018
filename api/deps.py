"""Dependencies of the routes: settings, a database session per request, the caller's key and role."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.auth import SESSION_COOKIE, RateLimiter, read_session_cookie
from core.auth import KeyInfo, role_allows, verify_api_key
from core.db import Database
from core.errors import Forbidden, InvalidInput, Unauthorized
from core.models import Role
from core.nul import nul_at, nul_message
from core.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cp_…`")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The dashboard's signed session")


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with db.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
# "function" scope commits before the response is sent: a change the database refuses (locked past the busy timeout)
# is answered with an error instead of a 200 for something that was never saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_key(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> KeyInfo:
    """The caller's key from `Authorization: Bearer` or the session cookie; 401 if missing or invalid."""
    if bearer is not None:
        key: str | None = bearer.credentials
    elif cookie:
        key = read_session_cookie(cookie)
    else:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>'")
    info = verify_api_key(session, key) if key else None
    if info is None:
        raise Unauthorized("unknown, revoked or expired API key")
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.take(info.id)
    return info


def require(role: Role) -> Callable[[KeyInfo], Awaitable[KeyInfo]]:
    # async: a pure check needs no trip through the thread pool.
    async def check(key: Annotated[KeyInfo, Depends(current_key)]) -> KeyInfo:
        if not role_allows(key.role, role):
            raise Forbidden(f"this needs the {role} role or stronger; the key has {key.role}")
        return key

    check.__name__ = f"require_{role}"
    return check


AnalystKey = Annotated[KeyInfo, Depends(require(Role.ANALYST))]
QaKey = Annotated[KeyInfo, Depends(require(Role.QA))]
OpsKey = Annotated[KeyInfo, Depends(require(Role.OPS))]
AdminKey = Annotated[KeyInfo, Depends(require(Role.ADMIN))]


def actor(key: KeyInfo) -> str:
    """How a key appears in audit fields such as acked_by."""
    return f"{key.name} ({key.prefix}…)"


async def reject_nul(request: Request) -> None:
    """NUL characters cannot be stored or compared in PostgreSQL text; refuse them up front, in a JSON body too
    (an upload's metadata and a YAML taxonomy are checked where they are parsed)."""
    if "%00" in request.url.query or "\x00" in request.url.path:
        raise InvalidInput("NUL characters are not allowed in the path or query")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return
    body = await request.body()  # kept by the request: the route reads the same bytes
    if b"\\u0000" not in body:
        return
    try:
        where = nul_at(json.loads(body))
    except ValueError:
        return  # not JSON: the route's own validation says so
    if where:
        raise InvalidInput(nul_message(f"body.{where}" if where != "value" else "body"))
