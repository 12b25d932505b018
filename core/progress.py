"""Progress reporting that stage jobs use without knowing about the terminal."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: float | None) -> None: ...

    def advance(self, amount: float = 1, note: str | None = None) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """For tests, workers and the API: progress goes nowhere."""

    def start(self, description: str, total: float | None) -> None:
        pass

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        pass

    def finish(self) -> None:
        pass
