"""`newsbot ingest`: the one writer of a distributed crawl. It opens the run (the crawl
lock, the run row, the histories and the run published in Redis), drains the records
the workers send into the database (drain.py), and closes the run when it is over
cluster-wide, with the same health verdict, site state, summary and exit code as a
single-process `newsbot crawl` (newsbot/run/runner.py: `site_run`, `close_run`).

The run is over when every site of it is marked done (`keys.done`) and no record waits
in the outbox or in the writer's batch. It ends "interrupted" instead when the writer is
stopped (a signal, --max-time: the run is withdrawn and what the workers sent is still
written), when the run vanishes from Redis (restarted without persistence), or when
Redis stays unreachable past NEWSBOT_REDIS_DOWN_DEADLINE.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import redis

from newsbot.frontier import keys
from newsbot.frontier.drain import BATCH, Drain
from newsbot.frontier.publish import (
    CLOSED_TTL,
    RunSpec,
    clear_run,
    connect,
    current_run,
    drop_stale_requests,
    publish_run,
    shown,
    withdraw_run,
)
from newsbot.run.health import HealthLimits
from newsbot.run.lock import crawl_lock
from newsbot.run.progress import TerminalLine
from newsbot.run.runner import (
    CaughtSignals,
    CrawlReport,
    close_run,
    crawl_settings,
    rotating_log,
    site_run,
)
from newsbot.sites.config import SiteConfig
from pipelines.store import SiteRun, Store, disk_full_as_store_error
from pipelines.writer import write_site_end

logger = logging.getLogger(__name__)

# How long the writer waits for an unreachable Redis before the run ends interrupted.
DEFAULT_REDIS_DOWN_DEADLINE = 300.0
# How long a stopped writer waits for the workers' last records once the run is withdrawn.
STOP_GRACE = 30.0


class FrontierError(Exception):
    """The frontier cannot serve this writer (unreachable at the start, or busy with a
    run this database does not own): one line, exit 2."""


def redis_down_deadline() -> float:
    try:
        return float(os.environ.get("NEWSBOT_REDIS_DOWN_DEADLINE", DEFAULT_REDIS_DOWN_DEADLINE))
    except ValueError:
        return DEFAULT_REDIS_DOWN_DEADLINE


def decoded_stats(raw: Mapping[bytes, bytes]) -> dict[str, Any]:
    """A stats hash as Scrapy's stats: numbers as numbers, the rest as text."""
    stats: dict[str, Any] = {}
    for name, value in raw.items():
        text = value.decode("utf-8", "replace")
        number: Any = text
        with contextlib.suppress(ValueError):
            number = float(text)
            number = int(number) if number.is_integer() and "." not in text else number
        stats[name.decode("utf-8", "replace")] = number
    return stats


class Signals(CaughtSignals):
    """SIGTERM and SIGINT: the first stops the run (withdrawn from the workers, their
    last records written, recorded as interrupted), a second stops waiting for them."""


@dataclass
class Frontier:
    """What the writer last saw of the run in Redis."""

    done: dict[str, str] = field(default_factory=dict)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: int = 0
    processing: int = 0
    workers: int = 0
    run_present: bool = True


def look(client: redis.Redis, run_id: int, sites: Sequence[str]) -> Frontier:
    pipe = client.pipeline(transaction=False)
    pipe.get(keys.RUN)
    pipe.hgetall(keys.done(run_id))
    pipe.llen(keys.OUTBOX)
    pipe.llen(keys.PROCESSING)
    pipe.zrange(keys.WORKERS, 0, -1)
    for site in sites:
        pipe.hgetall(keys.stats(run_id, site))
    run, done, outbox, processing, workers, *stats = pipe.execute()
    # EXISTS of several keys counts those that exist: the workers whose heartbeat lives.
    alive = int(client.exists(*(keys.heartbeat(w.decode()) for w in workers))) if workers else 0
    present = run is not None and RunSpec.parse(run).run_id == run_id
    return Frontier(
        done={k.decode(): v.decode() for k, v in done.items()},
        stats={site: decoded_stats(raw) for site, raw in zip(sites, stats, strict=True)},
        outbox=int(outbox),
        processing=int(processing),
        workers=alive,
        run_present=present,
    )


class IngestProgress(TerminalLine):
    def line(self, run_id: int, drain: Drain, seen: Frontier, sites: int) -> str:
        return (
            f"run {run_id}: {drain.written:,} records written, {seen.outbox:,} waiting, "
            f"{seen.workers} worker{'' if seen.workers == 1 else 's'} alive, "
            f"{len(seen.done)}/{sites} sites done"
        )


