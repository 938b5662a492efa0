"""Progress of an ingest on the terminal (rich), silent when not interactive.

One task per table shows reading and validating (bytes of a CSV file, rows of a
Parquet file); the set-wide checks and the snapshot commit show as their own
tasks. Output goes to stderr so that the CLI's result table on stdout stays clean.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class IngestProgress:
    """A rich progress display, or nothing when ``enabled`` is false or stderr is not a terminal."""

    def __init__(self, enabled: bool = True, console: Console | None = None):
        console = console or Console(stderr=True)
        self.enabled = enabled and console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f} %"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not self.enabled,
            transient=False,
        )
        self._totals: dict[TaskID, float | None] = {}

    def __enter__(self) -> IngestProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def task(self, description: str, total: float | None) -> TaskID:
        task = self._progress.add_task(description, total=total)
        self._totals[task] = total
        return task

    def update(self, task: TaskID, completed: float) -> None:
        self._progress.update(task, completed=completed)

    def finish(self, task: TaskID) -> None:
        total = self._totals.get(task) or 1
        self._progress.update(task, completed=total, total=total)
