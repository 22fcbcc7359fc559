"""Item pipeline 1: the whole stage chain on every fetched article (and imprint page).

With NEWSBOT_WORKERS > 0 extraction runs in worker processes (pipelines/workers.py) so it
cannot stall fetching; with 0 it runs in the crawl's process. Either way the page gets one
`PageResult` (pipelines/page.py): the article, why it is not one, and what the store keeps
(compressed HTML, search stems, reprint fingerprint).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

from scrapy.crawler import Crawler

from pipelines.article import SiteImprint, fill_from_imprint_page
from pipelines.options import ChainOptions
from pipelines.page import Page
from pipelines.stages.chain import extract_page, read_imprint_page
from pipelines.workers import SharedPool, extract_in_worker


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
            self.imprint_page = item.imprint
        elif item.kind == "article":
            if self.pool is not None:
                future = self.pool.submit(extract_in_worker, item, self.options)
                result = await asyncio.wrap_future(future)
            else:
                result = extract_page(item, self.options, imprints=self.imprints, for_store=True)
            if self.imprint_page is not None:
                fill_from_imprint_page(result.article, self.imprint_page)
            item.result = result
        return item
