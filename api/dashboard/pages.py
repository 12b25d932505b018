"""Page routes. Pages are thin shells: their scripts fetch the data from /api/v1 with the session cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.dashboard.session import (
    Viewer,
    current_viewer,
    end_session,
    login_url,
    safe_next,
    start_session,
    viewer_for_key,
)
from api.deps import SessionDep
from core.models import MAX_ROW_ID, Alert, Call

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# Scripts and styles come only from our own static files, so the pages can forbid everything else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, viewer: Viewer | None, status_code: int = 200, **context: Any) -> Response:
    response = TEMPLATES.TemplateResponse(request, template, {"viewer": viewer, **context}, status_code=status_code)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _guarded(
    request: Request, template: str, transcripts: bool = False, status_code: int = 200, **context: Any
) -> Response:
    viewer = current_viewer(request)
    if viewer is None:
        return RedirectResponse(login_url(request), status_code=303)
    if transcripts and not viewer.can_read_calls:
        return _page(request, "forbidden.html", viewer, status_code=403, **context)
    return _page(request, template, viewer, status_code, **context)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _page(request, "login.html", None, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    api_key: Annotated[str, Form(max_length=300)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    key = api_key.strip()
    viewer = viewer_for_key(request, key) if key else None
    if viewer is None:
        return _page(request, "login.html", None, status_code=401, next=safe_next(next), error="That key is not valid.")
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(request, response, key)
    return response


@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(request, response)
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    return _guarded(request, "overview.html", nav="overview")


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: str, session: SessionDep) -> Response:
    # A page, not the API: a mistyped address gets a page that leads back, not a problem+json body. (Strangers
    # are sent to log in whatever the id, so the answer says nothing to them about which alerts exist.)
    known = alert_id.isascii() and alert_id.isdigit() and len(alert_id) <= 10 and int(alert_id) <= MAX_ROW_ID
    if not known or session.get(Alert, int(alert_id)) is None:
        return _guarded(request, "not_found.html", status_code=404, nav="overview", what=f"Alert {alert_id}")
    return _guarded(request, "alert.html", nav="overview", alert_id=int(alert_id))


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    return _guarded(request, "search.html", transcripts=True, nav="search")


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: str, session: SessionDep) -> Response:
    # Checked here, like alerts, so a stale link gets a page that leads back instead of an empty player. Keys
    # without transcript access still get "forbidden" first: the answer must not tell them which calls exist.
    if "\x00" in call_id or session.get(Call, call_id) is None:
        return _guarded(
            request, "not_found.html", transcripts=True, status_code=404, nav="search", what=f"Call {call_id}"
        )
    return _guarded(request, "call.html", transcripts=True, nav="search", call_id=call_id)


def not_found_page(request: Request) -> Response:
    """The page for an address that matches no route (the API's own addresses keep answering problem+json)."""
    return _guarded(request, "not_found.html", status_code=404, what=f"Page {request.url.path}")


@router.get("/topics", response_class=HTMLResponse)
def topics_page(request: Request) -> Response:
    return _guarded(request, "topics.html", nav="topics")
