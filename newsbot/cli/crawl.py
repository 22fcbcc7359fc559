"""`newsbot crawl`: sites into the database, judged by their health checks (exit 1 when
one fails), then optionally exported."""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.common import (
    MAX_WORKERS,
    UsageError,
    add_run_options,
    check_output_path,
    duration,
    export_all,
    log_file,
    log_to_file,
    parse_since,
    require_site,
    spoken,
    whole,
)
from newsbot.sites.config import SiteConfig, bundled_configs
from pipelines.export import ExportRequest
from pipelines.store import DiskFull, StoreError

NAME = "crawl"
HELP = "crawl sites into the database"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser, "crawl")
    parser.add_argument(
        "--workers",
        type=whole(0, MAX_WORKERS),
        metavar="N",
        help="extraction processes besides the crawl process, which extracts too when "
        "they are busy (0: the crawl process only; default 1)",
    )
    parser.add_argument(
        "--export",
        metavar="FILE",
        help="after the crawl, export all articles (.jsonl: JSON lines; otherwise CSV)",
    )
    parser.add_argument("--excel", action="store_true", help="the --export CSV for Excel")
    parser.add_argument(
        "--frontier",
        metavar="URL",
        help="crawl as a worker on the shared frontier at redis://HOST:PORT/DB: the run "
        "`newsbot ingest` opened there, its sites (or the SLUGs named), no database",
    )
    parser.add_argument(
        "--share-site",
        action="store_true",
        help="with --frontier: crawl a site beside other workers (one request per "
        "download_delay across them) instead of one worker per site",
    )
    parser.add_argument(
        "--wait",
        type=duration,
        default=600.0,
        metavar="DURATION",
        help="with --frontier: how long to wait for a run to open (default 10m)",
    )


def selected_sites(args: argparse.Namespace) -> list[SiteConfig]:
    from newsbot.sites.config import load_config

    configs = bundled_configs()
    chosen = [configs[require_site(slug)] for slug in args.slugs]
    chosen += [load_config(path) for path in args.site_file or []]
    if args.all or not chosen:
        chosen += [c for c in configs.values() if c.enabled and c not in chosen]
    return chosen


def _export_request(args: argparse.Namespace, output: str) -> ExportRequest:
    fmt = "jsonl" if output.endswith(".jsonl") else "csv"
    return ExportRequest(format=fmt, excel=args.excel and fmt == "csv")


def _run_worker(args: argparse.Namespace) -> int:
    from newsbot.frontier.worker import FrontierUnavailable, NoRun, run_worker

    # The run (its sites, --since, --limit, --refresh) is the writer's; so is the database.
    given = [
        option
        for option, value in (
            ("--site-file", args.site_file),
            ("--all", args.all),
            ("--since", args.since),
            ("--limit", args.limit),
            ("--refresh", args.refresh),
            ("--export", args.export),
        )
        if value
    ]
    if given:
        raise UsageError(
            f"{', '.join(given)}: the run's, given to `newsbot ingest`, not to a --frontier worker"
        )
    try:
        report = run_worker(
            args.frontier,
            args.slugs,
            share_site=args.share_site,
            wait=args.wait,
            settings_overrides={"NEWSBOT_WORKERS": args.workers}
            if args.workers is not None
            else None,
        )
    except (NoRun, FrontierUnavailable) as error:
        raise UsageError(str(error)) from error
    return report.exit_code


def run(args: argparse.Namespace) -> int:
    if args.frontier:
        return _run_worker(args)
    if args.share_site:
        raise UsageError("--share-site is for a --frontier worker")
    from newsbot.run.health import HealthLimits
    from newsbot.run.lock import CrawlLocked
    from newsbot.run.runner import format_summary, run_crawl

    configs = selected_sites(args)
    if args.export:
        check_output_path(args.export)
    limits = HealthLimits(idle_runs=args.idle_runs, max_error_rate=args.max_error_rate)
    try:
        report = run_crawl(
            configs,
            args.db,
            since=parse_since(args.since),
            limit=args.limit,
            refresh=args.refresh,
            log_file=log_file(args.db),
            settings_overrides={"NEWSBOT_WORKERS": args.workers}
            if args.workers is not None
            else None,
            limits=limits,
            max_time=args.max_time or None,
        )
    except DiskFull as error:
        raise UsageError(str(error)) from error
    except StoreError as error:
        raise UsageError(f"database: {error}") from error
    except CrawlLocked as locked:
        stuck = args.max_time and locked.held_for and locked.held_for > args.max_time + 60
        if stuck:
            # A crawl past its own maximum run time is stuck (or from an older newsbot
            # without one): cron must hear of it, or every run after it stays silent.
            print(
                f"newsbot: {locked}; it has run for {spoken(locked.held_for or 0)}, longer "
                f"than --max-time {spoken(args.max_time)}: is it stuck?",
                file=sys.stderr,
            )
            return 1
        if args.cron:  # the previous scheduled run is still going: normal, not news
            log_to_file(args.db, f"skipped: {locked}")
            return 0
        raise UsageError(str(locked)) from locked
    if not args.cron:
        print(format_summary(report))
    for site in report.sites:
        for problem in site.problems:
            print(f"newsbot: {problem}", file=sys.stderr)
    if args.export:
        count = export_all(args.db, _export_request(args, args.export), args.export)
        if not args.cron:
            print(f"{count} articles exported to {args.export}")
    return 0 if report.healthy else 1
