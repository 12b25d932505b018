"""`callpulse worker`: a Celery worker that runs stage jobs sent by `process` under the celery executor."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import err_console
from cli.main import app
from core.errors import CallpulseError
from core.executor import celery_app, qualified_name, run_initializer_once
from core.settings import get_settings


def _load_model(**_: Any) -> None:
    # Load the model when each pool process starts rather than when its first call arrives.
    from transcribe.job import init_worker

    try:
        run_initializer_once(qualified_name(init_worker))
    except CallpulseError as exc:
        # Keep the pool process alive: each job then fails with this reason instead of the pool respawning.
        err_console.print(f"worker: {exc.detail}")


@app.command("worker")
def worker(
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", help="Worker processes (default: settings.workers)")
    ] = None,
    loglevel: Annotated[str, typer.Option("--loglevel", help="Celery log level")] = "INFO",
) -> None:
    """Run a Celery worker consuming transcription jobs from CALLPULSE_BROKER_URL."""
    from celery.signals import worker_process_init

    settings = get_settings()
    celery = celery_app(settings.broker_url)
    worker_process_init.connect(_load_model, weak=False)
    celery.worker_main(
        ["worker", f"--concurrency={concurrency or settings.workers}", f"--loglevel={loglevel}", "--pool=prefork"]
    )
