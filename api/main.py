"""The FastAPI application: `create_app()` wires settings, the database, auth, routes and the dashboard."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from api.auth import RateLimiter, set_session_secret
from api.dashboard import mount_dashboard
from api.deps import reject_nul
from api.docs import install_docs
from api.errors import install_error_handlers
from api.metrics import install_metrics
from api.routes import alerts, calls, ops, search, taxonomy, topics
from api.schemas import problem_responses
from core.db import Database, meta_value
from core.settings import Settings, get_settings

API_PREFIX = "/api/v1"
DESCRIPTION = """\
Topic trends, alerts and transcript search of callpulse.

**Auth**: send an API key as `Authorization: Bearer cp_…` (or the dashboard's session cookie). Roles, each
including the ones before it: `analyst` (topics, trends, reports, taxonomy and alerts: read) < `qa` (+ search,
calls, transcripts, audio) < `ops` (+ acknowledge/resolve alerts) < `admin` (+ change the taxonomy, upload
audio and import transcripts). `/health`, `/ready` and `/metrics` need no key.

**Errors** are `application/problem+json` with `type`, `title`, `status`, `detail`.
**Lists** answer `{"items": [...], "next_cursor": …}`; pass `cursor=` to get the next page.
"""


def _session_secret(settings: Settings, db: Database) -> bytes:
    if settings.api.session_secret is not None:
        return settings.api.session_secret.get_secret_value().encode()
    with db.session() as session:
        value = meta_value(session, "session_secret", lambda: secrets.token_hex(32))
    assert value is not None
    return bytes.fromhex(value)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)  # migrates to the newest schema
        app.state.db = db
        set_session_secret(_session_secret(settings, db))
        try:
            yield
        finally:
            db.engine.dispose()

    app = FastAPI(
        title="callpulse",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, without a CDN
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.api.rate_limit_per_minute)
    install_error_handlers(app)
    install_docs(app)
    app.state.metrics = install_metrics(app)
    app.include_router(ops.router)
    api = APIRouter(
        prefix=API_PREFIX, responses=problem_responses(400, 401, 403, 422, 429), dependencies=[Depends(reject_nul)]
    )
    for module in (calls, topics, alerts, search, taxonomy):
        api.include_router(module.router)
    app.include_router(api)
    mount_dashboard(app)
    return app
