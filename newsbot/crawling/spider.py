"""NewsSpider: one generic spider for every site config. It discovers and fetches; the
pipelines do the rest.

Discovery: imprint pages first (once per run), then feeds, sitemaps (index, news
sitemaps, lastmod) and listing pages with pagination. Article links are those matching
the config's `article_url`. URLs fetched in earlier runs are skipped (the `pages` log),
unless a sitemap lastmod or feed date says the article changed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
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
from scrapy.utils.misc import load_object
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from newsbot.crawling import render
from newsbot.crawling.api_listing import ApiListing
from newsbot.crawling.discovery import (
    MAX_LISTING_LINKS,
    Discovered,
    SitemapReader,
    listing_links,
    next_page_url,
    pagination_links,
    parse_feed,
    path_page_url,
)
from newsbot.crawling.history import FetchHistory
from newsbot.crawling.middlewares import OffsiteRedirect
from newsbot.sites.config import SiteConfig, article_address
from pipelines.page import Page
from pipelines.stages.dates import parse_date
from pipelines.stages.urls import clean_url, normalize_url
from pipelines.store import SqliteHistory

logger = logging.getLogger(__name__)

# Sitemaps named in an index come after articles: a sitemap index fanning out into
# thousands of documents cannot starve the article requests.
PRIORITY = {"imprint": 30, "feed": 20, "sitemap": 20, "listing": 10, "article": 0, "child": -10}
# Rejected feed and sitemap dates logged one by one per run; the rest are counted.
MAX_DATE_WARNINGS = 20
# Sitemap entries read between two returns to the event loop.
YIELD_EVERY = 1000


@dataclass(frozen=True)
class SitemapLimits:
    """Per run and site; the defaults are newsbot.crawling.settings' NEWSBOT_SITEMAP_*."""

    depth: int = 3  # index levels followed below a configured sitemap
    documents: int = 100  # sitemap documents fetched
    urls: int = 10_000  # article URLs taken from sitemaps
    bytes: int = 50 * 1024 * 1024  # unpacked bytes read of one sitemap

    @classmethod
    def from_settings(cls, settings: Any) -> SitemapLimits:
        return cls(
            depth=settings.getint("NEWSBOT_SITEMAP_MAX_DEPTH", cls.depth),
            documents=settings.getint("NEWSBOT_SITEMAP_MAX_DOCUMENTS", cls.documents),
            urls=settings.getint("NEWSBOT_SITEMAP_MAX_URLS", cls.urls),
            bytes=settings.getint("NEWSBOT_SITEMAP_MAX_BYTES", cls.bytes),
        )


