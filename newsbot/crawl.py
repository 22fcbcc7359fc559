"""Running a crawl of several sites in one process: the run row, progress on a terminal,
per-site results and the health verdict that becomes the exit code cron sees."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.internet import task

from newsbot.health import HealthLimits, SiteRun, judge_site, killed_runs_since_last, site_history
from newsbot.lock import crawl_lock
from newsbot.siteconfig import SiteConfig
from newsbot.spiderloader import spider_for
from pipelines.store import Store

logger = logging.getLogger(__name__)
DEFAULT_LIMITS = HealthLimits()


@dataclass
class SiteResult:
    slug: str
    status: str = "finished"  # finished | limited | interrupted | failed | unsupported
    requests: int = 0
    responses: int = 0
    ok_responses: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: int = 0
    errors: int = 0
    reason: str | None = None  # why the site could not be crawled at all
    coverage: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the health checks' verdict

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass
class CrawlReport:
    run_id: int
    status: str
    sites: list[SiteResult]
    db_path: str

    @property
    def healthy(self) -> bool:
        return all(site.healthy for site in self.sites)

    def totals(self) -> dict[str, Any]:
        keys = ("requests", "new", "updated", "unchanged", "dropped", "errors")
        totals: dict[str, Any] = {key: sum(getattr(s, key) for s in self.sites) for key in keys}
        totals["sites"] = {
            s.slug: {"status": s.status, "reason": s.reason, **{k: getattr(s, k) for k in keys}}
            for s in self.sites
        }
        return totals


def crawl_settings(db_path: str, run_id: int, overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("newsbot.settings", priority="project")
    settings.set("NEWSBOT_DB", db_path, priority="cmdline")
    settings.set("NEWSBOT_RUN_ID", run_id, priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


class Progress:
    """One line on a terminal, rewritten every second; nothing at all under cron."""

    def __init__(self, crawlers: dict[str, Crawler], stream: TextIO):
        self.crawlers = crawlers
        self.stream = stream
        self.enabled = stream.isatty()

    def line(self) -> str:
        parts = []
        for slug, crawler in self.crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            parts.append(
                f"{slug}: {stats.get('downloader/response_count', 0)} pages, "
                f"+{stats.get('newsbot/articles/new', 0)} new, "
                f"{stats.get('newsbot/articles/updated', 0)} upd, "
                f"{stats.get('item_dropped_count', 0)} dropped"
            )
        return " | ".join(parts)

    def show(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K" + self.line()[:200])
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _result(slug: str, crawler: Crawler, store: Store) -> SiteResult:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    result = SiteResult(slug=slug)
    result.requests = stats.get("downloader/request_count", 0)
    result.responses = stats.get("downloader/response_count", 0)
    statuses = Counter(
        {
            int(k.rsplit("/", 1)[1]): v
            for k, v in stats.items()
            if k.startswith("downloader/response_status_count/")
        }
    )
    result.ok_responses = sum(v for code, v in statuses.items() if code < 400)
    result.new = stats.get("newsbot/articles/new", 0)
    result.updated = stats.get("newsbot/articles/updated", 0)
    result.unchanged = stats.get("newsbot/articles/unchanged", 0)
    result.dropped = stats.get("item_dropped_count", 0)
    result.errors = stats.get("newsbot/errors", 0)
    state = store.site_state(slug)
    result.status = state["last_status"] if state else "failed"
    if result.ok_responses == 0 and result.requests > 0:
        result.status = "failed"
        exceptions = [
            k.rsplit("/", 1)[-1] for k in stats if k.startswith("downloader/exception_type_count/")
        ]
        codes = [f"HTTP {code}" for code in statuses if code >= 400]
        result.reason = "no page could be fetched: " + (
            ", ".join(exceptions + codes) or "no answer"
        )
    elif result.requests == 0 and result.status != "interrupted":
        result.status = "failed"
        result.reason = "nothing to fetch (robots.txt disallows every start URL?)"
    return result


def _coverage(store: Store, run_id: int, slug: str) -> dict[str, float]:
    row = store.db.execute(
        "SELECT count(*), count(title), count(body), count(published_at) FROM articles "
        "WHERE run_id = ? AND site = ?",
        [run_id, slug],
    ).fetchone()
    total = row[0]
    if not total:
        return {}
    return {
        "articles": total,
        "title": row[1] / total,
        "body": row[2] / total,
        "date": row[3] / total,
    }


def _site_run(run_id: int, result: SiteResult) -> SiteRun:
    return SiteRun(
        run_id=run_id,
        site=result.slug,
        status=result.status,
        requests=result.requests,
        errors=result.errors,
        new=result.new,
        articles=int(result.coverage.get("articles", 0)),
        title_coverage=result.coverage.get("title"),
        body_coverage=result.coverage.get("body"),
        date_coverage=result.coverage.get("date"),
    )


def judge(store: Store, run_id: int, result: SiteResult, limits: HealthLimits) -> None:
    """Fill `result.problems` from this run and the site's history, and record the run."""
    current = _site_run(run_id, result)
    earlier = site_history(store.db, result.slug, run_id, max(limits.idle_runs, limits.history))
    problems = [p.line() for p in killed_runs_since_last(store.db, result.slug, run_id)]
    if result.reason:
        problems.append(f"{result.slug}: {result.status}: {result.reason}")
    elif result.status != "unsupported":
        problems += [p.line() for p in judge_site(current, earlier, limits)]
    result.problems = problems
    store.save_site_run(current, responses=result.responses, dropped=result.dropped,
                        updated=result.updated, unchanged=result.unchanged,
                        problems=problems)  # fmt: skip


