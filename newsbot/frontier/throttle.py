"""`--share-site`: several workers crawl one site, and the site still never sees two
requests closer than its download_delay. Scrapy's delay is per process, so before each
request a worker takes the site's token in Redis (keys.slot: SET NX PX delay); while
another worker holds it, the request waits for the token's remaining time and tries
again. The worker's own DOWNLOAD_DELAY is 0 for such a site (the token is the delay),
so nothing stands between taking the token and sending the request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsbot.frontier import keys
from newsbot.frontier.coordinator import FRONTIERS, REDIS_DOWN, Frontier

logger = logging.getLogger(__name__)

# Seconds between tries while Redis is away (the coordinator says why, once).
DOWN_WAIT = 1.0


class SharedSlotMiddleware:
    def __init__(self, crawler: Crawler, frontier: Frontier, delay: float):
        self.crawler = crawler
        self.frontier = frontier
        self.delay_ms = max(1, round(delay * 1000))
        self.key = keys.slot(crawler.spidercls.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        frontier = FRONTIERS.get(crawler.settings.get("NEWSBOT_FRONTIER_WORKER") or "")
        delay = crawler.settings.getfloat("NEWSBOT_SHARED_DELAY")
        if frontier is None or not frontier.share_site or delay <= 0:
            raise NotConfigured("no shared per-site delay")
        return cls(crawler, frontier, delay)

    async def process_request(self, request: Request) -> None:
        while self.crawler.crawling:
            try:
                if self.frontier.redis.set(
                    self.key, self.frontier.worker, nx=True, px=self.delay_ms
                ):
                    return
                wait = int(self.frontier.redis.pttl(self.key)) / 1000
            except REDIS_DOWN as error:
                self.frontier.connection_lost(error)
                wait = DOWN_WAIT
            await asyncio.sleep(min(max(wait, 0.005), self.delay_ms / 1000))
