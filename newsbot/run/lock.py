"""One crawl at a time per database: a scheduled run that starts while the previous one
is still going must not crawl the same sites twice into the same file."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from pipelines.store import StoreError


class CrawlLocked(Exception):
    """Another crawl holds this database: its pid and how long it has held it (None when
    the lock file does not say)."""

    def __init__(self, message: str, held_for: float | None = None):
        super().__init__(message)
        self.held_for = held_for


def _holder(text: str, now: float) -> tuple[str, float | None]:
    """The lock file's "pid started" (seconds since the epoch), as pid and seconds held;
    files written before the start time was recorded hold the pid alone."""
    parts = text.split()
    pid = parts[0] if parts else "unknown"
    if len(parts) >= 2 and parts[1].isdigit():
        return pid, max(0.0, now - float(parts[1]))
    return pid, None


def lock_path(db_path: str, job: str = "crawl") -> Path:
    """Beside the database's real path: a symlink or `a/../a/news.db` is the same
    database, and must meet the same lock. The crawl's is `<db>.lock`; another job's
    (`watch`) is `<db>.<job>.lock`."""
    suffix = ".lock" if job == "crawl" else f".{job}.lock"
    return Path(os.path.realpath(db_path) + suffix)


@contextlib.contextmanager
def crawl_lock(db_path: str, job: str = "crawl") -> Iterator[None]:
    """Hold the database's lock for `job` (a crawl, by default), or raise CrawlLocked.

    An advisory lock on `<db>.lock` (flock): the kernel drops it when the holder dies,
    even by SIGKILL, so a killed crawl never leaves a stale lock behind."""
    if db_path == ":memory:":
        yield
        return
    path = lock_path(db_path, job)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 (closed by the with below)
    except OSError as error:
        raise StoreError(f"{db_path}: cannot create its lock file ({error.strerror})") from error
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder, held_for = _holder(handle.read(), time.time())
            raise CrawlLocked(
                f"another {job} (pid {holder}) is running on {db_path}; not starting a second",
                held_for,
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.time():.0f}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
