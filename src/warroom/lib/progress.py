"""A one-line progress bar for long command-line jobs, drawn on a terminal stream.

`Progress` redraws `label [#####-----] 120/1000` in place with a carriage return and ends the
line when closed. It redraws at most every `min_interval` seconds (and always on the last
step) so a fast loop over a large file is not slowed down by terminal writes. `NullProgress`
has the same methods and draws nothing, so callers need no `if bar:` around each step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType


class NullProgress:
    """A progress bar that draws nothing."""

    def advance(self, steps: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Progress(NullProgress):
    """A bar for `total` steps written through `write` (which must not add a newline)."""

    def __init__(
        self,
        write: Callable[[str], object],
        label: str,
        total: int,
        *,
        width: int = 30,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.write = write
        self.label = label
        self.total = max(total, 0)
        self.width = width
        self.min_interval = min_interval
        self.clock = clock
        self.done = 0
        self.closed = False
        self._last_draw: float | None = None
        self._draw()

    def render(self) -> str:
        """The bar as text, without the carriage return."""
        filled = self.width if self.total == 0 else self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"

    def _draw(self) -> None:
        self._last_draw = self.clock()
        self.write("\r" + self.render())

    def advance(self, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.total)
        last = self._last_draw
        if self.done == self.total or last is None or self.clock() - last >= self.min_interval:
            self._draw()

    def close(self) -> None:
        """Draw the final state and end the line. Safe to call more than once."""
        if self.closed:
            return
        self.closed = True
        self._draw()
        self.write("\n")


ProgressFactory = Callable[[str, int], NullProgress]
"""Makes a bar for (label, total); a service takes one so the caller decides where it draws."""


def no_progress(label: str, total: int) -> NullProgress:
    return NullProgress()
