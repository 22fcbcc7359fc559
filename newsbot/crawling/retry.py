"""Scrapy's RetryMiddleware, with exponential backoff and Retry-After.

Scrapy's own middleware retries at once and ignores Retry-After, which is how a crawl
gets itself banned from a small government site. This one waits first: Retry-After when
the server gives it (seconds or an HTTP date), else base * 2**(retries so far), both
capped. Everything else is Scrapy's: the RETRY_* settings, the `retry/*` stats, and the
`dont_retry`, `max_retry_times` and `priority_adjust` request meta, because the retry
request itself comes from `get_retry_request`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

# A name that does not resolve now will not resolve in a few seconds either. Scrapy turns
# Twisted's DNSLookupError into CannotResolveHostError; both are named in case a download
# handler does not.
NEVER_RETRIED = (CannotResolveHostError, DNSLookupError)


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


class BackoffRetryMiddleware(RetryMiddleware):
    """Replaces scrapy.downloadermiddlewares.retry.RetryMiddleware (see settings.py)."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)  # raises NotConfigured unless RETRY_ENABLED
        self.base_delay = settings.getfloat("NEWSBOT_RETRY_BASE_DELAY", 2.0)
        self.max_delay = settings.getfloat("NEWSBOT_RETRY_MAX_DELAY", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def delay(self, retry_times: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry_times` (1 for the first)."""
        if retry_after is None:
            return min(self.base_delay * 2 ** (retry_times - 1), self.max_delay)
        return min(retry_after, self.max_delay)

    def retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """The request to send again (counted in `retry/*`), or None once the request's
        retries are spent (counted in `retry/max_reached`)."""
        assert self.crawler.spider  # downloader middlewares run only inside a crawl
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    def _stopping(self) -> bool:
        """The crawl is being stopped. A middleware used before any crawl started (Scrapy
        raises RuntimeError for its engine then) never is."""
        try:
            started = self.crawler.engine is not None
        except RuntimeError:
            return False
        return started and not self.crawler.crawling

    async def wait(self, retry: Request, reason: str, retry_after: float | None) -> Request | None:
        """Wait before the retry; None when the crawl stops meanwhile (SIGTERM): a
        Retry-After of minutes must not hold it, and the next run fetches the page."""
        seconds = self.delay(retry.meta["retry_times"], retry_after)
        logger.info(
            "retry %d of %s in %.1f s: %s", retry.meta["retry_times"], retry.url, seconds, reason
        )
        waited = 0.0
        while waited < seconds and not self._stopping():
            step = min(0.25, seconds - waited)
            await asyncio.sleep(step)
            waited += step
        if self._stopping():
            return None
        return retry

    # Async where Scrapy's are not, to wait without holding up the reactor: Scrapy awaits
    # a middleware's coroutine as readily as it takes its value.
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = response_status_message(response.status)
        retry = self.retry_request(request, reason)
        if retry is None:
            return response
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        return await self.wait(retry, reason, retry_after) or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | None:
        if (
            isinstance(exception, NEVER_RETRIED)
            or not isinstance(exception, self.exceptions_to_retry)
            or request.meta.get("dont_retry", False)
        ):
            return None
        retry = self.retry_request(request, exception)
        if retry is None:
            return None
        return await self.wait(retry, type(exception).__name__, None)
