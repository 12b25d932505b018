"""Who is looking at the dashboard: the API key held in the session cookie, checked against the key store."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request, Response

from api.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, make_session_cookie, read_session_cookie
from core.auth import role_allows, verify_api_key
from core.db import Database, get_database
from core.models import Role


@dataclass(frozen=True)
class Viewer:
    name: str
    role: Role

    @property
    def can_triage(self) -> bool:
        """Acknowledging and resolving alerts is an ops task."""
        return role_allows(self.role, Role.OPS)

    @property
    def can_read_calls(self) -> bool:
        return role_allows(self.role, Role.QA)


def _database(request: Request) -> Database:
    # The API keeps its Database on app.state; a bare app (or a test) falls back to the configured one.
    db = getattr(request.app.state, "db", None) or getattr(request.app.state, "database", None)
    return db if isinstance(db, Database) else get_database()


def viewer_for_key(request: Request, key: str) -> Viewer | None:
    with _database(request).session() as session:
        info = verify_api_key(session, key, touch=False)
    return None if info is None else Viewer(name=info.name, role=info.role)


def current_viewer(request: Request) -> Viewer | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    key = read_session_cookie(cookie)
    return None if key is None else viewer_for_key(request, key)


def start_session(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        make_session_cookie(key),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
        path="/",
    )


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_is_https(request))


def _is_https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the app sees http; the proxy's header tells the truth.
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def safe_next(target: str | None) -> str:
    """Only same-site paths may follow a login (no open redirect to another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else f"/login?next={quote(here, safe='')}"
