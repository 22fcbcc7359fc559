"""Retries: Scrapy's RetryMiddleware with newsbot's waits. A real crawl against a local
server shows the waits and Scrapy's `retry/*` stats; the request meta and the DNS rule
are checked on the middleware itself, with Scrapy's own test crawler."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError

from newsbot.crawling.retry import BackoffRetryMiddleware
from newsbot.demo.server import LocalSite, Page
from tests.crawlsite import article_html, listing, query, run_crawl, write_site_file


def crawl_stats(log_file: Path) -> dict[str, int]:
    """The integer stats Scrapy dumps into the crawl log when the spider closes."""
    dump = log_file.read_text(encoding="utf-8").rsplit("Dumping Scrapy stats:", 1)[1]
    return {key: int(value) for key, value in re.findall(r"'([\w/ .-]+)': (\d+)[,}]", dump)}


@pytest.fixture(scope="module")
def retried_crawl(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("retry")
    pages: dict[str, Page | list[Page]] = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing(*(f"/news/{n}-item.html" for n in (1, 2, 3, 4))),
        "/news/1-item.html": Page(article_html(1)),
        "/news/2-item.html": [Page(b"busy", status=503), Page(article_html(2))],
        "/news/3-item.html": [
            Page(b"slow down", status=429, headers={"Retry-After": "1"}),
            Page(article_html(3)),
        ],
        "/news/4-item.html": Page(b"broken", status=500),
    }
    with LocalSite(pages) as site:
        db = folder / "news.db"
        result = run_crawl(db, write_site_file(folder, site))
        log = list(site.log)
    assert result.returncode == 0, result.stderr
    return db, log, crawl_stats(folder / "logs" / "newsbot.log")


def request_times(log: list[tuple[float, str]], path: str) -> list[float]:
    return [moment for moment, requested in log if requested == path]


def test_503_then_200_is_retried_once_and_stored(retried_crawl):
    db, log, stats = retried_crawl
    assert len(request_times(log, "/news/2-item.html")) == 2
    assert stats["retry/reason_count/503 Service Unavailable"] == 1
    assert query(db, "SELECT count(*) FROM articles WHERE url LIKE '%/2-item.html'") == [(1,)]


def test_429_waits_for_its_retry_after(retried_crawl):
    db, log, stats = retried_crawl
    first, second = request_times(log, "/news/3-item.html")
    assert second - first >= 1.0
    # Scrapy's reason text, from w3lib's table of statuses, which lacks 429.
    assert stats["retry/reason_count/429 Unknown Status"] == 1
    assert query(db, "SELECT count(*) FROM articles WHERE url LIKE '%/3-item.html'") == [(1,)]


def test_a_page_that_keeps_failing_backs_off_then_gives_up(retried_crawl):
    _, log, stats = retried_crawl
    # The local profile's RETRY_TIMES=2 and base delay of 0.2 s: waits of 0.2 s, 0.4 s.
    tries = request_times(log, "/news/4-item.html")
    assert len(tries) == 3
    assert tries[1] - tries[0] >= 0.2
    assert tries[2] - tries[1] >= 0.4
    assert stats["retry/reason_count/500 Internal Server Error"] == 2
    assert stats["retry/max_reached"] == 1
    assert stats["retry/count"] == 4  # 503 once, 429 once, 500 twice


def middleware(**settings: object) -> BackoffRetryMiddleware:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 1, "NEWSBOT_RETRY_BASE_DELAY": 0.0, **settings})
    crawler.spider = crawler._create_spider("retry-test")
    return BackoffRetryMiddleware.from_crawler(crawler)


def answer(mw: BackoffRetryMiddleware, request: Request, status: int) -> Request | Response:
    return asyncio.run(mw.process_response(request, Response(request.url, status=status)))


def stats_of(mw: BackoffRetryMiddleware) -> dict[str, int]:
    assert mw.crawler.stats
    return mw.crawler.stats.get_stats()


def test_max_retry_times_meta_overrides_the_setting():
    mw = middleware()
    once = Request("http://127.0.0.1/a", meta={"max_retry_times": 0})
    assert isinstance(answer(mw, once, 503), Response)
    assert stats_of(mw) == {"retry/max_reached": 1}

    three = Request("http://127.0.0.1/b", meta={"max_retry_times": 3})
    for retry_times in (1, 2, 3):
        three = answer(mw, three, 503)
        assert isinstance(three, Request) and three.meta["retry_times"] == retry_times
    assert isinstance(answer(mw, three, 503), Response)
    assert stats_of(mw)["retry/count"] == 3


def test_dont_retry_meta_is_honoured():
    mw = middleware()
    request = Request("http://127.0.0.1/a", meta={"dont_retry": True})
    assert isinstance(answer(mw, request, 503), Response)
    assert asyncio.run(mw.process_exception(request, DownloadTimeoutError())) is None
    assert stats_of(mw) == {}


@pytest.mark.parametrize(
    "failure", [CannotResolveHostError("nosuch.invalid"), DNSLookupError("nosuch.invalid")]
)
def test_a_dns_failure_is_not_retried(failure: Exception):
    mw = middleware()
    assert asyncio.run(mw.process_exception(Request("http://nosuch.invalid/"), failure)) is None
    assert stats_of(mw) == {}


def test_a_timeout_is_retried_under_scrapys_stat_names():
    mw = middleware()
    retry = asyncio.run(mw.process_exception(Request("http://127.0.0.1/a"), DownloadTimeoutError()))
    assert isinstance(retry, Request) and retry.dont_filter
    assert stats_of(mw) == {
        "retry/count": 1,
        "retry/reason_count/scrapy.exceptions.DownloadTimeoutError": 1,
    }


def test_waits_double_and_are_capped():
    mw = middleware(NEWSBOT_RETRY_BASE_DELAY=2.0, NEWSBOT_RETRY_MAX_DELAY=10.0)
    assert [mw.delay(n, None) for n in (1, 2, 3, 4)] == [2.0, 4.0, 8.0, 10.0]
    assert mw.delay(1, 5.0) == 5.0  # Retry-After wins over the backoff
    assert mw.delay(1, 3600.0) == 10.0  # but is capped too


def test_retry_is_off_when_scrapys_setting_says_so():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        middleware(RETRY_ENABLED=False)


def test_retry_after_an_http_date_is_read_against_now():
    from newsbot.crawling.retry import retry_after_seconds

    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"Thu, 26 Nov 2026 12:00:30 GMT", now) == 30
