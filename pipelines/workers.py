"""The extraction worker pool: the stage chain in worker processes, for the crawl's
process pipeline (pipelines/scrapy/extract.py) and `newsbot reprocess`, without Scrapy.

Extraction is CPU work. Workers start from a fork server (never fork under the reactor)
that has imported this module only (the standard library), and each imports the chain
itself when it starts: a fork server that preloads the chain holds a third copy of it
(about 60 MB resident, bench/memory_breakdown.py) for nothing but forking. One pool
serves every site a process crawls (20 sites with 1 worker are 1 process, not 20).

The crawl's own process extracts too when every worker has a page waiting
(`SharedPool.hand`): on 2 cores one worker and the crawl process keep both cores
on extraction, with one chain's memory less than two workers beside the crawl.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.article import SiteImprint
    from pipelines.options import ChainOptions
    from pipelines.page import Page, PageResult

# Per worker process: each worker reads a site's footer once, like the in-process path.
_WORKER_IMPRINTS: dict[str, SiteImprint] = {}

# Pages handed to each worker at a time: one it extracts and two waiting, so it does not
# idle while the crawl's process extracts a page of its own and writes what came back.
PAGES_PER_WORKER = 3


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_FREED_BLOCK = 128 * 1024


def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim, libc.mallopt  # noqa: B018 (glibc only: musl and macOS lack them)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()


def keep_heap_small() -> None:
    """Blocks of 128 KB or more (a page's bytes, its text) mapped on their own and given
    back when freed, and the heap's free top given back past 128 KB. glibc's default
    raises the first threshold to the largest block freed so far, so after the first big
    page every page's buffers stay in the heap, fragmented: 6 MB less at the peak of an
    extraction process, no CPU measured (README, "Where the memory goes")."""
    if _LIBC is not None:
        _LIBC.mallopt(_M_MMAP_THRESHOLD, _FREED_BLOCK)
        _LIBC.mallopt(_M_TRIM_THRESHOLD, _FREED_BLOCK)


def give_back_freed_memory() -> None:
    """Free pages inside the heap returned to the system after a page's extraction (its
    lxml trees are freed by then): about 10 MB less at the peak of an extraction process
    for about 0.5 ms a page (README, "Where the memory goes")."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def extract_in_worker(
    page: Page, options: ChainOptions | None, for_store: bool = True
) -> PageResult:
    """`extract_page` in a worker process (what the pool runs)."""
    from pipelines.stages.chain import extract_page

    try:
        return extract_page(page, options, imprints=_WORKER_IMPRINTS, for_store=for_store)
    finally:
        give_back_freed_memory()


def worker_context() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a server that has imported only this module: not the main
    module (`python -m newsbot.cli` would bring the CLI and Scrapy into every worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.workers"])
    return context


def _start_worker(crawl_pid: int) -> None:
    """Worker initializer: import the chain now (not on the first page) and end this
    worker when the crawl process is gone. A crawl killed with SIGKILL cannot shut its
    pool down, and its idle workers would stay forever."""
    keep_heap_small()
    import pipelines.stages.chain  # noqa: F401

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                os.kill(crawl_pid, 0)
            except ProcessLookupError:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class SharedPool:
    """The process's one extraction pool: made by the first pipeline that opens, shut
    down when the last one closes."""

    _pool: ProcessPoolExecutor | None = None
    _users = 0
    _capacity = 0  # pages the workers may hold at once
    # Pages handed to the workers and not finished. Counted down by the future's own
    # callback (the pool's thread), not when the waiting coroutine resumes: the reactor
    # may be busy extracting a page itself, and a worker that has finished must get the
    # next page at once instead of looking busy until then (measured: the worker did 30%
    # of the extraction, the crawl process the rest, one core in all).
    _handed = 0
    _lock = threading.Lock()

    @classmethod
    def acquire(cls, workers: int) -> ProcessPoolExecutor:
        if cls._pool is None:
            pool = ProcessPoolExecutor(
                workers,
                mp_context=worker_context(),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
            # Start the workers now, before anything is fetched, so that they import
            # the chain while the crawl asks for robots.txt and the listings; not
            # waited for (that kept the crawl's process idle for a second each run).
            for _ in range(workers):
                pool.submit(os.getpid)
            cls._pool = pool
            cls._capacity, cls._handed = workers * PAGES_PER_WORKER, 0
        cls._users += 1
        return cls._pool

    @classmethod
    def hand(cls, page: Page, options: ChainOptions | None) -> Future[PageResult] | None:
        """The page's extraction in a worker, or None when each worker has its pages
        (the caller extracts it itself)."""
        with cls._lock:
            if cls._pool is None or cls._handed >= cls._capacity:
                return None
            cls._handed += 1
        try:
            future = cls._pool.submit(extract_in_worker, page, options)
        except BaseException:
            cls._finished(None)
            raise
        future.add_done_callback(cls._finished)
        return future

    @classmethod
    def _finished(cls, _: object) -> None:
        with cls._lock:
            cls._handed -= 1

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.shutdown(wait=True, cancel_futures=True)
            cls._pool, cls._users, cls._handed = None, 0, 0
