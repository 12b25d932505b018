"""The dashboard: server-rendered pages on top of the HTTP API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
HttpHandler = Callable[[Request, Exception], Awaitable[Response]]
API_PATH = "/api"


def wants_page(request: Request) -> bool:
    """A browser navigating to an address, as opposed to a script or client calling the API."""
    path = request.url.path
    in_api = path == API_PATH or path.startswith(API_PATH + "/")
    return request.method in ("GET", "HEAD") and not in_api and "text/html" in request.headers.get("accept", "")


def _page_for_unknown_addresses(app: FastAPI) -> None:
    # Wraps the API's handler rather than replacing it: everything but a browser's 404 still leaves as
    # problem+json, mapped where every other error is.
    api_handler = cast("HttpHandler | None", app.exception_handlers.get(StarletteHTTPException))

    async def handler(request: Request, exc: Exception) -> Response:
        from api.dashboard.pages import not_found_page

        if isinstance(exc, StarletteHTTPException) and exc.status_code == 404 and wants_page(request):
            return not_found_page(request)
        if api_handler is None:
            raise exc
        return await api_handler(request, exc)

    app.add_exception_handler(StarletteHTTPException, handler)


def mount_dashboard(app: FastAPI) -> None:
    """Attach the dashboard's pages and static files to the app."""
    from api.dashboard.pages import router

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(router)
    _page_for_unknown_addresses(app)
