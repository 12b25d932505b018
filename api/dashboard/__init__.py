"""The dashboard: server-rendered pages on top of the HTTP API."""

from __future__ import annotations

from fastapi import FastAPI


def mount_dashboard(app: FastAPI) -> None:
    """Attach the dashboard's pages and static files to the app."""
