"""Running a crawl of several sites in one process: the run row, progress on a terminal,
per-site results and the health verdict that becomes the exit code cron sees."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Self, TextIO

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.internet import task

from newsbot.crawling.render import browser_problem, peak_memory_mb
from newsbot.crawling.spiderloader import spider_for
from newsbot.run.health import (
    HealthLimits,
    blocked_reason,
    judge_site,
    killed_runs,
    what_was_tried,
)
from newsbot.run.lock import crawl_lock
from newsbot.run.progress import TerminalLine
from newsbot.sites.config import SiteConfig
from pipelines.store import DiskFull, SiteRun, Store, disk_full_as_store_error, is_disk_full
from pipelines.writer import DISK_FULL, site_status

logger = logging.getLogger(__name__)
DEFAULT_LIMITS = HealthLimits()


@dataclass
class CrawlReport:
    run_id: int
    status: str
    sites: list[SiteRun]
    db_path: str

    @property
    def healthy(self) -> bool:
        return all(site.healthy for site in self.sites)


def crawl_settings(db_path: str, run_id: int, overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.crawling.settings", priority="project")
    settings.set("NEWSBOT_DB", db_path, priority="cmdline")
    settings.set("NEWSBOT_RUN_ID", run_id, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl_stats(crawler: Crawler) -> dict[str, Any]:
    """A crawl's stats so far; none for a crawl that never started (its spider could not
    be made): Scrapy sets them only then, and raises before."""
    try:
        stats = crawler.stats
    except RuntimeError:  # "Crawler.stats is not set yet"
        return {}
    return stats.get_stats() if stats else {}


class Progress(TerminalLine):
    """Every site's pages and articles so far, rewritten every second."""

    def __init__(self, crawlers: dict[str, Crawler], stream: TextIO):
        super().__init__(stream)
        self.crawlers = crawlers

    def line(self) -> str:
        parts = []
        for slug, crawler in self.crawlers.items():
            stats = crawl_stats(crawler)
            parts.append(
                f"{slug}: {stats.get('downloader/response_count', 0)} pages, "
                f"+{stats.get('newsbot/articles/new', 0)} new, "
                f"{stats.get('newsbot/articles/updated', 0)} upd, "
                f"{stats.get('item_dropped_count', 0)} dropped"
            )
        return " | ".join(parts)

    def tick(self) -> None:
        self.show(self.line())


