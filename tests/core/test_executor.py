from __future__ import annotations

import os
from dataclasses import dataclass

from core.executor import CeleryExecutor, LocalExecutor, from_json, get_executor, to_json
from core.settings import ExecutorKind, Settings

_seen_init: list[int] = []


@dataclass(frozen=True)
class Item:
    n: int
    tags: tuple[str, ...] = ()


def init() -> None:
    _seen_init.append(os.getpid())


def square(item: Item) -> tuple[int, int, int]:
    if item.n == 3:
        raise ValueError("three is not allowed")
    return item.n * item.n, os.getpid(), len(_seen_init)


def test_process_pool_runs_initializer_once_per_process_and_reports_errors() -> None:
    items = [Item(n) for n in range(8)]
    outcomes = list(LocalExecutor(2).map(square, items, initializer=init))
    assert sorted(o.item.n for o in outcomes) == list(range(8))
    failed = [o for o in outcomes if o.error]
    assert [o.item.n for o in failed] == [3] and "ValueError: three is not allowed" in (failed[0].error or "")
    values = [o.value for o in outcomes if o.value is not None]
    assert sorted(v[0] for v in values) == [0, 1, 4, 16, 25, 36, 49]
    assert all(v[1] != os.getpid() and v[2] == 1 for v in values)  # in child processes, initialised once


def test_single_worker_runs_in_process() -> None:
    outcomes = list(LocalExecutor(1).map(square, [Item(2), Item(3)]))
    assert outcomes[0].value is not None and outcomes[0].value[:2] == (4, os.getpid())
    assert outcomes[1].value is None and outcomes[1].error


def test_json_codec_round_trips_frozen_dataclasses() -> None:
    item = Item(5, ("a", "b"))
    assert from_json(to_json(item)) == item
    assert from_json(to_json([item, None, 1.5])) == (item, None, 1.5)


def test_executor_kind_comes_from_settings() -> None:
    assert isinstance(get_executor(Settings(executor=ExecutorKind.LOCAL, workers=3)), LocalExecutor)
    celery = get_executor(Settings(executor=ExecutorKind.CELERY, broker_url="redis://127.0.0.1:1/0"))
    assert isinstance(celery, CeleryExecutor) and celery.broker_url == "redis://127.0.0.1:1/0"
