"""A rich progress bar on stderr for long uploads (YouTube videos) during `crosspost publish`.

The engine asks ``bars.for_delivery(delivery)`` for each delivery it sends and hands the
result to the channel as ``PublishContext.on_progress``. A row appears only when a channel
reports progress (the website or a tweet never do), so short posts add no noise. stdout
stays clean for the result table and ``--json``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from ..models import Delivery


class UploadBars:
    """One rich.progress.Progress, one task per delivery that reports bytes. Thread-safe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = Console(file=stream or sys.stderr, highlight=False)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                 TransferSpeedColumn(), TimeRemainingColumn(), console=console,
                                 transient=True)
        self._lock = threading.Lock()
        self.started = False

    def for_delivery(self, delivery: Delivery) -> Callable[[int, int], None]:
        task: list[Any] = []
        label = f"{delivery.channel}: {delivery.release_slug}"

        def update(done: int, total: int) -> None:
            with self._lock:
                if not self.started:
                    self.progress.start()
                    self.started = True
                if not task:
                    task.append(self.progress.add_task(label, total=max(total, 1)))
            self.progress.update(task[0], completed=min(done, total), total=max(total, 1))

        return update

    def stop(self) -> None:
        with self._lock:
            if self.started:
                self.progress.stop()
                self.started = False


def wanted(as_json: bool, stream: TextIO | None = None) -> bool:
    """Bars only for a person watching: stderr is a terminal and the output is not --json."""
    stream = stream or sys.stderr
    return not as_json and bool(getattr(stream, "isatty", lambda: False)())
