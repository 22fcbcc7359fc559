"""A crawl worker on the shared frontier (`newsbot crawl --frontier URL`): the run's
sites (the writer opened it: keys.RUN) with newsbot's spider, downloader and extraction
pool, Scrapy's engine fed by the shared queue, and the page records sent to the outbox
instead of a database. No SQLite, no crawl lock, no run row: those are the writer's.

The worker ends when each of its sites is done across the cluster (exit 0), or when the
run is lost (Redis restarted empty, or away past its deadline) or it is stopped (a
signal): its sites are then interrupted (exit 1), and what it had in flight goes back
to the queue for the others.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import redis
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from newsbot.crawling.spider import NewsSpider
from newsbot.crawling.spiderloader import spider_for
from newsbot.frontier import keys
from newsbot.frontier.connection import connect, redacted
from newsbot.frontier.coordinator import INTERRUPTED, REDIS_DOWN, Frontier
from newsbot.run.runner import StopSignals, crawl_stats
from newsbot.sites.config import SiteConfig, parse_config

logger = logging.getLogger(__name__)

EXIT_DONE = 0
EXIT_INTERRUPTED = 1


class NoRun(Exception):
    """No run to work on (none opened in time, or none with the sites asked for)."""


class FrontierUnavailable(Exception):
    """Redis failed the worker's start (its registration, a site's history): one line."""


@dataclass
class WorkerReport:
    worker: str
    run_id: int
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    lost: str | None = None
    closed: str | None = None  # the writer closed the run: its status
    stopped: bool = False

    @property
    def done(self) -> bool:
        if self.lost or self.stopped:
            return False
        if self.closed == INTERRUPTED:
            return False
        return bool(self.closed) or all(site["done"] for site in self.sites.values())

    @property
    def exit_code(self) -> int:
        return EXIT_DONE if self.done else EXIT_INTERRUPTED

    def summary(self) -> str:
        lines = [
            f"worker {self.worker}, run {self.run_id}: {'done' if self.done else 'interrupted'}"
        ]
        lines.append(f"{'site':<22}{'pages':>7}{'records':>9}  end")
        for slug, site in self.sites.items():
            lines.append(
                f"{slug:<22}{site['pages']:>7}{site['records']:>9}  "
                f"{site['done'] or site['reason'] or 'not started'}"
            )
        if self.lost:
            lines.append(self.lost)
        elif self.closed:
            lines.append(f"run {self.run_id} closed by the writer ({self.closed})")
        return "\n".join(lines)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


def wait_for_run(url: str, wait: float, poll: float = 1.0) -> dict[str, Any]:
    """The open run (keys.RUN), waiting up to `wait` seconds for the writer to open it."""
    client = connect(url)
    deadline = time.monotonic() + wait
    said = ""
    try:
        while True:
            try:
                data = client.get(keys.RUN)
                problem = "" if data else "no run is open yet (newsbot ingest opens it)"
            except REDIS_DOWN as error:
                data, problem = None, f"Redis unreachable ({error})"
            if data:
                run: dict[str, Any] = json.loads(data)
                return run
            if problem != said:
                # Before the crawl's logging is set up: straight to stderr, once a state.
                print(
                    f"newsbot: {problem} at {redacted(url)}: waiting up to {wait:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                said = problem
            if time.monotonic() + poll > deadline:
                raise NoRun(f"{problem} at {redacted(url)}; waited {wait:.0f} s")
            time.sleep(poll)
    finally:
        client.close()


def run_configs(run: dict[str, Any], slugs: Sequence[str]) -> list[SiteConfig]:
    """The run's site configs (from the TOML text the writer sent: every worker crawls
    the same config), those of `slugs` if any are named."""
    sites: dict[str, str] = run.get("sites") or {}
    unknown = [slug for slug in slugs if slug not in sites]
    if unknown:
        raise NoRun(f"run {run['id']} has no site {', '.join(unknown)} (it has {', '.join(sites)})")
    return [
        parse_config(tomllib.loads(text), f"<run {run['id']}>/{slug}.toml")
        for slug, text in sites.items()
        if not slugs or slug in slugs
    ]


def frontier_settings(url: str, frontier: Frontier, overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.crawling.settings", priority="project")
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines.pop("pipelines.scrapy.store.StorePipeline", None)
    pipelines["newsbot.frontier.outbox.OutboxPipeline"] = 300
    extensions = {**settings.getdict("EXTENSIONS"), "newsbot.frontier.coordinator.Coordinator": 10}
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    if frontier.share_site:
        # last before the download: the token is taken right before the request goes
        downloader["newsbot.frontier.throttle.SharedSlotMiddleware"] = 950
    for key, value in {
        "NEWSBOT_FRONTIER_URL": url,
        "NEWSBOT_FRONTIER_WORKER": frontier.worker,
        "NEWSBOT_RUN_ID": frontier.run_id,
        "NEWSBOT_FETCH_HISTORY": "newsbot.frontier.history.redis_history",
        "NEWSBOT_BUDGETS": "newsbot.frontier.budgets.shared_budgets",
        "SCHEDULER": "newsbot.frontier.scheduler.FrontierScheduler",
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": pipelines,
        "EXTENSIONS": extensions,
        "SPIDER_MIDDLEWARES": {"newsbot.frontier.outbox.HandOnMiddleware": 1},
        "DOWNLOADER_MIDDLEWARES": downloader,
        **overrides,
    }.items():
        settings.set(key, value, priority="cmdline")
    return settings


def frontier_spider(config: SiteConfig, settings: Settings, share_site: bool) -> type[NewsSpider]:
    spider = spider_for(config)
    if not share_site:
        return spider
    custom = dict(spider.custom_settings or {})
    delay = custom.get("DOWNLOAD_DELAY", settings.getfloat("DOWNLOAD_DELAY"))
    # The shared token is the delay (throttle.py); a local one on top would let a
    # request wait here after taking it, and AutoThrottle would change it per worker.
    custom.update(
        NEWSBOT_SHARED_DELAY=delay,
        # Requests popped wait here for the token: a worker holding many starves the
        # others of work (and a killed one leaves them all to be fetched again).
        CONCURRENT_REQUESTS=2,
        DOWNLOAD_DELAY=0,
        DOWNLOAD_DELAY_JITTER=0,
        AUTOTHROTTLE_ENABLED=False,
    )
    return type(spider.__name__, (spider,), {"custom_settings": custom})


def _redis_failure(failure: Failure, refused: list[Failure]) -> Failure | None:
    """A crawl that failed to start for Redis is kept (said as one line); others go on."""
    if failure.check(redis.RedisError):
        refused.append(failure)
        return None
    return failure


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _setting(name: str, settings: Settings) -> float:
    return float(os.environ.get(name) or settings.getfloat(name))


def run_worker(
    url: str,
    slugs: Sequence[str] = (),
    *,
    share_site: bool = False,
    wait: float = 600.0,
    settings_overrides: dict[str, Any] | None = None,
    stream: TextIO = sys.stdout,
) -> WorkerReport:
    run = wait_for_run(url, wait)
    configs = run_configs(run, slugs)
    base = Settings()
    base.setmodule("newsbot.crawling.settings", priority="project")
    frontier = Frontier(
        url,
        run,
        worker_id(),
        heartbeat=_setting("NEWSBOT_FRONTIER_HEARTBEAT", base),
        outbox_max=int(_setting("NEWSBOT_OUTBOX_MAX", base)),
        down_deadline=_setting("NEWSBOT_REDIS_DOWN_DEADLINE", base),
        share_site=share_site,
    )
    settings = frontier_settings(url, frontier, dict(settings_overrides or {}))
    report = WorkerReport(frontier.worker, frontier.run_id)
    refused: list[Failure] = []
    with StopSignals() as stop:
        process = CrawlerProcess(settings)
        crawlers: dict[str, Crawler] = {}
        for config in configs:
            if config.unsupported or config.render:
                # A browser's page methods are code, not JSON: they cannot be shared.
                why = config.unsupported or "a rendered site is crawled by `newsbot crawl` alone"
                logger.error("%s: not crawled on the frontier: %s", config.slug, why)
                continue
            crawler = process.create_crawler(frontier_spider(config, settings, share_site))
            crawlers[config.slug] = crawler
            started = process.crawl(
                crawler, since=run.get("since"), limit=run.get("limit"), refresh=run.get("refresh")
            )
            started.addErrback(_redis_failure, refused)
        if refused:  # the spider reads its history from Redis as it is made
            raise FrontierUnavailable(f"Redis at {redacted(url)}: {refused[0].value}")
        logger.info(
            "worker %s on run %s at %s: %s",
            frontier.worker,
            frontier.run_id,
            redacted(url),
            ", ".join(crawlers) or "no site",
        )
        try:
            frontier.register()
        except redis.RedisError as error:
            raise FrontierUnavailable(f"Redis at {redacted(url)}: {error}") from error
        frontier.start()
        if crawlers:
            stop.crawling(process)
            process.start(install_signal_handlers=False)
            stop.crawling(None)
        frontier.stop()
        report.stopped = bool(stop.received)
    report.lost = frontier.lost
    report.closed = frontier.closed
    # What this worker saw, then what Redis still holds (the writer deletes it as it
    # closes the run, perhaps between this worker's last look and now).
    done = dict(frontier.done_sites)
    with contextlib.suppress(*REDIS_DOWN):
        done.update(
            (_text(key), _text(value))
            for key, value in frontier.redis.hgetall(keys.done(frontier.run_id)).items()
        )
    for slug, crawler in crawlers.items():
        stats = crawl_stats(crawler)
        report.sites[slug] = {
            "pages": stats.get("downloader/response_count", 0),
            "records": stats.get("newsbot/frontier/records_sent", 0),
            "reason": stats.get("finish_reason"),
            "done": done.get(slug),
        }
    print(report.summary(), file=stream)
    return report
