"""The one way a worker talks to Redis: a client that fails fast instead of retrying
inside a call, because every call runs on the crawl's reactor thread (a call stuck in
retries stalls every download) and the coordinator has its own backoff for Redis down."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

# Seconds; loopback or a private network answers in a millisecond.
SOCKET_TIMEOUT = 5.0
CONNECT_TIMEOUT = 2.0


def connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=CONNECT_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


def redacted(url: str) -> str:
    """The URL without its password, for the log."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("redis", url)
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
