"""The site's shared request queue, reliable: a popped request is not gone from Redis
until its result is handed on.

scrapy-redis's PriorityQueue pops by ZRANGE + ZREMRANGEBYRANK: a worker killed after
popping (the engine pops up to CONCURRENT_REQUESTS at once) loses those requests, and the
dupefilter keeps anyone else from finding them again. Here one Lua script moves the
request from the site's sorted set into the worker's in-flight hash (keys.inflight),
atomically; `ack` removes it once its page record is in the outbox (or it was dropped,
ignored, failed, or replaced by a redirect or retry now in the queue), and a live
worker puts back (`requeue_dead`) the in-flight requests of a worker whose heartbeat
key expired. Delivery is at least once; the writer is idempotent by URL.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.queue import PriorityQueue

from newsbot.frontier import keys

logger = logging.getLogger(__name__)

# The request's id in meta: the SHA-1 of its queued bytes, the field of the in-flight hash.
FRONTIER_ID = "frontier_id"

# KEYS: queue, in-flight hash. The in-flight value keeps the score: "<score>|<request>".
_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
redis.call('HSET', KEYS[2], redis.sha1hex(popped[1]), popped[2] .. '|' .. popped[1])
return popped[1]
"""

# KEYS: the run's seen set, queue; ARGV: URL key ('' for a request not filtered), score,
# request, the seen set's TTL. Filter and push in one step: a worker killed between the
# two would leave a URL seen that no one will fetch.
_PUSH = """
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
  if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: in-flight hash, queue, the owner's heartbeat. Nothing moves while it beats.
_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local entries = redis.call('HVALS', KEYS[1])
for _, entry in ipairs(entries) do
  local bar = string.find(entry, '|', 1, true)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(entry, 1, bar - 1)), string.sub(entry, bar + 1))
end
redis.call('DEL', KEYS[1])
return #entries
"""


def request_id(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue (one sorted set per site: keys.queue), with an
    in-flight hash per worker (keys.inflight)."""

    def __init__(
        self,
        server: Any,
        spider: Spider,
        key: str,
        serializer: Any = None,
        worker: str = "",
    ):
        super().__init__(server, spider, key, serializer)
        if not worker:
            raise ValueError("a reliable queue belongs to a worker")
        self.worker = worker
        self.inflight_key = keys.inflight(spider.name, worker)
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._push = server.register_script(_PUSH)
        self.refused = 0

    def pop(self, timeout: int = 0) -> Request | None:
        while True:
            data = self._pop(keys=[self.key, self.inflight_key])
            if not data:
                return None
            try:
                request: Request = self._decode_request(data)
            except Exception as error:
                # Not ours (a pickle, another program's data): never executed, dropped
                # with one line each, and the next request tried.
                self.refused += 1
                logger.error(
                    "%s: refused an entry of %s that is not a newsbot request (%s)",
                    self.spider.name,
                    self.key,
                    error,
                )
                self.ack(request_id(data))
                continue
            request.meta[FRONTIER_ID] = request_id(data)
            return request

    def push_unseen(self, request: Request, seen_key: str, url_key: str, ttl: int) -> bool:
        """Queue `request` unless its URL key is in the run's seen set (no key: always);
        whether it was queued."""
        data = self._encode_request(request)
        pushed = self._push(keys=[seen_key, self.key], args=[url_key, -request.priority, data, ttl])
        return bool(pushed)

    def ack(self, frontier_id: str) -> None:
        self.server.hdel(self.inflight_key, frontier_id)

    def ack_all(self) -> None:
        """Everything this worker popped for the site was handled (its engine is idle)."""
        self.server.delete(self.inflight_key)

    def in_flight(self) -> int:
        return int(self.server.hlen(self.inflight_key))

    def requeue_dead(self) -> int:
        """Put back the in-flight requests of this site's workers whose heartbeat
        stopped; how many went back."""
        moved = 0
        prefix = keys.inflight(self.spider.name, "")
        for key in self.server.scan_iter(match=keys.inflight_pattern(self.spider.name)):
            name = key.decode() if isinstance(key, bytes) else key
            worker = name[len(prefix) :]
            if worker == self.worker:
                continue
            count = int(self._requeue(keys=[name, self.key, keys.heartbeat(worker)]))
            if count > 0:
                logger.info(
                    "%s: %d requests of the stopped worker %s back in the queue",
                    self.spider.name,
                    count,
                    worker,
                )
                moved += count
        return moved

    def any_in_flight(self) -> bool:
        """Whether any worker holds requests of the site not handed on yet."""
        return any(
            True for _ in self.server.scan_iter(match=keys.inflight_pattern(self.spider.name))
        )
