"""What keeps many workers on one frontier in step: a worker's heartbeat, site leases,
stats, the cluster-wide end of a site, back-pressure from the outbox, and Redis down.

`Frontier` is the worker process's side (one per process: its id, its Redis client, a
tick every half second); `Coordinator` is the Scrapy extension of each site's crawler.

- Heartbeat: keys.heartbeat(worker) expires TTL seconds after the last beat (every
  TTL/3); a worker whose key expired is dead, and live workers put its in-flight
  requests back in the queue (queue.ReliableQueue.requeue_dead).
- Leases: a site is crawled by one worker at a time (keys.lease: SET NX EX TTL, renewed
  each beat); the others hand out nothing for it but keep trying to take it, so a dead
  worker's site moves within the TTL, its queue intact. `--share-site` has no lease
  (throttle.SharedSlot spaces the requests instead).
- End of a site: the worker that may crawl it, idle, sees the queue empty and nothing in
  flight anywhere for GRACE seconds: it writes keys.done(run_id). Everyone else's spider
  for the site closes when it sees that. Scrapy polls an idle scheduler only every 5 s
  and closes an idle spider: spider_idle keeps it open (DontCloseSpider) until the
  site is done, and the tick wakes the engine.
- Back-pressure: more than NEWSBOT_OUTBOX_MAX records waiting for the writer pause the
  engines (one log line) until fewer than half are left.
- Redis down: any RedisError (lost, or refusing a command: OOM under noeviction,
  READONLY) pauses the engines with one log line, what was to be sent stays here, and
  the tick retries with backoff; back, the worker carries on if the run is still there; if the
  run is gone, or Redis stays away past NEWSBOT_REDIS_DOWN_DEADLINE, the spiders close
  as interrupted (the worker's exit code says so).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import Any, Protocol

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.python.failure import Failure

from newsbot.frontier import keys
from newsbot.frontier.connection import connect, redacted
from newsbot.frontier.queue import FRONTIER_ID, ReliableQueue

logger = logging.getLogger(__name__)

# What a lost Redis raises (refused, reset, timed out), and what a Redis that refuses a
# command raises (OOM under maxmemory noeviction, READONLY, NOPERM): either way what
# was to be sent stays here and the tick retries.
REDIS_DOWN = (redis.RedisError,)
# Seconds between ticks: how soon an idle engine hears of work others queued.
TICK = 0.5
# Seconds a site must look finished (queue empty, nothing in flight) before it is.
GRACE = 2.0
MAX_BACKOFF = 30.0
# Why a spider closes when the frontier is lost: the run is interrupted.
LOST = "frontier_lost"
# keys.closed(run_id) when the writer was stopped before the run ended.
INTERRUPTED = "interrupted"

# The process's frontier, by worker id: Scrapy builds the scheduler, the extension and
# the pipeline from settings, which are copied per crawler (never a Redis client).
FRONTIERS: dict[str, Frontier] = {}

# Lease release only by its holder: a worker that lost it must not delete another's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# A worker's stats totals into the site's sum (KEYS[1]) by their change since what it
# last reported (KEYS[2]), in one step: sending the same totals again changes nothing.
_REPORT_STATS = """
for i = 1, #ARGV, 2 do
  local name, value = ARGV[i], tonumber(ARGV[i + 1])
  local before = tonumber(redis.call('HGET', KEYS[2], name) or '0')
  if value ~= before then
    redis.call('HINCRBY', KEYS[1], name, value - before)
    redis.call('HSET', KEYS[2], name, value)
  end
end
return 1
"""


def report_stats(
    client: redis.Redis | redis.client.Pipeline,
    run_id: int,
    site: str,
    worker: str,
    totals: dict[str, int],
) -> None:
    """Add a worker's stats totals to the site's sum, idempotently (_REPORT_STATS)."""
    args: list[str | int] = [item for pair in totals.items() for item in pair]
    client.eval(
        _REPORT_STATS, 2, keys.stats(run_id, site), keys.worker_stats(run_id, site, worker), *args
    )


_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) and 1 or 0
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class SiteScheduler(Protocol):
    """What the coordinator asks of the site's scheduler (scheduler.FrontierScheduler)."""

    queue: ReliableQueue | None
    unsent: list[Any]

    def queue_length(self) -> int: ...

    def flush_unsent(self) -> None: ...


