"""Item pipeline 1: the whole stage chain on every fetched article (and imprint page).

With NEWSBOT_WORKERS > 0 extraction runs in worker processes (pipelines/workers.py), and
in the crawl's process too when every worker has its pages (then the reactor waits for
that page's extraction, as the work on it would wait for a worker otherwise); with 0 it
runs in the crawl's process only. Either way the page gets one
`PageResult` (pipelines/page.py): the article, why it is not one, and what the store keeps
(compressed HTML, search stems, reprint fingerprint).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

from scrapy.crawler import Crawler

from pipelines.article import SiteImprint
from pipelines.options import ChainOptions
from pipelines.page import Page
from pipelines.stages.chain import extract_page, read_imprint_page
from pipelines.workers import SharedPool, give_back_freed_memory, keep_heap_small


class ProcessPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.workers = crawler.settings.getint("NEWSBOT_WORKERS", 0)
        self.pool: ProcessPoolExecutor | None = None
        self.imprints: dict[str, SiteImprint] = {}
        # What the chain needs of the site's config, from the crawler's settings (the
        # spider's site settings put it there): no reaching back into the spider.
        self.options: ChainOptions | None = crawler.settings.get("NEWSBOT_CHAIN_OPTIONS")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        keep_heap_small()
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
            # The writer (pipelines/writer.py) fills the site's articles from it.
            item.imprint = read_imprint_page(item, self.options)
        elif item.kind == "article":
            future = SharedPool.hand(item, self.options) if self.pool is not None else None
            if future is not None:
                result = await asyncio.wrap_future(future)
            else:
                result = extract_page(item, self.options, imprints=self.imprints, for_store=True)
                give_back_freed_memory()
            item.result = result
        return item
