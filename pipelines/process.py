"""Item pipeline 1: the whole stage chain on every fetched article (and imprint page).

Extraction is CPU work. With NEWSBOT_WORKERS > 0 it runs in a pool of worker processes
(forkserver: never fork under the reactor) so it cannot stall fetching; with 0 it runs
in the crawl's process. bench/crawl_bench.py measures both.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

from scrapy.crawler import Crawler

from newsbot.items import PageItem
from newsbot.siteconfig import SiteConfig
from pipelines.chain import (
    RawPage,
    SiteImprint,
    fill_from_imprint_page,
    process_page,
    read_imprint_page,
)

# Per worker process: each worker reads a site's footer once, like the in-process path.
_WORKER_IMPRINTS: dict[str, SiteImprint] = {}


def process_in_worker(page: RawPage, site: SiteConfig | None) -> dict[str, Any]:
    return process_page(page, site, _WORKER_IMPRINTS)


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


class ProcessPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.workers = crawler.settings.getint("NEWSBOT_WORKERS", 0)
        self.pool: ProcessPoolExecutor | None = None
        self.imprints: dict[str, SiteImprint] = {}
        self.imprint_page: dict[str, Any] | None = None  # imprint pages come first

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_exit_with_crawl,
                initargs=(os.getpid(),),
            )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item: Any) -> Any:
        if (
            not isinstance(item, PageItem)
            or item.body is None
            or not item.status
            or item.status >= 300
        ):
            return item
        site: SiteConfig | None = getattr(self.crawler.spider, "config", None)
        page = RawPage(
            url=item.final_url or item.url,
            body=item.body,
            fetched_at=item.fetched_at,
            charset=item.charset,
            site=item.site,
            hints=item.hints,
        )
        if item.kind == "imprint":
            item.record = read_imprint_page(page, site)
            self.imprint_page = item.record
        elif item.kind == "article":
            if self.pool is not None:
                future = self.pool.submit(process_in_worker, page, site)
                record = await asyncio.wrap_future(future)
            else:
                record = process_page(page, site, self.imprints)
            if self.imprint_page is not None:
                fill_from_imprint_page(record, self.imprint_page)
            item.record = record
        return item
