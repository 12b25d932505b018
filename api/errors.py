"""Every error leaves the API as application/problem+json (RFC 9457), mapped in one place."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import CallpulseError

log = logging.getLogger("callpulse.api")
PROBLEM = "application/problem+json"

DATABASE_RETRY_AFTER_S = 5


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _domain(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CallpulseError)
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
    if exc.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return problem(exc.status, exc.title, exc.detail, headers)


def error_message(err: Mapping[str, Any]) -> str:
    """Pydantic's message for one error, naming the key where its own wording would not."""
    if err.get("type") == "extra_forbidden":
        loc = err.get("loc") or ("?",)
        return f"unknown field {str(loc[-1])!r}"
    return str(err.get("msg", "")).removeprefix("Value error, ")


def _error(err: Mapping[str, Any]) -> dict[str, Any]:
    loc = [str(p) for p in err.get("loc", ())]
    msg = error_message(err)
    if err.get("type") == "json_invalid" and len(loc) == 2:
        # FastAPI puts the character offset where a field name would be: say it in words instead.
        msg, loc = f"not valid JSON at character {loc[1]}: {err.get('ctx', {}).get('error', msg)}", loc[:1]
    return {"loc": loc, "msg": msg, "type": str(err.get("type", ""))}


def _shape_branch(errors: list[dict[str, Any]], body: Any) -> list[dict[str, Any]]:
    """A body that may be one item or a list fails both union branches: report only the branch of its shape."""
    branches = {e["loc"][1] for e in errors if len(e["loc"]) > 1 and e["loc"][0] == "body"}
    lists = {b for b in branches if b.startswith("list[")}
    if not lists or lists == branches:
        return errors
    keep = lists if isinstance(body, list) else branches - lists
    return [{**e, "loc": e["loc"][:1] + e["loc"][2:]} for e in errors if len(e["loc"]) > 1 and e["loc"][1] in keep]


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _shape_branch([_error(err) for err in exc.errors()], exc.body)
    summary = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5]) or "invalid request"
    return problem(422, "Invalid request", summary, errors=errors)


async def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    return problem(exc.status_code, _title(exc.status_code), str(exc.detail), headers)


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    # A write lock held past the busy timeout (a long processing round on SQLite) or a lost connection: nothing was
    # saved, and the client must hear so rather than get a 200 for a change that is gone.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    detail = "the database is busy or unavailable; nothing was changed, try again"
    return problem(503, "Service Unavailable", detail, {"Retry-After": str(DATABASE_RETRY_AFTER_S)})


async def _bug(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Internal error", "an unexpected error occurred; it has been logged")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CallpulseError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(Exception, _bug)