def _rotating_log(log_file: str, settings: Settings) -> logging.Handler:
    """The crawl log: appended run after run, rotated at LOG_ROTATE_BYTES into a few
    numbered files, so a nightly cron job never fills the disk."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
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
) -> CrawlReport:
    """Crawl the sites into the database; returns per-site results and the verdict.

    Raises CrawlLocked when another crawl holds the database."""
    with crawl_lock(db_path):
        return _run_crawl(configs, db_path, since=since, limit=limit, refresh=refresh,
                          log_file=log_file, settings_overrides=settings_overrides or {},
                          progress_stream=progress_stream, limits=limits)  # fmt: skip


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
) -> CrawlReport:
    store = Store.open(db_path)
    run_id = store.start_run([c.slug for c in configs], datetime.now(UTC))
    settings = crawl_settings(db_path, run_id, settings_overrides)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    log_handler = _rotating_log(log_file, settings) if log_file else None
    root = logging.getLogger()
    root_level = root.level
    if log_handler:
        root.addHandler(log_handler)
        root.setLevel(logging.NOTSET)  # as Scrapy's own root handler does
    try:
        process = CrawlerProcess(settings)
        crawlers: dict[str, Crawler] = {}
        results: list[SiteResult] = []
        for config in configs:
            if config.unsupported:
                results.append(
                    SiteResult(config.slug, status="unsupported", reason=config.unsupported)
                )
                continue
            crawler = process.create_crawler(spider_for(config))
            crawlers[config.slug] = crawler
            process.crawl(crawler, since=since, limit=limit, refresh=refresh)

        progress = Progress(crawlers, progress_stream)
        ticker = task.LoopingCall(progress.show)
        if crawlers:
            ticker.start(1.0, now=False)
            process.start()
            if ticker.running:
                ticker.stop()
        progress.done()

        for slug, crawler in crawlers.items():
            result = _result(slug, crawler, store)
            result.coverage = _coverage(store, run_id, slug)
            results.append(result)
        for result in results:
            judge(store, run_id, result, limits)
        statuses = {r.status for r in results}
        if "interrupted" in statuses:
            status = "interrupted"
        elif results and all(r.status in ("failed", "unsupported") for r in results):
            status = "failed"
        else:
            status = "finished"
        report = CrawlReport(run_id, status, results, db_path)
        totals = report.totals()
        totals["health"] = [line for r in results for line in r.problems]
        store.finish_run(run_id, status, totals, datetime.now(UTC))
        for line in totals["health"]:
            logger.warning("health: %s", line)
        logger.info("run %s summary:\n%s", run_id, format_summary(report))
        return report
    finally:
        store.close()
        if log_handler:
            root.removeHandler(log_handler)
            root.setLevel(root_level)
            log_handler.close()


def format_summary(report: CrawlReport) -> str:
    header = f"{'site':<22}{'status':<13}{'pages':>7}{'new':>6}{'upd':>6}{'same':>6}{'drop':>6}{'err':>6}"
    lines = [f"run {report.run_id}: {report.status} ({report.db_path})", header, "-" * len(header)]
    for site in report.sites:
        lines.append(
            f"{site.slug:<22}{site.status:<13}{site.responses:>7}{site.new:>6}{site.updated:>6}"
            f"{site.unchanged:>6}{site.dropped:>6}{site.errors:>6}"
        )
    totals = report.totals()
    lines.append("-" * len(header))
    lines.append(
        f"{'total':<35}{sum(s.responses for s in report.sites):>7}{totals['new']:>6}"
        f"{totals['updated']:>6}{totals['unchanged']:>6}{totals['dropped']:>6}{totals['errors']:>6}"
    )
    return "\n".join(lines)
