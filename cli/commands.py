"""Imports every command module so that each registers itself on the app."""

from __future__ import annotations

from cli import (
    alerts_cmd,  # noqa: F401
    detect_cmd,  # noqa: F401
    ingest_cmd,  # noqa: F401
    keys_cmd,  # noqa: F401
    process_cmd,  # noqa: F401
    query_cmd,  # noqa: F401
    retention_cmd,  # noqa: F401
    serve_cmd,  # noqa: F401
    taxonomy_cmd,  # noqa: F401
    worker_cmd,  # noqa: F401
)
