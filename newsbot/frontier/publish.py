"""The writer's side of a run's opening and end in Redis: what workers need before they
crawl (each site's fetch history and resume cursor, then the run itself), and the
run-scoped keys cleared once the run is recorded.

The history travels as the contract says (DIST-CONTRACT, `keys.history`): a hash of URL
key to the JSON list of a PastFetch's fields, in order, request and final URL both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from newsbot.frontier import keys
from newsbot.sites.config import SiteConfig
from pipelines.store import PastFetch, SqliteHistory

# HSET fields sent per round trip: a site with a million known URLs goes in pieces.
HISTORY_CHUNK = 5000


def connect(url: str, timeout: float = 5.0) -> redis.Redis:
    """A client for the frontier at `url` (redis://[user:password@]host:port/db)."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
    )


def shown(url: str) -> str:
    """The frontier's URL without its password, for messages and logs."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, sep, credentials = head.rpartition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user + ':***' if user else '***'}@{tail}"


def past_fetch_value(past: PastFetch) -> str:
    return json.dumps(
        [past.status, past.fetched_at.isoformat(), past.hint_date, past.kind,
         past.published_at_utc],
        separators=(",", ":"),
    )  # fmt: skip


def _chunks(items: Iterator[tuple[str, PastFetch]]) -> Iterator[dict[str, str]]:
    chunk: dict[str, str] = {}
    for url, past in items:
        chunk[url] = past_fetch_value(past)
        if len(chunk) >= HISTORY_CHUNK:
            yield chunk
            chunk = {}
    if chunk:
        yield chunk


def _config_text(config: SiteConfig) -> str:
    if config.path is None:
        raise ValueError(f"{config.slug}: a config without its file cannot be sent to workers")
    return Path(config.path).read_text(encoding="utf-8")


@dataclass(frozen=True)
class RunSpec:
    """What `keys.RUN` holds: the run's id, each site's config (as TOML text, so every
    worker crawls with the writer's config, bundled or from --site-file) and options."""

    run_id: int
    sites: dict[str, str]
    since: str | None
    limit: int | None
    refresh: bool
    opened_at: str

    @classmethod
    def of(
        cls,
        run_id: int,
        configs: Iterable[SiteConfig],
        since: datetime | None,
        limit: int | None,
        refresh: bool,
        opened_at: datetime,
    ) -> RunSpec:
        return cls(
            run_id,
            {config.slug: _config_text(config) for config in configs},
            since.isoformat() if since else None,
            limit,
            refresh,
            opened_at.isoformat(),
        )

    def json(self) -> str:
        return json.dumps(
            {
                "id": self.run_id,
                "sites": self.sites,
                "since": self.since,
                "limit": self.limit,
                "refresh": self.refresh,
                "opened_at": self.opened_at,
            },
            ensure_ascii=False,
        )

    @classmethod
    def parse(cls, text: bytes | str) -> RunSpec:
        value: Mapping[str, Any] = json.loads(text)
        return cls(
            int(value["id"]),
            dict(value["sites"]),
            value.get("since"),
            value.get("limit"),
            bool(value.get("refresh")),
            str(value.get("opened_at") or ""),
        )


def current_run(client: redis.Redis) -> RunSpec | None:
    raw = client.get(keys.RUN)
    return RunSpec.parse(raw) if raw is not None else None


def publish_history(client: redis.Redis, site: str, history: SqliteHistory) -> None:
    """The site's fetch history and how its last run ended, replacing what an earlier
    run published."""
    client.delete(keys.history(site), keys.site_state(site))
    for chunk in _chunks(history.items()):
        client.hset(keys.history(site), mapping=chunk)  # type: ignore[arg-type]
    state = {
        name: value
        for name, value in (
            ("last_status", history.last_status),
            ("cursor_url", history.cursor_url),
        )
        if value is not None
    }
    if state:
        client.hset(keys.site_state(site), mapping=state)  # type: ignore[arg-type]


def queue_length(client: redis.Redis, key: str) -> int:
    """scrapy-redis keeps a priority queue as a sorted set (FIFO and LIFO as lists)."""
    kind = client.type(key)
    if kind == b"zset":
        return int(client.zcard(key))
    if kind == b"list":
        return int(client.llen(key))
    return 0


def drop_stale_requests(client: redis.Redis) -> int:
    """Before a new run opens, the request queues and in-flight entries an earlier run
    left (interrupted, its writer stopped): their requests skipped this run's history
    and seen set, so the new run would fetch stored articles again. Returns how many
    requests were dropped."""
    dropped = 0
    doomed = []
    for key in client.scan_iter(match=keys.queue("*"), count=1000):
        dropped += queue_length(client, key)
        doomed.append(key)
    for key in client.scan_iter(match=keys.inflight_pattern("*"), count=1000):
        dropped += int(client.hlen(key))
        doomed.append(key)
    for start in range(0, len(doomed), 500):
        client.delete(*doomed[start : start + 500])
    return dropped


def publish_run(client: redis.Redis, spec: RunSpec, histories: Mapping[str, SqliteHistory]) -> None:
    """Open the run for the workers: histories first, so a worker that sees the run can
    read them."""
    for site, history in histories.items():
        publish_history(client, site, history)
    client.set(keys.RUN, spec.json())


# Deletes keys.RUN only while it still names this run: a next run's is not touched.
_DELETE_IF_RUN = """
local raw = redis.call('GET', KEYS[1])
if raw and cjson.decode(raw)['id'] == tonumber(ARGV[1]) then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def withdraw_run(client: redis.Redis, run_id: int) -> None:
    """Take the run away from the workers (they stop and exit)."""
    client.eval(_DELETE_IF_RUN, 1, keys.RUN, run_id)


# How long a closed run's status stays for workers that look for the run late.
CLOSED_TTL = 24 * 3600


def clear_run(client: redis.Redis, run_id: int, sites: Iterable[str], status: str) -> None:
    """Everything the run left in Redis once it is recorded (its `status`): the run, its
    stats, done markers, budgets and dupefilters, and the histories published for it (the
    next run publishes them again, from the database). How it ended stays a day
    (`keys.closed`), so a worker that finds the run gone can tell a closed run from a
    lost frontier."""
    client.set(keys.closed(run_id), status, ex=CLOSED_TTL)
    withdraw_run(client, run_id)
    doomed = list(client.scan_iter(match=keys.run_keys_pattern(run_id), count=1000))
    for site in sites:
        doomed += [keys.seen(site, run_id), keys.history(site), keys.site_state(site)]
    for start in range(0, len(doomed), 500):
        client.delete(*doomed[start : start + 500])
