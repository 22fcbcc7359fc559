"""The worker's last item pipeline, in place of the store: each page's record
(pipelines/records.py: JSON, never pickle) onto keys.OUTBOX for the one writer, and a
dropped page's record too (as StorePipeline.item_dropped logs it), so the writer's
pages log is the single-process crawl's. Outcomes (new, updated...) are the writer's
to count; a worker counts the records it sent.

HandOnMiddleware (a spider middleware) tells the coordinator when a request's callback
output has been read to the end: with its items through this pipeline, the request's
in-flight entry goes (coordinator.HandOn).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newsbot.frontier import keys
from newsbot.frontier.coordinator import (
    FRONTIERS,
    PARENT,
    REDIS_DOWN,
    Coordinator,
    frontier_id,
)
from pipelines.page import Page
from pipelines.records import page_record
from pipelines.scrapy.validate import NotAnArticle

logger = logging.getLogger(__name__)


def _coordinator(crawler: Crawler) -> Coordinator:
    frontier = FRONTIERS.get(crawler.settings.get("NEWSBOT_FRONTIER_WORKER") or "")
    coordinator = frontier.coordinators.get(crawler.spidercls.name) if frontier else None
    if coordinator is None:
        raise NotConfigured("not a frontier worker")
    return coordinator


class OutboxPipeline:
    def __init__(self, crawler: Crawler, coordinator: Coordinator):
        self.crawler = crawler
        self.coordinator = coordinator
        self.frontier = coordinator.frontier
        self.unsent: list[bytes] = []
        coordinator.outbox = self

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, _coordinator(crawler))
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Page) and not self._cut_short(item):
            self._push(page_record(item))
        return item

    def _cut_short(self, page: Page) -> bool:
        """A download the worker's stop cancelled: not a failure of the site. Its
        request goes back to the queue (coordinator.ack) for another worker to fetch."""
        return self.coordinator.stopping and page.status is None and bool(page.error)

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(item, Page):
            # The pipelines' own drops are named (validate.py); Scrapy's carry a message.
            reason = exception.reason if isinstance(exception, NotAnArticle) else str(exception)
            self._push(page_record(item, dropped=reason))
        key = frontier_id(response)
        if key:
            self.coordinator.hand_on.entry_finished(key)

    def _push(self, record: bytes) -> None:
        if self.unsent:  # in order, behind what waits already
            self.unsent.append(record)
            return
        try:
            waiting = int(self.frontier.redis.rpush(keys.OUTBOX, record))
        except REDIS_DOWN as error:
            self.unsent.append(record)
            self.frontier.connection_lost(error)
            return
        self._count()
        self.frontier.outbox_waiting(waiting)

    def _count(self) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value("newsbot/frontier/records_sent")

    def flush_unsent(self) -> None:
        while self.unsent:
            self.frontier.redis.rpush(keys.OUTBOX, self.unsent[0])
            self.unsent.pop(0)
            self._count()

    def close_spider(self) -> None:
        if self.unsent:
            logger.error(
                "%s: %d page records never reached Redis (it was down): those pages are "
                "fetched again next run",
                self.crawler.spidercls.name,
                len(self.unsent),
            )


class HandOnMiddleware:
    """Counts the entries (items, requests) of each popped request's callback output,
    marks its requests with their parent, and says when the output was read to the end."""

    def __init__(self, coordinator: Coordinator):
        self.hand_on = coordinator.hand_on

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_coordinator(crawler))

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        key = frontier_id(response)
        if not key:
            async for entry in result:
                yield entry
            return
        self.hand_on.output_started(key)
        try:
            async for entry in result:
                if isinstance(entry, Request):
                    entry.meta[PARENT] = key
                    self.hand_on.entry_started(key)
                elif isinstance(entry, Page):
                    self.hand_on.entry_started(key)
                yield entry
        finally:
            self.hand_on.output_finished(key)
