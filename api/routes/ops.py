"""Liveness, readiness and Prometheus metrics; these need no API key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool

from api.deps import DatabaseDep
from api.schemas import Health, problem_responses
from core.db import is_current
from core.errors import DatabaseNotReady

router = APIRouter(tags=["ops"])


@router.get("/health", summary="The process is up", response_model=Health)
def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    summary="The database is reachable and its schema is current",
    response_model=Health,
    responses=problem_responses(503),
)
def ready(db: DatabaseDep) -> Health:
    if not is_current(db.engine):
        raise DatabaseNotReady("database schema is not at the newest migration")
    return Health(status="ready")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