def _failure_reason(stats: Mapping[str, Any], run: SiteRun) -> str | None:
    """Why a site gave nothing at all, or None. A site that answers but gives no
    article link is a failure too: a wrong `article_url`, a moved listing, robots.txt
    closing the site must not pass as a quiet "no new articles"."""
    statuses = {
        int(key.rsplit("/", 1)[1]): count
        for key, count in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    blocked = blocked_reason(statuses)
    if blocked:
        return blocked
    if run.requests > 0 and not any(count for code, count in statuses.items() if code < 400):
        exceptions = [
            key.rsplit("/", 1)[-1]
            for key in stats
            if key.startswith("downloader/exception_type_count/")
        ]
        codes = [f"HTTP {code}" for code in statuses if code >= 400]
        return "no page could be fetched: " + (", ".join(exceptions + codes) or "no answer")
    forbidden = stats.get("robotstxt/forbidden", 0)
    documents = stats.get("newsbot/discovery/documents", 0)
    if run.status == "interrupted":
        return None
    if documents == 0 and forbidden:
        return f"robots.txt disallows every configured URL ({forbidden} refused)"
    if run.requests == 0:
        return "nothing to fetch"
    if documents and not stats.get("newsbot/discovery/article_links", 0):
        return (
            f"no article links in {documents} discovery pages (feeds, sitemaps, listings): "
            "check article_url and start_urls"
        )
    return None


def site_run(
    store: Store, run_id: int, slug: str, stats: Mapping[str, Any], stopped: bool = False
) -> SiteRun:
    """What the crawl did for one site: its stats, its status (from the stats: how the
    spider closed, whether --limit cut it) and its field coverage. A spider that never
    closed failed to start, unless a signal (`stopped`) ended the crawl first. The stats
    are one crawler's in a single-process crawl, or every worker's summed by the writer
    of a distributed one (newsbot/frontier/ingest.py): both close a run the same way."""
    status = site_status(stats)
    if stopped and "finish_reason" not in stats:
        status = "interrupted"
    run = SiteRun.from_stats(run_id, slug, status, stats)
    run.reason = _failure_reason(stats, run)
    if run.reason:
        run.status = "failed"
    return run.with_coverage(store.run_coverage(run_id, slug))


def judge(store: Store, run: SiteRun, limits: HealthLimits, tried: str | None = None) -> None:
    """Fill `run.problems` from this run and the site's history, and record the run;
    `tried` is what the crawl asked and was answered (`what_was_tried` of its stats)."""
    earlier = store.site_history(run.site, run.run_id, max(limits.idle_runs, limits.history))
    killed = store.killed_runs_since_last(run.site, run.run_id)
    problems = [p.line() for p in killed_runs(killed, run.site)]
    if run.reason:
        problems.append(f"{run.site}: {run.status}: {run.reason}")
    elif run.status != "unsupported":
        problems += [p.line() for p in judge_site(run, earlier, limits, tried)]
    run.problems = problems
    store.save_site_run(run)


@dataclass
class CaughtSignals:
    """SIGTERM and SIGINT noted (in `received`) instead of killing the process, while
    the context is open; the previous handlers come back when it closes."""

    received: list[int] = field(default_factory=list)
    previous: dict[int, Any] = field(default_factory=dict)

    def __enter__(self) -> Self:
        for number in (signal.SIGTERM, signal.SIGINT):
            self.previous[number] = signal.signal(number, self._received)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def _received(self, number: int, frame: FrameType | None) -> None:
        self.received.append(number)


@dataclass
class StopSignals(CaughtSignals):
    """SIGTERM and SIGINT, from before the run row is opened until the run is recorded.

    The crawl's process is started without Scrapy's and Twisted's handlers: those are
    installed only once the reactor runs and leave with it, and a signal before or
    after (the process starting up, the run being recorded) killed the process with
    its run left "running". This one handler covers it all: a first signal stops the
    crawl gracefully (at once if it comes before the reactor runs; spiders close as
    "shutdown", recorded as interrupted), a second stops the reactor without waiting,
    and one after the crawl marks the run interrupted.
    """

    process: CrawlerProcess | None = None

    def crawling(self, process: CrawlerProcess | None) -> None:
        """The crawl that a signal stops from now on (None: the crawl is over)."""
        self.process = process
        if process is not None and self.received:
            self._stop_crawl(graceful=True)

    def _received(self, number: int, frame: FrameType | None) -> None:
        self.received.append(number)
        if self.process is not None:
            self._stop_crawl(graceful=len(self.received) == 1)

    def _stop_crawl(self, graceful: bool) -> None:
        from twisted.internet import reactor

        # Nothing is logged in a signal handler (the interrupted code may be writing to
        # the same stream): the reactor does it, as soon as it runs.
        reactor.callFromThread(self._stop_in_reactor, self.received[-1], graceful)

    def _stop_in_reactor(self, number: int, graceful: bool) -> None:
        from twisted.internet import reactor as installed

        reactor: Any = installed  # the installed reactor; its module type has no stop()

        def stop_reactor(_: object = None) -> None:
            with contextlib.suppress(RuntimeError):  # stopped already
                reactor.stop()

        name = signal.Signals(number).name
        if not graceful or self.process is None:
            logger.info("Received %s again, stopping without waiting", name)
            stop_reactor()
            return
        logger.info("Received %s, shutting down gracefully. Send again to force", name)
        # A crawl still opening has no engine to stop yet: the reactor goes all the same.
        self.process.stop().addBoth(stop_reactor)


class _CrawlLog(logging.handlers.RotatingFileHandler):
    """The crawl log, which gives up quietly when it cannot be written (a full disk):
    one line on stderr, not a traceback for every record of the run."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failed:
            self.failed = True
            error = sys.exc_info()[1]
            # A full disk is said once, by the crawl (the database shares the disk).
            if error is None or not is_disk_full(error):
                print(
                    f"newsbot: cannot write the crawl log {self.baseFilename} ({error}); "
                    "going on without it",
                    file=sys.stderr,
                )

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)


def rotating_log(log_file: str, settings: Settings) -> logging.Handler:
    """The crawl log: appended run after run, rotated at LOG_ROTATE_BYTES into a few
    numbered files, so a nightly cron job never fills the disk."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handler = _CrawlLog(
        log_file,
        maxBytes=settings.getint("NEWSBOT_LOG_ROTATE_BYTES"),
        backupCount=settings.getint("NEWSBOT_LOG_BACKUPS"),
        encoding="utf-8",
    )
    handler.setFormatter(
        logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    )
    handler.setLevel(settings.get("LOG_LEVEL"))
    return handler


def run_crawl(
    configs: Sequence[SiteConfig],
    db_path: str,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    refresh: bool = False,
    log_file: str | None = None,
    settings_overrides: dict[str, Any] | None = None,
    progress_stream: TextIO = sys.stderr,
    limits: HealthLimits = DEFAULT_LIMITS,
    max_time: float | None = None,
) -> CrawlReport:
    """Crawl the sites into the database; returns per-site results and the verdict.

    `max_time` (seconds) ends every site's crawl when it is reached: the run is recorded
    as interrupted, its cursor kept for the next run. Raises CrawlLocked when another
    crawl holds the database."""
    overrides = dict(settings_overrides or {})
    if max_time:
        # Scrapy's CloseSpider extension: each spider closes with "closespider_timeout".
        overrides["CLOSESPIDER_TIMEOUT"] = max_time
    with StopSignals() as stop, crawl_lock(db_path), disk_full_as_store_error(db_path):
        return _run_crawl(
            configs,
            db_path,
            since=since,
            limit=limit,
            refresh=refresh,
            log_file=log_file,
            settings_overrides=overrides,
            progress_stream=progress_stream,
            limits=limits,
            stop=stop,
        )