@dataclass
class Ingested:
    """The run as `newsbot crawl` reports it, and, when the frontier was lost under it,
    the one line that says so."""

    report: CrawlReport
    lost: str | None = None


@dataclass
class Ending:
    """Why the drain loop ended: None (the run is over cluster-wide), or the reason every
    unfinished site's crawl closed with and, for a lost frontier, the line that says so."""

    reason: str | None = None
    lost: str | None = None


def not_crawled(config: SiteConfig) -> str | None:
    """Why frontier workers do not crawl a site: its config says it cannot be crawled, or
    it needs a browser (a rendered request's page methods do not travel as JSON)."""
    if config.unsupported:
        return config.unsupported
    if config.needs_browser:
        return "its pages need a browser (render), which frontier workers do not drive"
    return None


def open_run(
    client: redis.Redis,
    store: Store,
    configs: Sequence[SiteConfig],
    since: datetime | None,
    limit: int | None,
    refresh: bool,
    url: str,
    db_path: str,
) -> RunSpec:
    """The run this writer drains: the one Redis holds, when it is this database's
    running run (a writer restarted), or a new one, published."""
    try:
        spec = current_run(client)
    except redis.RedisError as error:
        raise FrontierError(f"cannot read the run on {shown(url)}: {error}") from None
    if spec is not None:
        if store.adopt_run(spec.run_id):
            logger.info("resuming run %s from %s", spec.run_id, shown(url))
            return spec
        raise FrontierError(
            f"{shown(url)} holds run {spec.run_id}, which is not running in {db_path}: "
            f"another writer's, or left behind; let it end, or delete the key {keys.RUN}"
        )
    now = datetime.now(UTC)
    run_id = store.start_run([c.slug for c in configs], now)
    try:
        # No run is open: every queued or in-flight request is an earlier run's.
        dropped = drop_stale_requests(client)
        if dropped:
            logger.warning(
                "%d requests an earlier run left queued or in flight were dropped", dropped
            )
        # A site that cannot be crawled here is recorded as such at the end (`_close`).
        crawled = [config for config in configs if not not_crawled(config)]
        histories = {config.slug: store.fetch_history(config.slug) for config in crawled}
        spec = RunSpec.of(run_id, crawled, since, limit, refresh, now)
        publish_run(client, spec, histories)
    except redis.RedisError as error:
        # The run row is not left "running" for a run no worker will ever see.
        store.finish_run(run_id, "failed", [], datetime.now(UTC), note=f"frontier: {error}")
        with contextlib.suppress(redis.RedisError):
            withdraw_run(client, run_id)
        raise FrontierError(f"cannot open the run on {shown(url)}: {error}") from None
    logger.info("run %s opened on %s: %s", run_id, shown(url), ", ".join(spec.sites))
    return spec


def run_ingest(
    url: str,
    configs: Sequence[SiteConfig],
    db_path: str,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    refresh: bool = False,
    limits: HealthLimits | None = None,
    max_time: float | None = None,
    log_file: str | None = None,
    progress_stream: TextIO | None = None,
    batch: int = BATCH,
    poll: float = 0.5,
) -> Ingested:
    """Open (or resume) a run on the frontier at `url`, write what the workers send, and
    close it. Raises CrawlLocked, FrontierError, DiskFull."""
    client = connect(url)
    with Signals() as stop, crawl_lock(db_path), disk_full_as_store_error(db_path):
        try:
            client.ping()
        except redis.RedisError as error:
            raise FrontierError(f"cannot reach the frontier at {shown(url)}: {error}") from None
        with _logging_to(log_file, db_path), contextlib.closing(Store.open(db_path)) as store:
            spec = open_run(client, store, configs, since, limit, refresh, url, db_path)
            drain = Drain(client, store, spec.run_id, db_path, batch)
            return _ingest(
                client,
                store,
                drain,
                spec,
                configs,
                url=url,
                db_path=db_path,
                limits=limits or HealthLimits(),
                max_time=max_time,
                stop=stop,
                progress=IngestProgress(progress_stream or sys.stderr),
                poll=poll,
            )


@contextlib.contextmanager
def _logging_to(log_file: str | None, db_path: str) -> Iterator[None]:
    """The crawl log (as `newsbot crawl` writes it), for the writer's lines."""
    if not log_file:
        yield
        return
    handler = rotating_log(log_file, crawl_settings(db_path, 0, {}))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()


