"""scrapy-redis's Scheduler on newsbot's frontier: the reliable queue (queue.py), the
URL-key dupefilter (dupefilter.py), JSON requests (serializer.py), the queue kept when
a worker closes (SCHEDULER_PERSIST: the first worker to finish must not delete the
queue and filter under the others), and the site's lease (coordinator.py): a worker
that does not hold it hands out nothing of the site.

A lost Redis raises nothing into the engine: requests queued meanwhile wait here
(`unsent`) and go out when it is back (the coordinator pauses the engine meanwhile).
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from newsbot.frontier import keys, serializer
from newsbot.frontier.coordinator import FRONTIERS, PARENT, REDIS_DOWN, Coordinator, Frontier
from newsbot.frontier.dupefilter import SEEN_TTL, UrlKeyDupeFilter, filter_key
from newsbot.frontier.queue import FRONTIER_ID, ReliableQueue

logger = logging.getLogger(__name__)


class FrontierScheduler(Scheduler):
    queue: ReliableQueue | None
    df: UrlKeyDupeFilter | None

    def __init__(self, frontier: Frontier, crawler: Crawler):
        super().__init__(
            server=frontier.redis,
            persist=True,
            queue_key=keys.QUEUE_PATTERN,
            queue_cls="newsbot.frontier.queue.ReliableQueue",
            serializer=serializer,
        )
        self.frontier = frontier
        self.crawler = crawler
        self.stats = crawler.stats
        self.queue = None
        self.df = None
        self.coordinator: Coordinator | None = None
        self.unsent: list[Request] = []
        self.unshareable = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(FRONTIERS[crawler.settings["NEWSBOT_FRONTIER_WORKER"]], crawler)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = ReliableQueue(
            self.server, spider, self.queue_key, self.serializer, worker=self.frontier.worker
        )
        self.df = UrlKeyDupeFilter.for_site(
            self.server,
            spider.name,
            self.frontier.run_id,
            debug=spider.settings.getbool("DUPEFILTER_DEBUG"),
        )
        self.coordinator = self.frontier.coordinators.get(spider.name)
        if self.coordinator is not None:
            self.coordinator.scheduler = self
        try:
            waiting = len(self.queue)
        except REDIS_DOWN as error:
            self.frontier.connection_lost(error)
            return
        if waiting:
            logger.info("%s: %d requests already in the shared queue", spider.name, waiting)

    def close(self, reason: str) -> None:
        """The queue and the filter stay: they are the cluster's (SCHEDULER_PERSIST)."""
        if self.unsent:
            logger.warning(
                "%s: %d requests never reached Redis (it was down)",
                self.spider.name,
                len(self.unsent),
            )

    def _count(self, name: str) -> None:
        # scrapy-redis passes spider= to inc_value, which Scrapy 2.19 deprecates.
        if self.stats:
            self.stats.inc_value(name)

    def enqueue_request(self, request: Request) -> bool:
        # The callback that gave it (coordinator.HandOn), never sent along to Redis.
        parent = request.meta.pop(PARENT, None)
        queued = self._enqueue(request)
        if queued is None and parent:
            request.meta[PARENT] = parent  # kept here: handed on once it reaches Redis
        elif parent and self.coordinator is not None:
            self.coordinator.hand_on.entry_finished(parent)  # queued or filtered
        return queued is not False

    def _enqueue(self, request: Request) -> bool | None:
        """True: queued; False: filtered or refused; None: kept here (Redis is down)."""
        assert self.queue is not None and self.df is not None
        try:
            queued = self.queue.push_unseen(
                request, self.df.key, filter_key(request) or "", SEEN_TTL
            )
        except REDIS_DOWN as error:
            self.frontier.connection_lost(error)
            self.unsent.append(request)
            return None
        except TypeError as error:
            # Meta that is not JSON (a browser's page methods): it cannot be shared.
            self.unshareable += 1
            logger.error(
                "%s: %s cannot go in the shared queue: %s", self.spider.name, request, error
            )
            return False
        if not queued:
            self.df.log(request, self.spider)
            return False
        self._count("scheduler/enqueued/redis")
        self._hand_on_parent(request)
        return True

    def _hand_on_parent(self, request: Request) -> None:
        """A redirect or a retry of a popped request is its result: with it in the queue,
        the popped one is handed on."""
        parent = request.meta.get(FRONTIER_ID)
        if parent and (request.meta.get("redirect_urls") or request.meta.get("retry_times")):
            assert self.queue is not None
            self.queue.ack(parent)

    def next_request(self) -> Request | None:
        if self.queue is None or self.coordinator is None or not self.coordinator.may_crawl():
            return None
        try:
            request: Request | None = self.queue.pop()
        except REDIS_DOWN as error:
            self.frontier.connection_lost(error)
            return None
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def queue_length(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def has_pending_requests(self) -> bool:
        if self.unsent:
            return True
        if self.coordinator is None or not self.coordinator.may_crawl():
            return False
        try:
            return self.queue_length() > 0
        except REDIS_DOWN as error:
            self.frontier.connection_lost(error)
            return True

    def flush_unsent(self) -> None:
        waiting, self.unsent = self.unsent, []
        for number, request in enumerate(waiting):
            try:
                self.enqueue_request(request)
            except Exception:
                self.unsent = waiting[number:] + self.unsent
                raise

    def __len__(self) -> int:
        return self.queue_length()
