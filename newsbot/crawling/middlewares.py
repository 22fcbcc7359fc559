"""Scrapy components that keep a hostile site from holding, steering or outrunning a
crawl: a prompt stop on SIGTERM, redirects kept on the site, robots.txt read before any
request."""

from __future__ import annotations

import logging
import time
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task, tcp
from twisted.internet.defer import Deferred

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


# --- redirects ------------------------------------------------------------------------


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host outside the site's domains: not followed, nothing fetched."""

    def __init__(self, target: str, status: int | str):
        super().__init__(f"redirect off-site to {target}")
        self.target = target
        self.status = status


def on_site(host: str | None, domains: tuple[str, ...] | list[str]) -> bool:
    host = (host or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


class _StayOnSite:
    """Refuses, before it is requested, a redirect whose target is off the site: a site
    must not steer the crawl to another host (an internal address, another outlet whose
    page would be stored as this site's)."""

    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        spider = self.crawler.spider
        config = getattr(spider, "config", None)
        domains = config.domains if config is not None else getattr(spider, "allowed_domains", [])
        if domains and not on_site(urlsplit(redirected.url).hostname, domains):
            logger.warning("%s: redirect off-site to %s", request.url, redirected.url)
            if self.crawler.stats:
                self.crawler.stats.inc_value("newsbot/redirect_offsite")
            raise OffsiteRedirect(redirected.url, reason)
        return super()._redirect(redirected, request, reason)  # type: ignore[misc]


class OnSiteRedirectMiddleware(_StayOnSite, RedirectMiddleware):
    """Scrapy's RedirectMiddleware (3xx with Location), on the site only."""


class OnSiteMetaRefreshMiddleware(_StayOnSite, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (<meta http-equiv=refresh>), on the site only."""


# --- robots.txt -----------------------------------------------------------------------


class EveryWaiterRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose parsed robots.txt reaches every request that waited for it.

    Upstream (Scrapy 2.19), requests that arrive while a host's robots.txt is being
    downloaded all await one Deferred through `maybe_deferred_to_future`, whose
    `Deferred.asFuture` callback returns None: the first waiter gets the parser, every
    later one gets None, which the middleware reads as "no robots.txt", and they are
    fetched unchecked. Here each waiter has a Deferred of its own, fed by a callback
    that passes the result on down the chain.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlsplit(request.url).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            mine: Deferred[RobotParser | None] = Deferred()

            def relay(result: Any) -> Any:
                mine.callback(result)
                return result  # the next waiter's callback sees it too

            pending.addBoth(relay)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