def _run_crawl(
    configs: Sequence[SiteConfig],
    db_path: str,
    *,
    since: datetime | None,
    limit: int | None,
    refresh: bool,
    log_file: str | None,
    settings_overrides: dict[str, Any],
    progress_stream: TextIO,
    limits: HealthLimits,
    stop: StopSignals,
) -> CrawlReport:
    store = Store.shared(db_path)
    run_id = store.start_run([c.slug for c in configs], datetime.now(UTC))
    settings = crawl_settings(db_path, run_id, settings_overrides)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    log_handler = rotating_log(log_file, settings) if log_file else None
    root = logging.getLogger()
    root_level = root.level
    if log_handler:
        root.addHandler(log_handler)
        root.setLevel(logging.NOTSET)  # as Scrapy's own root handler does
    try:
        process = CrawlerProcess(settings)
        crawlers: dict[str, Crawler] = {}
        results: list[SiteRun] = []
        for config in configs:
            # A site that needs a browser where there is none is skipped; the others crawl.
            problem = config.unsupported or browser_problem(
                config, settings.get("NEWSBOT_CHROMIUM")
            )
            if problem:
                results.append(SiteRun(run_id, config.slug, status="unsupported", reason=problem))
                continue
            crawler = process.create_crawler(spider_for(config))
            crawlers[config.slug] = crawler
            process.crawl(crawler, since=since, limit=limit, refresh=refresh)

        progress = Progress(crawlers, progress_stream)
        ticker = task.LoopingCall(progress.tick)
        if crawlers:
            ticker.start(1.0, now=False)
            stop.crawling(process)
            # Our handlers stay, not Scrapy's (StopSignals says why).
            process.start(install_signal_handlers=False)
            stop.crawling(None)
            if ticker.running:
                ticker.stop()
        progress.done()
        if any(
            crawl_stats(crawler).get("finish_reason") == DISK_FULL for crawler in crawlers.values()
        ):
            # The run stays "running" in the database; the next crawl, finding its
            # process gone, records it as interrupted.
            raise DiskFull(db_path)

        stopped = bool(stop.received)
        stats = {slug: crawl_stats(crawler) for slug, crawler in crawlers.items()}
        results += [site_run(store, run_id, slug, stats[slug], stopped) for slug in crawlers]
        return close_run(
            store,
            run_id,
            results,
            stats,
            limits,
            db_path=db_path,
            stopped=stopped,
            browser_mb=peak_memory_mb(),
        )
    finally:
        store.release()
        if log_handler:
            root.removeHandler(log_handler)
            root.setLevel(root_level)
            log_handler.close()


def close_run(
    store: Store,
    run_id: int,
    results: list[SiteRun],
    stats: Mapping[str, Mapping[str, Any]],
    limits: HealthLimits,
    *,
    db_path: str,
    stopped: bool = False,
    browser_mb: float | None = None,
    note: str | None = None,
) -> CrawlReport:
    """Judge every site's run, record the run's row and say what it gave: the end of a
    crawl, in one process or (newsbot/frontier/ingest.py) on the writer of many workers.
    `stats` are each site's crawl stats; `stopped`: a signal or a lost frontier ended it; `note`: why, for the run's row."""
    tried = {slug: what_was_tried(site_stats) for slug, site_stats in stats.items()}
    for result in results:
        judge(store, result, limits, tried.get(result.site))
    statuses = {r.status for r in results}
    if "interrupted" in statuses or stopped:
        status = "interrupted"
    elif results and all(r.status in ("failed", "unsupported") for r in results):
        status = "failed"
    else:
        status = "finished"
    report = CrawlReport(run_id, status, results, db_path)
    timed_out = [
        slug
        for slug, site_stats in stats.items()
        if site_stats.get("finish_reason") == "closespider_timeout"
    ]
    if timed_out and not note:
        note = f"stopped at the maximum run time: {', '.join(timed_out)}"
    store.finish_run(run_id, status, results, datetime.now(UTC), note=note, browser_mb=browser_mb)
    for line in (line for r in results for line in r.problems):
        logger.warning("health: %s", line)
    logger.info("run %s summary:\n%s", run_id, format_summary(report))
    return report


def format_summary(report: CrawlReport) -> str:
    header = f"{'site':<22}{'status':<13}{'pages':>7}{'new':>6}{'upd':>6}{'same':>6}{'drop':>6}{'err':>6}"
    lines = [f"run {report.run_id}: {report.status} ({report.db_path})", header, "-" * len(header)]
    for site in report.sites:
        lines.append(
            f"{site.site:<22}{site.status:<13}{site.responses:>7}{site.new:>6}{site.updated:>6}"
            f"{site.unchanged:>6}{site.dropped:>6}{site.errors:>6}"
        )
    totals = {
        key: sum(getattr(s, key) for s in report.sites)
        for key in ("responses", "new", "updated", "unchanged", "dropped", "errors")
    }
    lines.append("-" * len(header))
    lines.append(
        f"{'total':<35}{totals['responses']:>7}{totals['new']:>6}"
        f"{totals['updated']:>6}{totals['unchanged']:>6}{totals['dropped']:>6}{totals['errors']:>6}"
    )
    return "\n".join(lines)
