"""The extraction worker pool: the stage chain in worker processes, for the crawl's
process pipeline (pipelines/scrapy/extract.py) and `newsbot reprocess`, without Scrapy.

Extraction is CPU work. Workers start from a fork server (never fork under the reactor)
that has imported the chain once, so each starts with trafilatura, lxml and the rest
loaded. One pool serves every site a process crawls (20 sites with 2 workers are 2
processes, not 40).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from pipelines.article import SiteImprint
from pipelines.options import ChainOptions
from pipelines.page import Page, PageResult
from pipelines.stages.chain import extract_page

# Per worker process: each worker reads a site's footer once, like the in-process path.
_WORKER_IMPRINTS: dict[str, SiteImprint] = {}


def extract_in_worker(
    page: Page, options: ChainOptions | None, for_store: bool = True
) -> PageResult:
    """`extract_page` in a worker process (what the pool runs)."""
    return extract_page(page, options, imprints=_WORKER_IMPRINTS, for_store=for_store)


def worker_context() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a server that has the chain imported (about a second of CPU
    saved per worker)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipelines.workers"])
    return context


def _exit_with_crawl(crawl_pid: int) -> None:
    """Worker initializer: end this worker when the crawl process is gone. A crawl killed
    with SIGKILL cannot shut its pool down, and its idle workers would stay forever."""

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

    @classmethod
    def acquire(cls, workers: int) -> ProcessPoolExecutor:
        if cls._pool is None:
            pool = ProcessPoolExecutor(
                workers,
                mp_context=worker_context(),
                initializer=_exit_with_crawl,
                initargs=(os.getpid(),),
            )
            # Start the workers now, before anything is fetched: started by the first
            # article, the fork server's imports stall the reactor for seconds while
            # downloads are in flight (they time out), and the first articles wait.
            for started in [pool.submit(os.getpid) for _ in range(workers)]:
                started.result()
            cls._pool = pool
        cls._users += 1
        return cls._pool

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.shutdown(wait=True, cancel_futures=True)
            cls._pool, cls._users = None, 0
