"""Retries with exponential backoff that honour Retry-After, up to a cap.

Scrapy's RetryMiddleware retries at once and ignores Retry-After, which is how a crawl
gets itself banned from a small government site. This one waits: Retry-After when the
server gives it (seconds or an HTTP date, capped), else base * 2**attempt.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Response
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost

logger = logging.getLogger(__name__)

RETRY_EXCEPTIONS = (
    DownloadTimeoutError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
    ConnectError,
    ConnectionDone,
    ConnectionLost,
)


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for, or None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.max_retries = settings.getint("NEWSBOT_RETRY_TIMES", 3)
        if self.max_retries <= 0:
            raise NotConfigured
        self.base_delay = settings.getfloat("NEWSBOT_RETRY_BASE_DELAY", 2.0)
        self.max_delay = settings.getfloat("NEWSBOT_RETRY_MAX_DELAY", 120.0)
        self.http_codes = {int(c) for c in settings.getlist("NEWSBOT_RETRY_HTTP_CODES")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        wanted = retry_after if retry_after is not None else self.base_delay * 2 ** (attempt - 1)
        return min(wanted, self.max_delay)

    async def _retry(
        self, request: Request, reason: str, retry_after: float | None
    ) -> Request | None:
        attempt = request.meta.get("newsbot_retries", 0) + 1
        stats = self.crawler.stats
        if attempt > self.max_retries or request.meta.get("dont_retry"):
            if stats:
                stats.inc_value("newsbot/retry/gave_up")
            logger.info("gave up on %s after %d tries: %s", request.url, attempt, reason)
            return None
        delay = self._delay(attempt, retry_after)
        logger.info("retry %d of %s in %.1f s: %s", attempt, request.url, delay, reason)
        if stats:
            stats.inc_value("newsbot/retry/count")
        # A Retry-After of minutes must not hold a crawl that is being stopped (SIGTERM):
        # the wait ends with the crawl, and the next run fetches the page.
        waited = 0.0
        while waited < delay and self.crawler.crawling:
            step = min(0.25, delay - waited)
            await asyncio.sleep(step)
            waited += step
        if not self.crawler.crawling:
            return None
        retry = request.copy()
        retry.meta["newsbot_retries"] = attempt
        retry.dont_filter = True
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in self.http_codes:
            return response
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        retry = await self._retry(request, f"HTTP {response.status}", retry_after)
        return retry or response

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, CannotResolveHostError) or not isinstance(
            exception, RETRY_EXCEPTIONS
        ):
            return None  # a name that does not resolve will not resolve in a minute either
        return await self._retry(request, type(exception).__name__, None)
