"""Item pipeline 3: every fetched page into the `pages` log; articles, publishers and
registrations into their tables; the site's state when its spider closes.

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

from pipelines.page import Page
from pipelines.store import SiteRun, Store, is_disk_full

logger = logging.getLogger(__name__)
# The close reason of a spider stopped because the database's filesystem is full.
DISK_FULL = "disk_full"

ARTICLE_OUTCOMES = ("new", "updated", "unchanged")


def crawl_status(reason: str, limited: bool) -> str:
    """The run status a spider's close reason stands for."""
    if reason == "finished":
        return "limited" if limited else "finished"
    if reason in ("shutdown", "cancelled", DISK_FULL) or reason.startswith("closespider_timeout"):
        return "interrupted"
    return "failed"


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSBOT_DB")
        self.run_id: int | None = crawler.settings.getint("NEWSBOT_RUN_ID") or None
        self.store: Store | None = None
        self.flusher: task.LoopingCall | None = None
        self.disk_full = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.store = Store.shared(self.db_path)
        if self.run_id is None:
            # `scrapy crawl SLUG` has no runner: this spider's run is its own.
            spider = self.crawler.spider
            self.run_id = self.store.start_run([spider.name] if spider else [], datetime.now(UTC))
        self.flusher = task.LoopingCall(self._flush_if_due)
        self.flusher.start(1.0, now=False)

    def _flush_if_due(self) -> None:
        if self.store is not None and self.store.flush_due() and not self.disk_full:
            with self._stopping_when_disk_full():
                self.store.flush()

    def _count(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"newsbot/articles/{key}")

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
            self._store(item, self.store)
        return item

    def _store(self, item: Page, store: Store) -> None:
        if item.kind == "article" and item.result is not None:
            result = item.result
            article_id, outcome = store.save_article(
                result.article, item.fetched_at, self.run_id, result.stems
            )
            self._count(outcome)
            if outcome != "unchanged":  # its text is new: compare it with the stored ones
                store.link_reprints(article_id, found=result.fingerprint)
            store.log_page(item, run_id=self.run_id, article_id=article_id, keep_html=True)
        elif item.kind == "imprint" and item.imprint is not None:
            store.save_imprint(item.site or "", item.imprint, item.address, item.fetched_at)
            # Articles stored before the imprint page was read (it came late, or failed
            # and was retried) get it now; articles after it got it in ProcessPipeline.
            store.fill_missing_imprints(item.site or "", item.imprint)
            store.log_page(item, run_id=self.run_id, keep_html=True)
        else:
            store.log_page(item, run_id=self.run_id)
        store.end_item()

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(item, Page) and self.store is not None and not self.disk_full:
            reason = getattr(exception, "reason", str(exception))
            with self._stopping_when_disk_full():
                self.store.log_page(item, run_id=self.run_id, drop_reason=reason, keep_html=True)
                self.store.end_item()

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
        status = crawl_status(reason, bool(getattr(spider, "limited", False)))
        cursor = None if status == "finished" else getattr(spider, "cursor_url", None)
        assert self.run_id is not None
        self.store.save_site_state(spider.name, self.run_id, status, cursor, datetime.now(UTC))
        if not self.crawler.settings.getint("NEWSBOT_RUN_ID"):
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            run = SiteRun.from_stats(self.run_id, spider.name, status, stats)
            self.store.finish_run(self.run_id, status, [run], datetime.now(UTC))
        self.store.release()
        self.store = None
