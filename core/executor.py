"""Run one job function over many items: a local process pool or Celery workers, the same function.

Like Airflow's LocalExecutor/CeleryExecutor: a stage hands `map` a module-level function, the items and
an optional per-process initializer (e.g. load a model once). Results come back as they complete. An
exception inside the function becomes an `Outcome` with an error reason, so one bad item never stops
the batch. Functions, initializers, items and results must be importable / plain frozen dataclasses,
because Celery ships them as JSON to other machines.
"""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

from core.errors import CallpulseError, one_line
from core.settings import ExecutorKind, Settings

T = TypeVar("T")
R = TypeVar("R")

TASK_NAME = "callpulse.run"
VISIBILITY_TIMEOUT_S = 1800
STALL_S = 900.0  # no task finished for this long: the caller stops waiting and leaves the rest to the workers
NO_WORKER = "no Celery worker answers (start one with `callpulse worker`): the work stays queued for it"
_initialized: set[str] = set()


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    item: T
    value: R | None
    error: str | None = None  # why the function raised, or why its worker died
    left: bool = False  # still with the workers when the caller stopped waiting: done there, not here


class Executor(Protocol):
    workers: int

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], initializer: Callable[[], None] | None = None
    ) -> Iterator[Outcome[T, R]]: ...


def qualified_name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def resolve(name: str) -> Any:
    module, _, attr = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def run_initializer_once(name: str | None) -> None:
    if name and name not in _initialized:
        resolve(name)()
        _initialized.add(name)


def _guarded(fn: Callable[[T], R], item: T) -> tuple[R | None, str | None]:
    try:
        return fn(item), None
    except Exception as exc:  # the job boundary: any failure is reported, never raised into the pool
        return None, f"{type(exc).__name__}: {exc}"


def _pool_init(name: str | None) -> None:
    run_initializer_once(name)


class LocalExecutor:
    """A process pool on this machine; one worker runs in-process (no spawn cost, same semantics)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], initializer: Callable[[], None] | None = None
    ) -> Iterator[Outcome[T, R]]:
        if not items:
            return
        init_name = qualified_name(initializer) if initializer else None
        if self.workers == 1 or len(items) == 1:
            run_initializer_once(init_name)
            for item in items:
                value, error = _guarded(fn, item)
                yield Outcome(item, value, error)
            return
        # spawn: the parent may hold threads (progress bars, a loaded model) that fork would copy half-alive.
        context = multiprocessing.get_context("spawn")
        size = min(self.workers, len(items))
        with ProcessPoolExecutor(size, mp_context=context, initializer=_pool_init, initargs=(init_name,)) as pool:
            futures: dict[Future[tuple[R | None, str | None]], T] = {pool.submit(_guarded, fn, it): it for it in items}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        value, error = future.result()
                    except Exception as exc:  # a worker process died (segfault, OOM kill)
                        value, error = None, f"worker process failed: {type(exc).__name__}: {exc}"
                    yield Outcome(futures[future], value, error)


def to_json(obj: Any) -> Any:
    """Frozen dataclasses (nested, with tuples) to JSON-safe values that `from_json` turns back."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {"__dataclass__": qualified_name(type(obj)), "fields": fields}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    return obj


def from_json(data: Any) -> Any:
    if isinstance(data, dict) and "__dataclass__" in data:
        cls = resolve(data["__dataclass__"])
        return cls(**{k: from_json(v) for k, v in data["fields"].items()})
    if isinstance(data, list):
        return tuple(from_json(v) for v in data)
    return data


@lru_cache(maxsize=4)
def celery_app(broker_url: str) -> Any:
    """The Celery app for a broker; its one generic task runs any job function by name."""
    from celery import Celery

    backend = broker_url if broker_url.startswith(("redis://", "rediss://")) else "rpc://"
    app = Celery("callpulse", broker=broker_url, backend=backend)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # Late acks + reject on worker loss: a worker killed mid-job gets its task redelivered. A worker killed
        # whole leaves its task unacknowledged: Redis hands it out again after the visibility timeout (an hour
        # by default; a job's own lease guards against running it twice).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    @app.task(name=TASK_NAME)  # type: ignore[untyped-decorator]
    def run(fn_name: str, payload: Any, init_name: str | None) -> Any:
        run_initializer_once(init_name)
        value, error = _guarded(resolve(fn_name), from_json(payload))
        return {"value": to_json(value), "error": error}

    return app


class CeleryExecutor:
    """Sends each item as a task to Celery workers (`callpulse worker`) and collects results."""

    def __init__(
        self,
        broker_url: str,
        workers: int = 1,
        poll_seconds: float = 0.2,
        timeout_s: float | None = None,
        stall_s: float = STALL_S,
    ) -> None:
        self.broker_url = broker_url
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.timeout_s = timeout_s  # None: wait as long as workers take (the job's own bounds apply)
        self.stall_s = stall_s

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], initializer: Callable[[], None] | None = None
    ) -> Iterator[Outcome[T, R]]:
        app = celery_app(self.broker_url)
        if items and not _workers_answer(app):
            raise CallpulseError(NO_WORKER)  # else the caller would wait in silence for a worker to start
        init_name = qualified_name(initializer) if initializer else None
        sent = {app.send_task(TASK_NAME, args=[qualified_name(fn), to_json(item), init_name]): item for item in items}
        pending = set(sent)
        give_up = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        progress = time.monotonic()
        while pending:
            ready = _ready(pending)
            if not ready and give_up is not None and time.monotonic() > give_up:
                for result in pending:
                    yield Outcome(sent[result], None, f"no result from a Celery worker within {self.timeout_s:.0f} s")
                return
            if not ready and time.monotonic() - progress > self.stall_s:
                # a worker killed whole, or all of them busy elsewhere: they store what they finish themselves
                for result in pending:
                    yield Outcome(sent[result], None, f"no worker finished a task in {self.stall_s:.0f} s", left=True)
                return
            if not ready:
                time.sleep(self.poll_seconds)
                continue
            progress = time.monotonic()
            for result in ready:
                pending.discard(result)
                reply = result.get(propagate=False)
                if isinstance(reply, dict):
                    yield Outcome(sent[result], from_json(reply["value"]), reply["error"])
                else:
                    yield Outcome(sent[result], None, f"celery task failed: {reply!r}")
                result.forget()


def _workers_answer(app: Any, tries: int = 5) -> bool:
    """Whether a worker answers a ping within a few seconds (one still starting gets them)."""
    return any(app.control.ping(timeout=1.0) for _ in range(tries))


def _ready(pending: set[Any]) -> list[Any]:
    try:
        return [r for r in pending if r.ready()]
    except Exception as exc:  # redis-py and Celery's reconnect give up with several types
        reason = one_line(exc, 300)
        raise CallpulseError(
            f"the Celery result store stopped answering ({reason}); the workers store what they finish, and the "
            "next round takes the rest"
        ) from exc


def get_executor(settings: Settings, workers: int | None = None) -> Executor:
    if settings.executor == ExecutorKind.CELERY:
        return CeleryExecutor(settings.broker_url, workers or settings.workers)
    return LocalExecutor(workers or settings.workers)
