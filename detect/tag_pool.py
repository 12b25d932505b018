"""Where tagging runs: in this process, or in a pool of processes that each load the spaCy pipelines once.

spaCy's own `nlp.pipe(n_process=2)` ships whole Doc objects between processes and ends up slower than one
process; here workers get plain call texts and send back only the small analysis results (topics, QA,
phrases), so two processes do close to twice the work. The parent keeps every database write.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol, TypeVar

from detect.phrases import PhraseOptions
from detect.tagging import CallAnalysis, CallText, TopicMatchers, analyse_calls, matchers_for
from detect.taxonomy import Taxonomy

B = TypeVar("B")
_worker: tuple[TopicMatchers, PhraseOptions | None] | None = None


class Analyser(Protocol):
    def analyse(self, batches: Iterable[tuple[B, list[CallText]]]) -> Iterator[tuple[B, list[CallAnalysis]]]: ...


class InProcessAnalyser:
    def __init__(self, taxonomy: Taxonomy, phrases: PhraseOptions | None) -> None:
        self.matchers = matchers_for(taxonomy)
        self.phrases = phrases

    def analyse(self, batches: Iterable[tuple[B, list[CallText]]]) -> Iterator[tuple[B, list[CallAnalysis]]]:
        for key, calls in batches:
            yield key, analyse_calls(calls, self.matchers, self.phrases)


def _init_worker(taxonomy: Taxonomy, phrases: PhraseOptions | None, languages: tuple[str, ...]) -> None:
    global _worker
    matchers = matchers_for(taxonomy)
    for language in languages:  # load the pipelines up front, in parallel with the other workers
        matchers.for_language(language)
    _worker = (matchers, phrases)


def _analyse_in_worker(calls: list[CallText]) -> list[CallAnalysis]:
    assert _worker is not None, "the pool initializer sets up the matchers"
    return analyse_calls(calls, *_worker)


class PoolAnalyser:
    """Batches go to `workers` processes; results come back in input order, at most `workers` batches ahead."""

    def __init__(self, taxonomy: Taxonomy, phrases: PhraseOptions | None, workers: int) -> None:
        # spawn: the parent may hold threads (progress bars) and open database connections that fork would copy.
        context = multiprocessing.get_context("spawn")
        languages = tuple(sorted(taxonomy.languages))
        self.workers = workers
        self.pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(taxonomy, phrases, languages)
        )

    def analyse(self, batches: Iterable[tuple[B, list[CallText]]]) -> Iterator[tuple[B, list[CallAnalysis]]]:
        in_flight: deque[tuple[B, Future[list[CallAnalysis]]]] = deque()
        for key, calls in batches:
            in_flight.append((key, self.pool.submit(_analyse_in_worker, calls)))
            if len(in_flight) > self.workers:
                done_key, future = in_flight.popleft()
                yield done_key, future.result()
        while in_flight:
            done_key, future = in_flight.popleft()
            yield done_key, future.result()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
