"""Item pipeline 3: every fetched page into the `pages` log; articles, publishers and
registrations into their tables; the site's state and (for `scrapy crawl`) the run row.

Dropped items still reach the pages log (through the item_dropped signal), so a
non-article is not fetched again next run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from newsbot.items import PageItem
from pipelines.store import Store

COUNT_KEYS = ("new", "updated", "unchanged")


def crawl_status(reason: str, limited: bool) -> str:
    """The run status a spider's close reason stands for."""
    if reason == "finished":
        return "limited" if limited else "finished"
    if reason in ("shutdown", "cancelled"):
        return "interrupted"
    return "failed"


class StorePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings.get("NEWSBOT_DB")
        self.run_id: int | None = crawler.settings.getint("NEWSBOT_RUN_ID") or None
        self.owns_run = self.run_id is None
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.store = Store.open(self.db_path)
        if self.owns_run:
            spider = self.crawler.spider
            self.run_id = self.store.start_run([spider.name] if spider else [], datetime.now(UTC))

    def _count(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(f"newsbot/articles/{key}")

    def _log(self, item: PageItem, **extra: Any) -> None:
        assert self.store is not None
        self.store.log_page(
            url=item.url,
            final_url=item.final_url,
            site=item.site,
            status=item.status,
            kind=item.kind,
            fetched_at=item.fetched_at,
            run_id=self.run_id,
            hint_date=max(item.hints.values()) if item.hints else None,
            error=item.error,
            charset=item.charset,
            hints=item.hints,
            **extra,
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or self.store is None:
            return item
        if item.kind == "article" and item.record is not None:
            # The article before its line in the pages log: a crawl killed between the two
            # fetches the page again next run (harmless) instead of never (a lost article).
            article_id, outcome = self.store.save_article(item.record, item.fetched_at, self.run_id)
            self._count(outcome)
            self._log(item, html=item.body, article_id=article_id)
        elif item.kind == "imprint" and item.record is not None:
            self.store.save_imprint(
                item.site, item.record["publisher"], item.record["registrations"],
                item.final_url or item.url, item.fetched_at,
            )  # fmt: skip
            self._log(item, html=item.body)
        else:
            self._log(item)
        return item

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(item, PageItem) and self.store is not None:
            self._log(
                item, html=item.body, drop_reason=getattr(exception, "reason", str(exception))
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None:
            return
        limited = bool(getattr(spider, "limited", False))
        status = crawl_status(reason, limited)
        cursor = None if status == "finished" else getattr(spider, "cursor_url", None)
        now = datetime.now(UTC)
        assert self.run_id is not None
        self.store.save_site_state(spider.name, self.run_id, status, cursor, now)
        if self.owns_run:
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            counts = {key: stats.get(f"newsbot/articles/{key}", 0) for key in COUNT_KEYS}
            counts["requests"] = stats.get("downloader/request_count", 0)
            counts["dropped"] = stats.get("item_dropped_count", 0)
            counts["errors"] = stats.get("newsbot/errors", 0)
            self.store.finish_run(self.run_id, status, counts, now)
        self.store.close()
        self.store = None
