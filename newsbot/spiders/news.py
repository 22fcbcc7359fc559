"""NewsSpider: one generic spider for every site config. It discovers and fetches; the
pipelines do the rest.

Discovery: imprint pages first (once per run), then feeds, sitemaps (index, news
sitemaps, lastmod) and listing pages with pagination. Article links are those matching
the config's `article_url`. URLs fetched in earlier runs are skipped (the `pages` log),
unless a sitemap lastmod or feed date says the article changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from newsbot import render
from newsbot.api_listing import ApiListing
from newsbot.discovery import Discovered, listing_links, next_page_url, parse_feed, parse_sitemap
from newsbot.siteconfig import SiteConfig
from pipelines.dates import parse_date
from pipelines.page import Page
from pipelines.store import FetchHistory, Store, open_database

logger = logging.getLogger(__name__)

PRIORITY = {"imprint": 30, "feed": 20, "sitemap": 20, "listing": 10, "article": 0}


def site_settings(config: SiteConfig) -> dict[str, Any]:
    """Per-site Scrapy settings: politeness for real sites, none for 127.0.0.1."""
    settings: dict[str, Any] = {}
    if config.is_local:
        settings.update(
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=False,
            CONCURRENT_REQUESTS_PER_DOMAIN=8,
            RETRY_TIMES=2,
            NEWSBOT_RETRY_BASE_DELAY=0.2,
            NEWSBOT_RETRY_MAX_DELAY=3.0,
        )
    if config.download_delay is not None:
        settings["DOWNLOAD_DELAY"] = config.download_delay
    if config.download_timeout is not None:
        settings["DOWNLOAD_TIMEOUT"] = config.download_timeout
    if config.concurrency is not None:
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = config.concurrency
    if config.user_agent:
        settings["USER_AGENT"] = config.user_agent
    if config.headers:
        settings["DEFAULT_REQUEST_HEADERS"] = dict(config.headers)
    settings.update(render.site_settings(config))
    return settings


def describe_failure(failure: Failure) -> str:
    """A short, stable reason for a request that got no HTTP answer."""
    if failure.check(DownloadTimeoutError):
        return f"timeout: {failure.getErrorMessage()[:200]}"
    if failure.check(CannotResolveHostError):
        return "DNS lookup failed"
    if failure.check(DownloadConnectionRefusedError):
        return "connection refused"
    if failure.check(ResponseDataLossError, DownloadFailedError):
        return "connection lost before the whole page arrived"
    refused = refused_fetch(failure)
    if refused:
        return refused
    message = failure.getErrorMessage()
    name = failure.type.__name__ if failure.type else "error"
    return f"{name}: {message}"[:300] if message else name


def refused_fetch(failure: Failure) -> str | None:
    """Why Scrapy gave up on a page it started to fetch, or None (robots.txt and the
    offsite filter also raise IgnoreRequest, but fetched nothing)."""
    message = failure.getErrorMessage()
    if failure.check(DownloadCancelledError) or (
        failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in message
    ):
        # A declared or unpacked size over DOWNLOAD_MAXSIZE: an oversized page, a gzip bomb.
        return f"refused: over the download size limit ({message[:200]})"
    if failure.check(IgnoreRequest) and "redirections" in message:
        return "refused: a redirect loop, or more redirects than REDIRECT_MAX_TIMES"
    return None


class NewsSpider(scrapy.Spider):
    name = "news"
    config: SiteConfig

    def __init__(
        self,
        config: SiteConfig | None = None,
        since: datetime | str | None = None,
        limit: int | str | None = None,
        refresh: bool | str = False,
        **kwargs: Any,
    ):
        config = config or getattr(type(self), "config", None)
        if config is None:
            raise ValueError("NewsSpider needs a site config")
        super().__init__(name=config.slug, **kwargs)
        self.config = config
        self.allowed_domains = list(config.domains)
        # `scrapy crawl SLUG -a since=2026-11-01 -a limit=20` passes strings.
        if isinstance(since, str):
            since = datetime.fromisoformat(since)
            since = since if since.tzinfo else since.replace(tzinfo=ZoneInfo(config.timezone))
        self.since = since
        self.limit = int(limit) if limit else None
        self.refresh = refresh is True or str(refresh).lower() in ("1", "true", "yes")
        self.started_at = datetime.now(UTC)
        self.history = FetchHistory({})
        self.previous_finished = False
        self.cursor_url: str | None = None
        self.resume_url: str | None = None
        self.limited = False
        self.articles_requested = 0
        self.scheduled: set[str] = set()
        self.api_listing = ApiListing(self, config.api) if config.api else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        with Store(open_database(crawler.settings.get("NEWSBOT_DB"))) as store:
            spider.history = store.fetch_history(spider.config.slug)
            state = store.site_state(spider.config.slug)
        if state:
            spider.previous_finished = state["last_status"] == "finished"
            spider.resume_url = None if spider.previous_finished else state["cursor_url"]
        return spider

    # --- requests ---------------------------------------------------------------------

    def _request(self, url: str, kind: str, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=PRIORITY[kind],
            meta={"kind": kind, **render.request_meta(self.config, kind), **meta},
        )

    async def start(self) -> AsyncIterator[Any]:
        if self.config.unsupported:
            logger.error("%s is marked unsupported: %s", self.config.slug, self.config.unsupported)
            return
        for url in self.config.imprint_urls:
            yield self._request(url, "imprint", self.parse_imprint)
        for url in self.config.feeds:
            yield self._request(url, "feed", self.parse_feed)
        for url in self.config.sitemaps:
            yield self._request(url, "sitemap", self.parse_sitemap)
        for url in self.config.start_urls:
            yield self._request(url, "listing", self.parse_listing, depth=1)
        if self.api_listing:
            for request in self.api_listing.start():
                yield request
        if self.resume_url and self.resume_url not in self.config.start_urls:
            # The last run stopped early: carry on from the deepest listing page it reached.
            logger.info("%s: resuming listing pages at %s", self.config.slug, self.resume_url)
            yield self._request(
                self.resume_url, "listing", self.parse_listing, depth=1, resumed=True
            )

    def is_article_url(self, url: str) -> bool:
        return self.config.takes_article(url)

    def _changed_at(self, found: Discovered) -> datetime | None:
        dates = []
        for text in (found.lastmod, found.news_date, found.feed_date):
            outcome = parse_date(text, now=self.started_at, timezone=self.config.timezone)
            if outcome.value is not None:
                dates.append(outcome.value.moment)
        return max(dates) if dates else None

    def _article_request(self, found: Discovered) -> scrapy.Request | None:
        """A request for an article, or None if it is known, too old or over the limit."""
        if found.url in self.scheduled or not self.is_article_url(found.url):
            return None
        changed_at = self._changed_at(found)
        if self.since and changed_at and changed_at < self.since:
            return None
        if not self.refresh and not self.history.needs_fetch(
            found.url, self.started_at, changed_at
        ):
            return None
        if self.limit is not None and self.articles_requested >= self.limit:
            self.limited = True
            return None
        self.scheduled.add(found.url)
        self.articles_requested += 1
        request = self._request(found.url, "article", self.parse_article, hints=found.hints())
        # `scheduled` already keeps articles unique. Past Scrapy's duplicate filter, a
        # redirect loop runs into REDIRECT_MAX_TIMES and is logged, instead of vanishing
        # when it comes back to a URL the filter has seen.
        return request.replace(dont_filter=True)

    # --- callbacks --------------------------------------------------------------------

    def _page_item(self, response: Response, kind: str, keep_body: bool) -> Page:
        charset = http_content_type_encoding(
            (response.headers.get("Content-Type") or b"").decode("latin-1")
        )
        redirects = response.meta.get("redirect_urls") or [response.url]
        return Page(
            url=redirects[0],
            final_url=response.url,
            site=self.config.slug,
            kind=kind,
            fetched_at=datetime.now(UTC),
            status=response.status,
            charset=charset,
            body=response.body if keep_body else None,
            hints=dict(response.meta.get("hints") or {}),
        )

    def _discovered(self, links: int) -> None:
        """A discovery document read and the article links it gave: a site whose
        documents give none is a health failure, not a quiet "no new articles"."""
        if self.crawler.stats:
            self.crawler.stats.inc_value("newsbot/discovery/documents")
            self.crawler.stats.inc_value("newsbot/discovery/article_links", links)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "listing", keep_body=False)
        text = response.text if hasattr(response, "text") else ""
        links = [url for url in listing_links(text, response.url) if self.is_article_url(url)]
        self._discovered(len(links))
        fresh = 0
        for url in links:
            request = self._article_request(Discovered(url))
            if request is not None:
                fresh += 1
                yield request
        depth = response.meta.get("depth", 1)
        self.cursor_url = response.url
        if self.limited:
            return  # the cursor stays here; the next run carries on from this page
        all_older = self.since is not None and all(
            self.history.published_before(url, self.since) for url in links
        )
        if links and fresh == 0 and not self.refresh and (self.previous_finished or all_older):
            # Everything here is known, and either the last run got to the end or it is
            # all older than --since: older pages hold nothing wanted.
            logger.info(
                "%s: %s holds only known articles, paging stops", self.config.slug, response.url
            )
            return
        if depth >= self.config.max_pages:
            return
        following = next_page_url(text, response.url, self.config.next_page, self.config.page_param)
        if following and following not in self.scheduled and self.is_on_site(following):
            self.scheduled.add(following)
            yield self._request(following, "listing", self.parse_listing, depth=depth + 1)

    def is_on_site(self, url: str) -> bool:
        return self.config.is_on_site(url)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "sitemap", keep_body=False)
        kind, entries = parse_sitemap(response.body)
        if kind == "invalid":
            logger.warning("%s: %s is not a sitemap", self.config.slug, response.url)
        elif kind == "urlset":
            self._discovered(sum(1 for found in entries if self.is_article_url(found.url)))
        for found in entries:
            if kind == "index":
                changed_at = self._changed_at(found)
                if self.since and changed_at and changed_at < self.since:
                    continue
                if found.url not in self.scheduled and self.is_on_site(found.url):
                    self.scheduled.add(found.url)
                    yield self._request(found.url, "sitemap", self.parse_sitemap)
            else:
                request = self._article_request(found)
                if request is not None:
                    yield request

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "feed", keep_body=False)
        items = parse_feed(response.body, response.url)
        self._discovered(sum(1 for found in items if self.is_article_url(found.url)))
        for found in items:
            request = self._article_request(found)
            if request is not None:
                yield request

    def parse_imprint(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "imprint", keep_body=True)

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "article", keep_body=True)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "article")
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError)
            and refused_fetch(failure) is None
        ):
            # robots.txt said no, or the offsite filter: nothing was fetched.
            if self.crawler.stats:
                self.crawler.stats.inc_value("newsbot/ignored")
            return
        response = getattr(failure.value, "response", None) if failure.check(HttpError) else None
        status = response.status if response is not None else None
        if self.crawler.stats:
            self.crawler.stats.inc_value("newsbot/errors")
        logger.warning(
            "%s: %s failed: %s", self.config.slug, request.url, failure.getErrorMessage()
        )
        # Logged under the URL the spider asked for, not where redirects led it.
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        yield Page(
            url=first_url,
            final_url=request.url if first_url != request.url else None,
            site=self.config.slug,
            kind=kind,
            fetched_at=datetime.now(UTC),
            status=status,
            error=f"HTTP {status}" if status else describe_failure(failure),
        )
