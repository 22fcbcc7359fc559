"""Scrapy components that keep a hostile site from holding, steering or outrunning a
crawl: a prompt stop on SIGTERM, redirects kept on the site, robots.txt read before any
request."""

from __future__ import annotations

import logging
import time
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task, tcp

logger = logging.getLogger(__name__)


class StopPromptly:
    """Ends a stopping crawl within seconds.

    On SIGTERM or Ctrl-C Scrapy stops gracefully: it waits for every download in flight,
    which on a slow site (or one that trickles bytes) is as long as DOWNLOAD_TIMEOUT,
    30 s and more. After NEWSBOT_STOP_GRACE seconds this aborts the connections still
    open; those pages count as not fetched (the next run fetches them) and the spider
    closes as "shutdown", which the run records as interrupted. A crawl stopping is
    one whose Crawler is no longer `crawling` while its spider is still open: a crawl
    that ends by itself keeps `crawling` set until the engine has closed.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.grace = crawler.settings.getfloat("NEWSBOT_STOP_GRACE", 2.0)
        self.stopping_since: float | None = None
        self.watch = task.LoopingCall(self._check)
        crawler.signals.connect(self._start, signal=signals.engine_started)
        crawler.signals.connect(self._end, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _start(self) -> None:
        self.watch.start(0.25, now=False)

    def _end(self, *args: Any, **kwargs: Any) -> None:
        if self.watch.running:
            self.watch.stop()

    def _check(self) -> None:
        if self.crawler.crawling:
            return
        now = time.monotonic()
        if self.stopping_since is None:
            self.stopping_since = now
            return
        if now - self.stopping_since < self.grace:
            return
        aborted = abort_downloads()
        if aborted:
            logger.warning("stopping: %d downloads still in flight abandoned", aborted)
        self.stopping_since = now  # again after another grace, should one reconnect


def abort_downloads() -> int:
    """Abort every outgoing TCP connection of this process (in a crawl, those are the
    downloads: the extraction workers talk over pipes, not TCP)."""
    from twisted.internet import reactor as installed

    reactor: Any = installed  # the installed reactor; its type names no IReactorFDSet
    selectables = {*reactor.getReaders(), *reactor.getWriters()}
    count = 0
    for selectable in selectables:
        if not isinstance(selectable, tcp.Client):
            continue
        if selectable.connected:
            selectable.abortConnection()
        else:
            selectable.stopConnecting()
        count += 1
    return count
