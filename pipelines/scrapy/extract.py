"""Item pipeline 1: the whole stage chain on every fetched article (and imprint page).

Extraction is CPU work. With NEWSBOT_WORKERS > 0 it runs in worker processes (forkserver:
never fork under the reactor) so it cannot stall fetching; with 0 it runs in the crawl's
process. One pool serves every site a process crawls (20 sites with 2 workers are 2
processes, not 40). The workers also pack what the store keeps (compressed HTML, the
search stems), so the crawl's own process is left with fetching and writing.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Self

from scrapy.crawler import Crawler

from pipelines.article import Article, SiteImprint, fill_from_imprint_page
from pipelines.options import ChainOptions
from pipelines.page import Page
from pipelines.stages.chain import read_imprint_page, read_page
from pipelines.stages.reprints import Fingerprint, fingerprint
from pipelines.stages.search import stems_row
from pipelines.store.compression import pack

# Per worker process: each worker reads a site's footer once, like the in-process path.
_WORKER_IMPRINTS: dict[str, SiteImprint] = {}


@dataclass
class Extracted:
    """What a worker sends back: the article, the packed page and the search stems."""

    article: Article
    packed_body: bytes | None
    stems: dict[str, str]
    not_article: str | None = None
    # The body's reprint fingerprint (None: too short to compare).
    fingerprint: Fingerprint | None = None


def extract_for_store(
    page: Page, options: ChainOptions | None, imprints: dict[str, SiteImprint]
) -> Extracted:
    read = read_page(page, options, imprints)
    article = read.article
    return Extracted(
        article=article,
        packed_body=pack(page.body),
        stems=stems_row(article.title, article.lead, article.body),
        not_article=read.not_article,
        fingerprint=fingerprint(article.body),
    )


def extract_in_worker(page: Page, options: ChainOptions | None) -> Extracted:
    return extract_for_store(page, options, _WORKER_IMPRINTS)


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
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the chain once; each worker forked from it starts
            # with trafilatura, lxml and the rest loaded (about a second of CPU a worker).
            context.set_forkserver_preload(["pipelines.scrapy.extract"])
            cls._pool = ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_exit_with_crawl,
                initargs=(os.getpid(),),
            )
        cls._users += 1
        return cls._pool

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.shutdown(wait=True, cancel_futures=True)
            cls._pool, cls._users = None, 0

    @classmethod
    def worker_count(cls) -> int:
        """Worker processes alive now (for tests and `newsbot runs`)."""
        pool = cls._pool
        return len(pool._processes or {}) if pool is not None else 0


class ProcessPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.workers = crawler.settings.getint("NEWSBOT_WORKERS", 0)
        self.pool: ProcessPoolExecutor | None = None
        self.imprints: dict[str, SiteImprint] = {}
        # The site's imprint page once read: articles after it get it here; articles
        # stored before it are filled in by the store (StorePipeline).
        self.imprint_page: SiteImprint | None = None
        self.options: ChainOptions | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        config = getattr(self.crawler.spider, "config", None)
        self.options = config.chain_options() if config is not None else None
        if self.workers > 0:
            self.pool = SharedPool.acquire(self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool = None
            SharedPool.release()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or not item.answered:
            return item
        if item.kind == "imprint":
            item.imprint = read_imprint_page(item, self.options)
            item.packed_body = pack(item.body)
            self.imprint_page = item.imprint
        elif item.kind == "article":
            if self.pool is not None:
                future = self.pool.submit(extract_in_worker, item, self.options)
                extracted = await asyncio.wrap_future(future)
            else:
                extracted = extract_for_store(item, self.options, self.imprints)
            if self.imprint_page is not None:
                fill_from_imprint_page(extracted.article, self.imprint_page)
            item.article = extracted.article
            item.packed_body = extracted.packed_body
            item.stems = extracted.stems
            item.not_article = extracted.not_article
            item.fingerprint = extracted.fingerprint
        return item