def _ingest(
    client: redis.Redis,
    store: Store,
    drain: Drain,
    spec: RunSpec,
    configs: Sequence[SiteConfig],
    *,
    url: str,
    db_path: str,
    limits: HealthLimits,
    max_time: float | None,
    stop: Signals,
    progress: IngestProgress,
    poll: float,
) -> Ingested:
    run_id, sites = spec.run_id, list(spec.sites)
    seen = Frontier()
    ending = Ending()
    started = time.monotonic()
    down_since: float | None = None
    withdrawn_at: float | None = None
    deadline = redis_down_deadline()
    replay = True
    last_look = 0.0
    while True:
        now = time.monotonic()
        try:
            if replay:
                drain.replay()
                replay = False
            if withdrawn_at is None and (stop.received or (max_time and now - started >= max_time)):
                ending.reason = "shutdown" if stop.received else "closespider_timeout"
                logger.info(
                    "run %s stopped (%s): withdrawn from the workers", run_id, ending.reason
                )
                # Workers that find the run gone read why: stopped by its writer.
                client.set(keys.closed(run_id), "interrupted", ex=CLOSED_TTL)
                withdraw_run(client, run_id)
                withdrawn_at = now
            moved = drain.take()
            if down_since is not None:
                logger.info("the frontier at %s answers again", shown(url))
                down_since = None
            if moved and now - last_look < 1.0:
                continue
            latest = look(client, run_id, sites)
            last_look = now
            progress.show(progress.line(run_id, drain, latest, len(sites)))
            if withdrawn_at is None and not latest.run_present:
                # The stats seen last while the run was there are what the run keeps.
                ending = Ending("shutdown", f"run {run_id} vanished from {shown(url)} "
                                            "(Redis restarted without persistence?)")  # fmt: skip
                break
            seen = latest
            waiting = seen.outbox or seen.processing
            if withdrawn_at is not None:
                grace_over = now - withdrawn_at >= STOP_GRACE or len(stop.received) > 1
                if grace_over or (not waiting and not seen.workers):
                    break
            elif not waiting and all(site in seen.done for site in sites):
                break
            if not moved:
                time.sleep(poll)
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as error:
            # Unreachable, or answering with an error (out of memory under `noeviction`,
            # a lost ACL permission): waited out like a network cut, then interrupted.
            unreachable = not isinstance(error, redis.ResponseError)
            if down_since is None:
                down_since = now
                logger.warning(
                    "the frontier at %s %s (%s); waiting up to %.0f s",
                    shown(url),
                    "is unreachable" if unreachable else "refuses the writer's commands",
                    error,
                    deadline,
                )
            elif now - down_since >= deadline or stop.received:
                what = "was unreachable" if unreachable else f"refused the writer ({error})"
                ending = Ending("shutdown", f"the frontier at {shown(url)} {what} "
                                            f"for {now - down_since:.0f} s")  # fmt: skip
                break
            # A batch may have been moved without its answer reaching us: replay it.
            replay = True
            time.sleep(min(2.0, poll * 2))
    progress.done()
    report = _close(store, spec, configs, drain, seen, ending, db_path, limits)
    if ending.lost is None:
        with contextlib.suppress(redis.RedisError):
            clear_run(client, run_id, sites, report.status)
    return Ingested(report, ending.lost)


def _close(
    store: Store,
    spec: RunSpec,
    configs: Sequence[SiteConfig],
    drain: Drain,
    seen: Frontier,
    ending: Ending,
    db_path: str,
    limits: HealthLimits,
) -> CrawlReport:
    """The run's end, as a single-process crawl records it: each site's state and run,
    judged, the run row, the summary."""
    run_id = spec.run_id
    now = datetime.now(UTC)
    stopped = ending.reason is not None
    all_stats: dict[str, dict[str, Any]] = {}
    results: list[SiteRun] = []
    for site in spec.sites:
        stats = dict(seen.stats.get(site, {}))
        reason = seen.done.get(site) or ending.reason or "shutdown"
        stats["finish_reason"] = reason
        for outcome, count in drain.outcomes(site).items():
            stats[f"newsbot/articles/{outcome}"] = count
        if "newsbot/cursor_url" not in stats:
            # Stats lost with Redis: the site carries on from where its last run stopped.
            previous = store.site_state(site)
            if previous and previous.get("cursor_url"):
                stats["newsbot/cursor_url"] = previous["cursor_url"]
        write_site_end(store, site, run_id, stats, reason, now)
        all_stats[site] = stats
        results.append(site_run(store, run_id, site, stats, stopped))
    # Sites the workers cannot crawl were not published.
    for config in configs:
        why = not_crawled(config)
        if config.slug not in spec.sites and why:
            results.append(SiteRun(run_id, config.slug, status="unsupported", reason=why))
    if drain.bad:
        logger.warning("%d records set aside in %s", drain.bad, keys.DEAD_LETTERS)
    return close_run(
        store, run_id, results, all_stats, limits, db_path=db_path, stopped=stopped,
        note=ending.lost,
    )  # fmt: skip
