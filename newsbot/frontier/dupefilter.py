"""The run's shared duplicate filter of a site, keyed by newsbot's URL key
(pipelines.stages.urls.normalize_url, the key the spider's `scheduled` set and the
store use), not scrapy-redis's SHA-1 of `canonicalize_url`: `/a?utm_source=x` and `/a/`
are one page for every worker.

Run-scoped (keys.seen(site, run_id)), so the next run starts clean, with a TTL so an
interrupted run's set does not stay forever.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter

from newsbot.frontier import keys
from pipelines.stages.urls import normalize_url

logger = logging.getLogger(__name__)

# A run longer than this (the crawl's --max-time is 3 h) would see its pages again.
SEEN_TTL = 7 * 24 * 3600


def url_key(request: Request) -> str:
    """What makes two requests one: the URL key, and for anything but a GET (an API
    listing's POST) the method and body too."""
    key = normalize_url(request.url)
    if request.method == "GET":
        return key
    body = hashlib.sha1(request.body or b"").hexdigest()
    return f"{request.method} {key} {body}"


def filter_key(request: Request) -> str | None:
    """The key the shared filter checks, or None for a request it lets through: one
    marked dont_filter (a retry), or a redirect (or meta refresh), which continues a
    request already let through once. Filtering a redirect would drop the original
    silently (no page record, so fetched again next run) and turn a redirect loop into
    nothing instead of the error REDIRECT_MAX_TIMES logs; it passes, as in a
    single-process crawl, where article requests skip Scrapy's filter."""
    if request.dont_filter or request.meta.get("redirect_urls"):
        return None
    return url_key(request)


class UrlKeyDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, debug: bool = False):
        super().__init__(server, key, debug)
        self.expiry_set = False

    @classmethod
    def for_site(cls, server: Any, site: str, run_id: int, debug: bool = False) -> UrlKeyDupeFilter:
        return cls(server, keys.seen(site, run_id), debug)

    def request_seen(self, request: Request) -> bool:
        """(The scheduler filters and queues in one step: queue.push_unseen.)"""
        key = filter_key(request)
        if key is None:
            return False
        added = self.server.sadd(self.key, key)
        if not self.expiry_set:
            self.server.expire(self.key, SEEN_TTL)
            self.expiry_set = True
        return bool(added == 0)

    def request_fingerprint(self, request: Request) -> str:
        return url_key(request)

    def close(self, reason: str = "") -> None:
        """Kept: other workers share it (the writer deletes it with the run)."""

    def log(self, request: Request, spider: Spider) -> None:
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request, extra={"spider": spider})
