"""Item pipeline 3: every fetched page into the `pages` log; articles, publishers and
registrations into their tables; the site's state when its spider closes. What each
becomes is the writer's (pipelines/writer.py); this pipeline feeds it Scrapy's items,
drops and close, for the run its runner opened (NEWSBOT_RUN_ID).

Dropped items still reach the pages log (through the item_dropped signal), so a
non-article is not fetched again next run. Writes are committed in batches (the
store's Connection), flushed every second and when the spider closes.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from pipelines.article import SiteImprint
from pipelines.page import Page
from pipelines.scrapy.validate import NotAnArticle
from pipelines.store import Store, is_disk_full
from pipelines.writer import DISK_FULL, write_dropped, write_page, write_site_end

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSBOT_DB")
        run_id = crawler.settings.getint("NEWSBOT_RUN_ID")
        if not run_id:
            # One owner of a run: newsbot's runner (`newsbot crawl`, `scrapy crawl SLUG`).
            raise ValueError(
                "StorePipeline writes for a run: NEWSBOT_RUN_ID is set by newsbot's runner "
                "(newsbot crawl, or scrapy crawl <slug>)"
            )
        self.run_id: int = run_id
        self.store: Store | None = None
        self.flusher: task.LoopingCall | None = None
        self.disk_full = False
        self.imprints: dict[str, SiteImprint] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.store = Store.shared(self.db_path)
        self.flusher = task.LoopingCall(self._flush_if_due)
        self.flusher.start(1.0, now=False)

    def _flush_if_due(self) -> None:
        if self.store is not None and self.store.flush_due() and not self.disk_full:
            with self._stopping_when_disk_full():
                self.store.flush()

    @contextlib.contextmanager
    def _stopping_when_disk_full(self) -> Iterator[None]:
        """A write that finds the filesystem full stops the crawl; other errors pass."""
        try:
            yield
        except (OSError, sqlite3.OperationalError) as error:
            if not is_disk_full(error):
                raise
            self._disk_full(error)

    def _disk_full(self, error: BaseException) -> None:
        """The filesystem is full: stop the crawl once, with one line in the log, instead
        of one traceback per page for the rest of the run."""
        if not self.disk_full:
            self.disk_full = True
            logger.error("no space left for %s (%s): stopping the crawl", self.db_path, error)
            # Items reach the pipelines only while the engine runs: it exists.
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=DISK_FULL))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page) or self.store is None or self.disk_full:
            return item
        with self._stopping_when_disk_full():
            outcome = write_page(self.store, item, self.run_id, self.imprints)
            if outcome is not None and self.crawler.stats:
                self.crawler.stats.inc_value(f"newsbot/articles/{outcome}")
        return item

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(item, Page) and self.store is not None and not self.disk_full:
            # The pipelines' own drops are named (validate.py); Scrapy's carry a message.
            reason = exception.reason if isinstance(exception, NotAnArticle) else str(exception)
            with self._stopping_when_disk_full():
                write_dropped(self.store, item, self.run_id, reason)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None:
            return
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        if self.disk_full:
            # Nothing more can be written; the runner says so in one line, and the next
            # crawl records this run as interrupted.
            self.store.release_quietly()
            self.store = None
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        write_site_end(self.store, spider.name, self.run_id, stats, reason, datetime.now(UTC))
        self.store.release()
        self.store = None
