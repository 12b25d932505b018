"""Rich progress bars behind the core Progress protocol."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.context import err_console


class RichProgress:
    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
            console=err_console,
            transient=False,
        )
        self._task: TaskID | None = None

    def start(self, description: str, total: float | None) -> None:
        if self._task is None:
            self._bar.start()
        elif self._task is not None:
            self._bar.update(self._task, visible=True)
        self._task = self._bar.add_task(description, total=total, note="")

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        if self._task is not None:
            self._bar.update(self._task, advance=amount, note=note or "")

    def finish(self) -> None:
        self._bar.stop()
        self._task = None
