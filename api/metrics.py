"""Prometheus metrics: request counts and latency by route, plus work-queue facts read at scrape time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import Database
from core.models import DETECT_WATERMARK, Alert, AppMeta, Call, CallStatus


class WorkCollector(Collector):
    """Reads queue depth and totals from the database when Prometheus scrapes."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        db: Database | None = getattr(self.app.state, "db", None)
        if db is None:
            return
        with db.session() as s:
            by_status = {
                str(st): int(n) for st, n in s.execute(select(Call.status, func.count()).group_by(Call.status))
            }
            # Backtests (detect --replay) re-find past incidents: counting them would page on history.
            live = select(Alert.kind, Alert.status, func.count()).where(Alert.replay.is_(False))
            alerts = s.execute(live.group_by(Alert.kind, Alert.status)).all()
            newest = s.scalar(select(func.max(Call.started_at)))
            decided = s.get(AppMeta, DETECT_WATERMARK)
        depth = GaugeMetricFamily("callpulse_queue_depth", "Calls waiting for transcription (pending)")
        depth.add_metric([], by_status.get(CallStatus.PENDING, 0))
        yield depth
        calls = GaugeMetricFamily("callpulse_calls", "Calls by processing status", labels=["status"])
        for status in CallStatus:
            calls.add_metric([str(status)], by_status.get(status, 0))
        yield calls
        raised = GaugeMetricFamily(
            "callpulse_alerts", "Live alerts (not backtests), by kind and status", labels=["kind", "status"]
        )
        for kind, alert_status, count in alerts:
            raised.add_metric([str(kind), str(alert_status)], count)
        yield raised
        # for "the intake or the pipeline has stalled": alert on time() minus these
        if newest is not None:
            arrived = GaugeMetricFamily("callpulse_newest_call_timestamp_seconds", "Start of the newest call stored")
            arrived.add_metric([], newest.timestamp())
            yield arrived
        if decided is not None:
            until = GaugeMetricFamily(
                "callpulse_decided_until_timestamp_seconds", "End of the last hour live detection decided"
            )
            until.add_metric([], datetime.fromisoformat(decided.value).timestamp() + 3600.0)
            yield until


class MetricsMiddleware:
    """Counts requests and observes latency per route template (a plain ASGI middleware: no extra task)."""

    def __init__(self, app: ASGIApp, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            request = Request(scope)
            name = route_template(request)
            self.requests.labels(request.method, name, str(status)).inc()
            self.latency.labels(request.method, name).observe(time.perf_counter() - started)


def route_template(request: Request) -> str:
    """The matched route's full template, e.g. /api/v1/alerts/{alert_id}: bounded label cardinality.

    Routes of included routers know only their own part of the path, so the prefix is taken from the
    request path (path parameters never contain a slash).
    """
    template = getattr(request.scope.get("route"), "path", None)
    if not isinstance(template, str):
        return "unmatched"
    depth = template.rstrip("/").count("/")
    parts = request.url.path.rstrip("/").split("/")
    prefix = "/".join(parts[: len(parts) - depth]) if depth else request.url.path.rstrip("/")
    return prefix + template


def install_metrics(app: FastAPI) -> CollectorRegistry:
    registry = CollectorRegistry()
    requests = Counter(
        "callpulse_http_requests", "HTTP requests by route and status", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "callpulse_http_request_seconds",
        "HTTP request latency by route",
        ["method", "route"],
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        registry=registry,
    )
    registry.register(WorkCollector(app))

    app.add_middleware(MetricsMiddleware, requests=requests, latency=latency)
    return registry