class SiteOutbox(Protocol):
    """What it asks of the site's outbox pipeline (outbox.OutboxPipeline)."""

    unsent: list[bytes]

    def flush_unsent(self) -> None: ...


class Frontier:
    """One worker process on the shared frontier."""

    def __init__(
        self,
        url: str,
        run: dict[str, Any],
        worker: str,
        *,
        heartbeat: float = 10.0,
        outbox_max: int = 20_000,
        down_deadline: float = 300.0,
        share_site: bool = False,
        grace: float = GRACE,
    ):
        self.url = url
        self.redis = connect(url)
        self.run = run
        self.run_id = int(run["id"])
        self.worker = worker
        self.heartbeat = heartbeat
        self.outbox_max = outbox_max
        self.down_deadline = down_deadline
        self.share_site = share_site
        self.grace = grace
        self.coordinators: dict[str, Coordinator] = {}
        self.pauses: set[str] = set()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.backoff = 1.0
        self.last_beat = 0.0
        self.fair_share = 1
        self.lost: str | None = None  # why the run cannot go on
        self.closed: str | None = None  # how the writer closed the run, if it did
        # Each site's end as this worker saw it (keys.done): the writer deletes that hash
        # when it closes the run, which may be before this worker writes its summary.
        self.done_sites: dict[str, str] = {}
        self.loop: task.LoopingCall | None = None
        self.tick_failed = False
        self._renew = self.redis.register_script(_RENEW)
        self._release = self.redis.register_script(_RELEASE)
        FRONTIERS[worker] = self

    # --- the worker's life ------------------------------------------------------------

    def register(self) -> None:
        self._beat_key()

    def _beat_key(self) -> None:
        self.redis.set(keys.heartbeat(self.worker), str(time.time()), ex=self._ttl())
        # Then back in keys.WORKERS (a peer drops a member without a heartbeat; a
        # stalled beat may have let one drop it there).
        self.redis.zadd(keys.WORKERS, {self.worker: time.time()})

    def _ttl(self) -> int:
        return max(1, round(self.heartbeat))

    def start(self) -> None:
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(min(TICK, self.heartbeat / 3), now=False)

    def stop(self) -> None:
        """The worker ends: its heartbeat goes at once (nothing of it is in flight)."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        FRONTIERS.pop(self.worker, None)
        if self.down_since is None and not self.lost:
            try:
                self.redis.delete(keys.heartbeat(self.worker))
                self.redis.zrem(keys.WORKERS, self.worker)
            except REDIS_DOWN:
                pass

    def run_is_open(self) -> bool:
        data = self.redis.get(keys.RUN)
        if data is None:
            return False
        try:
            return int(json.loads(data)["id"]) == self.run_id
        except (ValueError, KeyError, TypeError):
            return False

    # --- every tick ---------------------------------------------------------------------

    def tick(self) -> None:
        """Never raises: a LoopingCall whose call raised stops for good (no heartbeat,
        no lease renewal, no wake-ups while the crawl goes on)."""
        try:
            self._tick()
        except Exception:
            if not self.tick_failed:
                logger.exception("frontier tick failed (said once; the tick goes on)")
            self.tick_failed = True

    def _tick(self) -> None:
        if self.lost or self.closed:
            return
        now = time.monotonic()
        if self.down_since is not None:
            self._retry(now)
            return
        try:
            if now - self.last_beat >= self.heartbeat / 3:
                self.last_beat = now
                self.beat()
            if not self.lost and not self.pauses:
                for coordinator in list(self.coordinators.values()):
                    coordinator.tick()
        except REDIS_DOWN as error:
            self.connection_lost(error)

    def beat(self) -> None:
        if not self.run_is_open():
            if self._closed_by_writer():
                return
            self.end(
                f"run {self.run_id} is gone from Redis (restarted without persistence, "
                "or closed by the writer): stopping as interrupted"
            )
            return
        self._beat_key()
        self._outbox_pressure()
        self.fair_share = self._fair_share()
        for coordinator in list(self.coordinators.values()):
            coordinator.beat()

    def _fair_share(self) -> int:
        """How many sites one worker should hold: the run's open sites over the live
        workers (rounded up). Workers that stopped beating leave keys.WORKERS here."""
        members: list[Any] = list(self.redis.zrange(keys.WORKERS, 0, -1))
        workers = [_text(member) for member in members]
        pipe = self.redis.pipeline(transaction=False)
        for worker in workers:
            pipe.exists(keys.heartbeat(worker))
        alive = pipe.execute()
        dead = [worker for worker, beats in zip(workers, alive, strict=True) if not beats]
        if dead:
            self.redis.zrem(keys.WORKERS, *dead)
        done = {_text(site) for site in self.redis.hkeys(keys.done(self.run_id))}
        open_sites = len(set(self.run.get("sites") or {}) - done)
        live = max(1, len(workers) - len(dead))
        return max(1, -(-open_sites // live))

    def leases_held(self) -> int:
        return sum(coordinator.holds_lease for coordinator in self.coordinators.values())

    def handing_over(self) -> bool:
        return any(coordinator.yielding for coordinator in self.coordinators.values())

    def _outbox_pressure(self) -> None:
        self.outbox_waiting(int(self.redis.llen(keys.OUTBOX)))

    def outbox_waiting(self, waiting: int) -> None:
        """Pause above NEWSBOT_OUTBOX_MAX records waiting, crawl again below half of it.
        Each push reports the length it made (so a fast crawl stops at the bound, not a
        heartbeat later); the heartbeat reads it to resume."""
        if "outbox" not in self.pauses and waiting > self.outbox_max:
            logger.warning(
                "%d records wait for the writer (over NEWSBOT_OUTBOX_MAX %d): pausing until "
                "it drains them below %d",
                waiting,
                self.outbox_max,
                self.outbox_max // 2,
            )
            self.pause("outbox")
        elif "outbox" in self.pauses and waiting < self.outbox_max // 2:
            logger.info("%d records wait for the writer: crawling again", waiting)
            self.unpause("outbox")

    # --- pauses -------------------------------------------------------------------------

    def pause(self, reason: str) -> None:
        self.pauses.add(reason)
        for coordinator in self.coordinators.values():
            coordinator.pause()

    def unpause(self, reason: str) -> None:
        self.pauses.discard(reason)
        if not self.pauses:
            for coordinator in self.coordinators.values():
                coordinator.unpause()

    @property
    def paused(self) -> bool:
        return bool(self.pauses)

    # --- Redis down ---------------------------------------------------------------------

    def connection_lost(self, error: BaseException) -> None:
        """Said once per outage, by whoever met it first; the tick retries."""
        if self.down_since is not None or self.lost:
            return
        self.down_since = time.monotonic()
        self.backoff = 1.0
        self.retry_at = self.down_since + self.backoff
        logger.error(
            "Redis at %s unreachable or refusing commands (%s): crawling paused, "
            "retrying with backoff for up to %d s (NEWSBOT_REDIS_DOWN_DEADLINE)",
            redacted(self.url),
            error,
            self.down_deadline,
        )
        self.pause("redis")

    def _retry(self, now: float) -> None:
        assert self.down_since is not None
        if now - self.down_since > self.down_deadline:
            self.end(
                f"Redis unreachable for {self.down_deadline:.0f} s "
                "(NEWSBOT_REDIS_DOWN_DEADLINE): stopping as interrupted"
            )
            return
        if now < self.retry_at:
            return
        try:
            self.redis.ping()
            is_open = self.run_is_open()
        except REDIS_DOWN:
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
            self.retry_at = now + self.backoff
            return
        down_for = now - self.down_since
        if not is_open:
            self.down_since = None
            if self._closed_by_writer():
                return
            self.end(
                f"Redis is back after {down_for:.0f} s without run {self.run_id} "
                "(restarted without persistence?): stopping as interrupted"
            )
            return
        # Still "down" while catching up: what fails now stays here, said no more.
        try:
            self._beat_key()
            for coordinator in list(self.coordinators.values()):
                coordinator.flush()
            failed = any(coordinator._unsent() for coordinator in self.coordinators.values())
        except REDIS_DOWN:
            failed = True
        if failed:  # answering, but still refusing (OOM...): try again later
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
            self.retry_at = now + self.backoff
            return
        self.down_since = None
        logger.info("Redis is back after %.0f s: crawling again", down_for)
        self.unpause("redis")

    def _closed_by_writer(self) -> bool:
        """The writer closed the run (every site done, every record written) while this
        worker was still starting or waiting: its spiders close as the run did."""
        status = self.redis.get(keys.closed(self.run_id))
        if status is None:
            return False
        self.closed = _text(status)
        logger.info("run %s closed by the writer (%s)", self.run_id, self.closed)
        # Stopped (a signal, --max-time): the run did not end, nor does this worker's part.
        reason = "shutdown" if self.closed == INTERRUPTED else "finished"
        for coordinator in list(self.coordinators.values()):
            coordinator.close(reason)
        return True

    def end(self, line: str) -> None:
        """The run cannot go on here: one line, and every spider closes interrupted."""
        if self.lost:
            return
        self.lost = line
        logger.error("%s", line)
        for coordinator in list(self.coordinators.values()):
            coordinator.close(LOST)


# Set on each request a callback gives, to its parent's FRONTIER_ID, until it is queued.
PARENT = "frontier_parent"


class HandOn:
    """When a popped request's result is handed on: its callback's output read to the
    end, and each entry of it handed on: each request queued (or filtered, or dropped)
    and each item through the pipelines (record pushed, or dropped, or failed). Then
    its in-flight entry goes.

    Reading to the end is not enough: Scrapy's scraper reads a callback's output ahead
    of handling it (up to twice CONCURRENT_ITEMS entries wait in a queue), and a worker
    killed then would lose the requests still waiting there."""

    def __init__(self, coordinator: Coordinator):
        self.coordinator = coordinator
        self.pending: Counter[str] = Counter()
        self.reading: set[str] = set()

    def output_started(self, frontier_id: str) -> None:
        self.reading.add(frontier_id)

    def entry_started(self, frontier_id: str) -> None:
        self.pending[frontier_id] += 1

    def output_finished(self, frontier_id: str) -> None:
        self.reading.discard(frontier_id)
        self._maybe_ack(frontier_id)

    def entry_finished(self, frontier_id: str) -> None:
        # An errback's output does not pass spider middlewares: its one page item
        # counts down from nothing.
        self.pending[frontier_id] -= 1
        self._maybe_ack(frontier_id)

    def request_handled(self, request: Request) -> None:
        """A request a callback gave was queued, filtered or dropped."""
        parent = request.meta.pop(PARENT, None)
        if parent:
            self.entry_finished(parent)

    def _maybe_ack(self, frontier_id: str) -> None:
        if frontier_id not in self.reading and self.pending[frontier_id] <= 0:
            del self.pending[frontier_id]
            self.coordinator.ack(frontier_id)


def frontier_id(response: Response | Failure | None) -> str | None:
    request: Request | None = (
        response.request if isinstance(response, Response) else getattr(response, "request", None)
    )
    return request.meta.get(FRONTIER_ID) if request is not None else None


class Coordinator:
    """A site's crawler on the shared frontier (the EXTENSIONS entry of a worker)."""

    def __init__(self, crawler: Crawler, frontier: Frontier):
        self.crawler = crawler
        self.frontier = frontier
        self.site: str = crawler.spidercls.name
        self.scheduler: SiteScheduler | None = None
        self.outbox: SiteOutbox | None = None
        self.spider: Spider | None = None
        self.holds_lease = False
        # Holding more sites than its share: this one goes to another worker once
        # what is in flight here has landed (never two workers on a site at once).
        self.yielding = False
        self.idle_since: float | None = None
        self.sent_stats: dict[str, int] = {}
        self.closing = False
        self.hand_on = HandOn(self)
        frontier.coordinators[self.site] = self

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Coordinator:
        worker = crawler.settings.get("NEWSBOT_FRONTIER_WORKER")
        if not worker or worker not in FRONTIERS:
            raise NotConfigured("not a frontier worker")
        coordinator = cls(crawler, FRONTIERS[worker])
        crawler.signals.connect(coordinator.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(coordinator.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(coordinator.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(coordinator.item_done, signal=signals.item_scraped)
        crawler.signals.connect(coordinator.item_done, signal=signals.item_error)
        crawler.signals.connect(coordinator.request_dropped, signal=signals.request_dropped)
        return coordinator

    # --- what the scheduler asks ------------------------------------------------------

    def may_crawl(self) -> bool:
        return (
            (self.frontier.share_site or (self.holds_lease and not self.yielding))
            and not self.frontier.paused
            and not self.closing
        )

    @property
    def stopping(self) -> bool:
        """The worker is being stopped (a signal): the run goes on elsewhere."""
        return not self.crawler.crawling

    def ack(self, frontier_id: str) -> None:
        if self.scheduler is None or self.scheduler.queue is None:
            return
        if self.frontier.down_since is not None or (self.outbox and self.outbox.unsent):
            # A record of it may be only in this process's memory: left in flight
            # until what waits here reached Redis (acked then with the rest, at idle).
            return
        if self.stopping:
            # Downloads cut short by the stop end as failures here, but the run goes
            # on: left in flight, they go back to the queue for the other workers
            # once this worker's heartbeat is gone (at most a few fetched twice).
            return
        try:
            self.scheduler.queue.ack(frontier_id)
        except REDIS_DOWN as error:
            # Left in flight: acked with the rest when the engine is idle.
            self.frontier.connection_lost(error)

    def item_done(self, item: Any, response: Response | Failure, spider: Spider, **_: Any) -> None:
        key = frontier_id(response)
        if key:
            self.hand_on.entry_finished(key)

    def request_dropped(self, request: Request, spider: Spider) -> None:
        # Dropped before the scheduler saw it (the offsite filter); or after, refused
        # by it: then the scheduler already counted it (and took PARENT away).
        self.hand_on.request_handled(request)

    # --- signals ------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider  # (the lease is taken at the next beat, by fair share)
        if self.frontier.paused:
            self.pause()

    def spider_idle(self, spider: Spider) -> None:
        if self.frontier.lost:
            raise CloseSpider(LOST)
        if self.frontier.paused or self.closing:
            raise DontCloseSpider
        try:
            reason = self._done_reason()
            if reason:
                raise CloseSpider(reason)
            if self._unsent():
                raise DontCloseSpider
            assert self.scheduler is not None and self.scheduler.queue is not None
            # The engine is idle for the site: whatever this worker popped was handled
            # (ignored by robots.txt, replaced by a retry...), even if not acked one by one.
            self.scheduler.queue.ack_all()
            if self.yielding:
                self._release()
                logger.info(
                    "%s: handed to another worker (more sites than workers here)", self.site
                )
                raise DontCloseSpider
            if (
                not self.may_crawl()
                or self.scheduler.queue_length()
                or (self.scheduler.queue.any_in_flight())
            ):
                self.idle_since = None
                raise DontCloseSpider
            now = time.monotonic()
            if self.idle_since is None:
                self.idle_since = now
            if now - self.idle_since < self.frontier.grace:
                raise DontCloseSpider
            self.frontier.redis.hsetnx(keys.done(self.frontier.run_id), self.site, "finished")
            logger.info("%s: done across the cluster", self.site)
            # Another worker's reason if it marked the site first; the writer may have
            # deleted the marker already (it closes the run at once): then this one's.
            reason = self._done_reason() or "finished"
            self.frontier.done_sites[self.site] = reason
            raise CloseSpider(reason)
        except REDIS_DOWN as error:
            self.frontier.connection_lost(error)
            raise DontCloseSpider from None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.frontier.coordinators.pop(self.site, None)
        if self.frontier.down_since is not None or self.frontier.lost:
            return
        try:
            self.send_stats()
            if self.holds_lease:
                self._release()
        except REDIS_DOWN:
            logger.warning("%s: Redis unreachable at close: the last stats are lost", self.site)

    # --- the frontier's tick and beat ---------------------------------------------------

    def tick(self) -> None:
        """Close when done elsewhere; wake an engine that others' work or the end of the
        site concerns (Scrapy's own poll of an idle scheduler is every 5 s)."""
        if self.spider is None or self.closing:
            return
        reason = self._done_reason()
        if reason:
            self.close(reason)
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def beat(self) -> None:
        if self.spider is None or self.closing:
            return
        self._lease()
        self.send_stats()
        if self.scheduler is not None and self.scheduler.queue is not None:
            self.scheduler.queue.requeue_dead()

    def _release(self) -> None:
        self.frontier._release(keys=[keys.lease(self.site)], args=[self.frontier.worker])
        self.holds_lease = False
        self.yielding = False

    def _lease(self) -> None:
        if self.frontier.share_site or self._done_reason():
            return
        frontier = self.frontier
        if not self.holds_lease and frontier.leases_held() >= frontier.fair_share:
            return  # enough sites here; another worker takes this one
        if (
            self.holds_lease
            and not self.yielding
            and frontier.leases_held() > frontier.fair_share
            and not frontier.handing_over()
        ):
            self.yielding = True
            logger.info(
                "%s: %d sites here, %d each would be fair: handing this one over",
                self.site,
                frontier.leases_held(),
                frontier.fair_share,
            )
        held = bool(
            self.frontier._renew(
                keys=[keys.lease(self.site)],
                args=[self.frontier.worker, self.frontier._ttl()],
            )
        )
        if held and not self.holds_lease:
            logger.info("%s: this worker crawls the site now (lease taken)", self.site)
        elif self.holds_lease and not held:
            logger.warning("%s: lease lost to another worker", self.site)
        self.holds_lease = held
        self.yielding = self.yielding and held

    def _done_reason(self) -> str | None:
        value = self.frontier.redis.hget(keys.done(self.frontier.run_id), self.site)
        if value is None:
            return None
        reason = _text(value)
        self.frontier.done_sites[self.site] = reason
        return reason

    def _unsent(self) -> bool:
        return bool(
            (self.scheduler is not None and self.scheduler.unsent)
            or (self.outbox is not None and self.outbox.unsent)
        )

    def send_stats(self) -> None:
        """The numeric stats that changed since the last beat, as this worker's totals
        (summed over workers in keys.stats(run_id, site) by `report_stats`); the cursor
        as is."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        changed = {
            name: value
            for name, value in stats.items()
            if isinstance(value, int)
            and not isinstance(value, bool)
            and value != self.sent_stats.get(name, 0)
        }
        cursor = stats.get("newsbot/cursor_url")
        if not changed and not cursor:
            return
        pipe = self.frontier.redis.pipeline(transaction=False)
        if changed:
            report_stats(pipe, self.frontier.run_id, self.site, self.frontier.worker, changed)
        if cursor:
            pipe.hset(keys.stats(self.frontier.run_id, self.site), "newsbot/cursor_url", cursor)
        pipe.execute()
        self.sent_stats.update(changed)

    def flush(self) -> None:
        """Redis is back: what was kept while it was away goes out."""
        # The records first: the scheduler's flush hands parents on (acks them).
        if self.outbox is not None:
            self.outbox.flush_unsent()
        if self.scheduler is not None:
            self.scheduler.flush_unsent()

    # --- the engine ---------------------------------------------------------------------

    def pause(self) -> None:
        engine = self.crawler.engine
        if engine is not None:
            engine.pause()

    def unpause(self) -> None:
        engine = self.crawler.engine
        if engine is not None:
            engine.unpause()
            slot = getattr(engine, "_slot", None)
            if slot is not None and slot.closing is None:
                slot.nextcall.schedule()

    def close(self, reason: str) -> None:
        if self.closing or self.crawler.engine is None:
            return
        self.closing = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))
