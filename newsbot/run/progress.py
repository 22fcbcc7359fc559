"""Progress on a terminal: one line, rewritten in place, and nothing at all when the
output is not a terminal (cron, pipes, files)."""

from __future__ import annotations

import sys
from typing import TextIO


class TerminalLine:
    def __init__(self, stream: TextIO = sys.stderr, width: int = 200):
        self.stream, self.width = stream, width
        self.enabled = stream.isatty()

    def show(self, text: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K" + text[: self.width])
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class Counter(TerminalLine):
    """ "12,000 / 48,000 articles", shown every `every` items."""

    def __init__(
        self, what: str, total: int | None = None, every: int = 500, stream: TextIO = sys.stderr
    ):
        super().__init__(stream)
        self.what, self.total, self.every = what, total, every

    def __call__(self, count: int, detail: str = "") -> None:
        if count % self.every == 0:
            of = f" / {self.total:,}" if self.total is not None else ""
            self.show(f"{count:,}{of} {self.what}{detail}")
