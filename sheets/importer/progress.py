"""A simple progress bar on stderr for large files; quiet when stderr is not a terminal (a log, a pipe)."""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

LARGE = 500        # fewer steps than this draw nothing: they take no time
WIDTH = 30
EVERY_SECONDS = 0.1


class ProgressBar:
    """`bar(done, total)` redraws one line: [#########.........]  45%  450/1,000 label."""

    def __init__(self, label: str = "", stream: Optional[TextIO] = None, clock=time.monotonic):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.active = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn_at: Optional[float] = None
        self._open = False

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total < LARGE:
            return
        now = self.clock()
        if done < total and self._drawn_at is not None and now - self._drawn_at < EVERY_SECONDS:
            return
        self._drawn_at = now
        filled = WIDTH * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {100 * done // total:3d}%  "
                          f"{done:,}/{total:,} {self.label}")
        self._open = True
        if done >= total:
            self.close()
        self.stream.flush()

    def relabel(self, label: str) -> None:
        self.close()
        self.label = label
        self._drawn_at = None

    def close(self) -> None:
        """End the bar's line (so what is printed next starts on its own)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