class Budgets:
    """What the spider counts against the run's limits (--limit articles, sitemap
    documents and URLs), in this process. A frontier worker shares them with the site's
    other workers through Redis (NEWSBOT_BUDGETS names the loader)."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def take(self, name: str, wanted: int, cap: int) -> int:
        """How many of `wanted` fit under `cap`; those are counted as used."""
        granted = max(0, min(wanted, cap - self.used.get(name, 0)))
        self.used[name] = self.used.get(name, 0) + granted
        return granted


class Newest:
    """The `room` newest of what is offered under distinct keys (by date; undated count
    as oldest, ties go to what came first), in memory proportional to `room`, not to
    what is offered: an 820,000-URL sitemap holds at most `room` entries here."""

    def __init__(self, room: int):
        self.room = max(room, 0)
        self.heap: list[tuple[float, int, str, Any]] = []
        self.keys: set[str] = set()
        self.offered = 0
        self.dropped = 0

    def offer(self, moment: datetime | None, key: str, item: Any) -> None:
        if key in self.keys:
            return
        self.offered += 1
        entry = (moment.timestamp() if moment else float("-inf"), -self.offered, key, item)
        if len(self.heap) < self.room:
            heapq.heappush(self.heap, entry)
            self.keys.add(key)
            return
        self.dropped += 1
        if self.heap and entry[:2] > self.heap[0][:2]:
            self.keys.discard(heapq.heapreplace(self.heap, entry)[2])
            self.keys.add(key)

    def best(self) -> list[Any]:
        """Newest first."""
        return [entry[3] for entry in sorted(self.heap, key=lambda e: e[:2], reverse=True)]


def site_settings(config: SiteConfig) -> dict[str, Any]:
    """Per-site Scrapy settings: politeness for real sites, none for 127.0.0.1."""
    # What the extraction pipeline needs of the config (it reads the crawler's settings).
    settings: dict[str, Any] = {"NEWSBOT_CHAIN_OPTIONS": config.chain_options()}
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
    if config.accept_broken_tls:
        # Scrapy 2.19's switch, read per crawler by its context factory and httpx handler.
        settings["DOWNLOAD_VERIFY_CERTIFICATES"] = False
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
        self.history: FetchHistory = SqliteHistory({})
        self.previous_finished = False
        self.resume_url: str | None = None
        self.limited = False
        self.articles_requested = 0
        self.budgets = Budgets()
        # On a shared frontier the shared duplicate filter keeps articles unique across
        # workers, so article requests go through it (NEWSBOT_FRONTIER_URL set).
        self.shared_frontier = False
        self.scheduled: set[str] = set()
        self.sitemap_limits = SitemapLimits()
        self.sitemap_documents = len(config.sitemaps)
        self.sitemap_urls_taken = 0
        self.date_warnings = 0
        self.api_listing = ApiListing(self, config.api) if config.api else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.sitemap_limits = SitemapLimits.from_settings(crawler.settings)
        read_history = load_object(crawler.settings["NEWSBOT_FETCH_HISTORY"])
        spider.history = read_history(crawler.settings, spider.config.slug)
        spider.previous_finished = spider.history.last_status == "finished"
        spider.resume_url = None if spider.previous_finished else spider.history.cursor_url
        if crawler.settings.get("NEWSBOT_BUDGETS"):
            read_budgets = load_object(crawler.settings["NEWSBOT_BUDGETS"])
            spider.budgets = read_budgets(crawler.settings, spider.config.slug)
        spider.shared_frontier = bool(crawler.settings.get("NEWSBOT_FRONTIER_URL"))
        return spider

    # --- requests ---------------------------------------------------------------------

    # request, page_item, discovered, article_request: public, for ApiListing's
    # ListingSpider; the underscored names stay for this module's own callers.
    def request(self, url: str, kind: str, callback: Any, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=PRIORITY[kind],
            meta={"kind": kind, **render.request_meta(self.config, kind), **meta},
        )

    _request = request

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
            yield self._request(url, "listing", self.parse_listing, depth=1, start=url)
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

    def _takes(self, url: str, found_in: str | None) -> bool:
        """The URL rule for an article link: the config's article_url, or for a feed or
        sitemap entry only to be on the site (the classifier judges the page)."""
        if found_in in ("feed", "sitemap"):
            return self.is_on_site(url)
        return self.is_article_url(url)

    def _changed_at(self, found: Discovered) -> datetime | None:
        """The newest date a sitemap or feed gives for `found`; a date it cannot be
        (year 9999, year 1, nonsense) is logged and left out, the entry itself kept."""
        dates = []
        for text in (found.lastmod, found.news_date, found.feed_date):
            outcome = parse_date(text, now=self.started_at, timezone=self.config.timezone)
            if outcome.value is not None:
                dates.append(outcome.value.moment)
            elif outcome.warning:
                self._date_warning(found.url, outcome.warning)
        return max(dates) if dates else None

    def _date_warning(self, url: str, warning: str) -> None:
        # A sitemap of 800,000 entries dated 9999 must not write 800,000 log lines.
        self.date_warnings += 1
        if self.date_warnings <= MAX_DATE_WARNINGS:
            logger.warning("%s: %s: %s", self.config.slug, url, warning)
        elif self.date_warnings == MAX_DATE_WARNINGS + 1:
            logger.warning("%s: more rejected dates, not logged one by one", self.config.slug)
        crawler = getattr(self, "crawler", None)  # None for a spider built outside a crawl
        if crawler is not None and crawler.stats:
            crawler.stats.inc_value("newsbot/dates_rejected")

    def _candidate(
        self, found: Discovered, found_in: str = "listing"
    ) -> tuple[Discovered, str, datetime | None] | None:
        """An article link worth fetching, cleaned, with its key and date; None if it is
        no article, already scheduled, known or older than --since. A feed or sitemap
        entry needs only to be on the site: the classifier judges the page."""
        # One article, one request: tracking and session parameters, escapes, a fragment,
        # an AMP copy and a trailing slash make no second copy (the slash stays in the
        # URL requested).
        url = clean_url(article_address(found.url), self.config.keep_params)
        found = dataclasses.replace(found, url=url)
        key = normalize_url(found.url)
        if key in self.scheduled or not self._takes(found.url, found_in):
            return None
        changed_at = self._changed_at(found)
        if self.since and changed_at and changed_at < self.since:
            return None
        if not self.refresh and not self.history.needs_fetch(
            found.url, self.started_at, changed_at, self.config.recheck_days
        ):
            return None
        return found, key, changed_at

    def article_request(
        self, found: Discovered, found_in: str = "listing"
    ) -> scrapy.Request | None:
        """A request for an article, or None if it is known, too old or over the limit."""
        candidate = self._candidate(found, found_in)
        return self._schedule_article(*candidate[:2], found_in) if candidate else None

    _article_request = article_request

    def _schedule_article(
        self, found: Discovered, key: str, found_in: str = "listing"
    ) -> scrapy.Request | None:
        if key in self.scheduled:
            return None
        if self.limit is not None and not self.budgets.take("articles", 1, self.limit):
            self.limited = True
            self._stat("newsbot/limited", 1)  # the run's status: "limited", not "finished"
            return None
        self.scheduled.add(key)
        self.articles_requested += 1
        request = self._request(
            found.url, "article", self.parse_article, hints=found.hints(), found_in=found_in
        )
        if self.shared_frontier:
            return request  # (the shared filter lets redirects through, for the same reason)
        # `scheduled` already keeps articles unique. Past Scrapy's duplicate filter, a
        # redirect loop runs into REDIRECT_MAX_TIMES and is logged, instead of vanishing
        # when it comes back to a URL the filter has seen.
        return request.replace(dont_filter=True)

    # --- callbacks --------------------------------------------------------------------

    def page_item(self, response: Response, kind: str, keep_body: bool) -> Page:
        charset = http_content_type_encoding(
            (response.headers.get("Content-Type") or b"").decode("latin-1")
        )
        redirects = response.meta.get("redirect_urls") or [response.url]
        found_in = response.meta.get("found_in")
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
            found_in=found_in,
            # A redirect may have led an article link to a listing or the home page.
            article_url_ok=kind != "article" or self._takes(response.url, found_in),
        )

    _page_item = page_item

    def _stat(self, key: str, value: object) -> None:
        """A fact of this crawl for whoever records the run (the store, the runner): the
        stats are how it leaves the spider."""
        crawler = getattr(self, "crawler", None)  # None for a spider built outside a crawl
        if crawler is not None and crawler.stats:
            crawler.stats.set_value(key, value)

    def discovered(self, links: int) -> None:
        """A discovery document read and the article links it gave: a site whose
        documents give none is a health failure, not a quiet "no new articles"."""
        if self.crawler.stats:
            self.crawler.stats.inc_value("newsbot/discovery/documents")
            self.crawler.stats.inc_value("newsbot/discovery/article_links", links)

    _discovered = discovered

    def parse_listing(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "listing", keep_body=False)
        text = response.text if hasattr(response, "text") else ""
        # Cleaned before matching: `[^/?#]+$` takes `/news/x?utm_source=tg` once it is `/news/x`.
        found_links = listing_links(text, response.url)
        if len(found_links) >= MAX_LISTING_LINKS:
            logger.warning(
                "%s: %s: only the first %d links of the page read",
                self.config.slug,
                response.url,
                MAX_LISTING_LINKS,
            )
        paging = pagination_links(text, response.url)
        cleaned = (
            clean_url(url, self.config.keep_params) for url in found_links if url not in paging
        )
        links = list(dict.fromkeys(url for url in cleaned if self.is_article_url(url)))
        self._discovered(len(links))
        fresh = 0
        for url in links:
            request = self._article_request(Discovered(url))
            if request is not None:
                fresh += 1
                yield request
        depth = response.meta.get("depth", 1)
        self._stat("newsbot/cursor_url", response.url)  # where the next run carries on
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
        start = response.meta.get("start")
        if following is None and self.config.page_path and start and links:
            # No link to the next page: the config's path template names it.
            following = path_page_url(start, self.config.page_path, depth + 1)
        following = clean_url(following) if following else None
        if (
            following
            and normalize_url(following) not in self.scheduled
            and self.is_on_site(following)
        ):
            self.scheduled.add(normalize_url(following))
            yield self._request(
                following, "listing", self.parse_listing, depth=depth + 1, start=start
            )

    def is_on_site(self, url: str) -> bool:
        return self.config.is_on_site(url)

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Any]:
        # Async, handing the event loop back every YIELD_EVERY entries: reading a huge
        # sitemap does not stall the downloads in flight.
        yield self._page_item(response, "sitemap", keep_body=False)
        limits = self.sitemap_limits
        reader = SitemapReader(response.body, max_bytes=limits.bytes)
        depth = response.meta.get("sitemap_depth", 0)
        if reader.kind == "invalid":
            logger.warning("%s: %s is not a sitemap", self.config.slug, response.url)
        elif reader.kind == "index" and depth >= limits.depth:
            logger.warning(
                "%s: %s: sitemap indexes nested deeper than %d levels (NEWSBOT_SITEMAP_MAX_DEPTH)"
                " are not followed",
                self.config.slug,
                response.url,
                limits.depth,
            )
        elif reader.kind == "index":
            async for request in self._child_sitemaps(reader, response.url, depth + 1):
                yield request
        else:
            async for request in self._sitemap_articles(reader, response.url):
                yield request
        if reader.truncated:
            logger.warning(
                "%s: %s: only the first %d MB read (NEWSBOT_SITEMAP_MAX_BYTES)",
                self.config.slug,
                response.url,
                limits.bytes // (1024 * 1024),
            )

    async def _child_sitemaps(
        self, reader: SitemapReader, source: str, depth: int
    ) -> AsyncIterator[scrapy.Request]:
        """The newest sitemaps an index names, as many as the per-run budget has room for."""
        limits = self.sitemap_limits
        newest = Newest(limits.documents - self.sitemap_documents)
        for number, found in enumerate(reader):
            if number % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
            url = clean_url(found.url)
            key = normalize_url(url)
            if key in self.scheduled or not self.is_on_site(url):
                continue
            changed_at = self._changed_at(found)
            if self.since and changed_at and changed_at < self.since:
                continue
            newest.offer(changed_at, key, (url, key))
        # The budget is taken before the first request is handed out: another sitemap
        # read meanwhile (Scrapy interleaves callbacks' output) sees what is left.
        chosen = newest.best()
        # (all of them in one process: the room was the budget's; shared, others took some)
        chosen = chosen[
            : self.budgets.take(
                "sitemap_documents", len(chosen), limits.documents - len(self.config.sitemaps)
            )
        ]
        self.sitemap_documents += len(chosen)
        for url, key in chosen:
            self.scheduled.add(key)
            request = self._request(url, "sitemap", self.parse_sitemap, sitemap_depth=depth)
            yield request.replace(priority=PRIORITY["child"])
        if newest.dropped:
            logger.warning(
                "%s: %s: %d sitemaps not fetched, over %d sitemap documents per run "
                "(NEWSBOT_SITEMAP_MAX_DOCUMENTS; the newest by lastmod go first)",
                self.config.slug,
                source,
                newest.dropped,
                limits.documents,
            )

    async def _sitemap_articles(
        self, reader: SitemapReader, source: str
    ) -> AsyncIterator[scrapy.Request]:
        """Requests for the newest articles a sitemap lists that are not known yet, as
        many as the per-run budget has room for; the rest wait for the next run (they
        are still unknown then, and the newest of them go first)."""
        limits = self.sitemap_limits
        newest = Newest(limits.urls - self.sitemap_urls_taken)
        article_links = 0
        for number, found in enumerate(reader):
            if number % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)
            # A sitemap's entries on the site are candidates whatever article_url says.
            article_links += self.is_on_site(found.url)
            candidate = self._candidate(found, "sitemap")
            if candidate is not None:
                newest.offer(candidate[2], candidate[1], candidate[:2])
        self._discovered(article_links)
        scheduled = (self._schedule_article(found, key, "sitemap") for found, key in newest.best())
        requests = [request for request in scheduled if request is not None]
        requests = requests[: self.budgets.take("sitemap_urls", len(requests), limits.urls)]
        self.sitemap_urls_taken += len(requests)  # before handing any out, as above
        for request in requests:
            yield request
        if newest.dropped:
            if self.crawler.stats:
                self.crawler.stats.inc_value("newsbot/sitemap_urls_left", newest.dropped)
            logger.warning(
                "%s: %s: %d new article URLs left for the next run, over %d per run "
                "(NEWSBOT_SITEMAP_MAX_URLS; the newest by lastmod go first)",
                self.config.slug,
                source,
                newest.dropped,
                limits.urls,
            )

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "feed", keep_body=False)
        items = parse_feed(response.body, response.url)
        self._discovered(sum(1 for found in items if self.is_on_site(found.url)))
        for found in items:
            request = self._article_request(found, "feed")
            if request is not None:
                yield request

    def parse_imprint(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "imprint", keep_body=True)

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, "article", keep_body=True)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "article")
        if failure.check(OffsiteRedirect):
            # Logged with the site's answer (a 3xx, or 200 with a meta refresh), so the
            # next run does not ask again unless a sitemap or feed says it changed.
            redirect = failure.value
            assert isinstance(redirect, OffsiteRedirect)
            answered = redirect.status if isinstance(redirect.status, int) else 200
            yield self._failed_page(request, kind, answered, str(redirect))
            return
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
        error = f"HTTP {status}" if status else describe_failure(failure)
        yield self._failed_page(request, kind, status, error)

    def _failed_page(
        self, request: scrapy.Request, kind: str, status: int | None, error: str
    ) -> Page:
        """The pages-log line of a request that gave no page: under the URL the spider
        asked for, not where redirects led it."""
        first_url = (request.meta.get("redirect_urls") or [request.url])[0]
        return Page(
            url=first_url,
            final_url=request.url if first_url != request.url else None,
            site=self.config.slug,
            kind=kind,
            fetched_at=datetime.now(UTC),
            status=status,
            error=error,
        )
