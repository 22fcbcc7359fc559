"""`newsbot ingest`: the one writer of a distributed crawl. It opens a run on a shared
Redis frontier, writes what the workers (`newsbot crawl --frontier`) send into the
database, and closes the run as `newsbot crawl` does: the same summary, health lines
and exit code (1 when a site fails its checks)."""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.common import (
    UsageError,
    add_run_options,
    log_file,
    log_to_file,
    parse_since,
    spoken,
    whole,
)
from newsbot.cli.crawl import selected_sites
from pipelines.store import DiskFull, StoreError

NAME = "ingest"
HELP = "open a distributed crawl on a Redis frontier and write what its workers fetch"


def redis_url(text: str) -> str:
    """An argparse type: a redis:// (or rediss://, unix://) URL."""
    if not text.startswith(("redis://", "rediss://", "unix://")):
        from newsbot.frontier.publish import shown

        # Without its scheme, the text may still carry a password: never shown.
        raise argparse.ArgumentTypeError(
            f"{shown(text)!r} is not a Redis URL (redis://[user:password@]host:port/db)"
        )
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="frontier",
        required=True,
        type=redis_url,
        metavar="URL",
        help="the frontier: redis://[user:password@]host:port/db",
    )
    add_run_options(parser, "run")
    parser.add_argument(
        "--batch",
        type=whole(1, 10_000),
        default=200,
        metavar="N",
        help="records written per transaction (default 200)",
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.frontier.ingest import FrontierError, run_ingest
    from newsbot.run.health import HealthLimits
    from newsbot.run.lock import CrawlLocked
    from newsbot.run.runner import format_summary

    configs = selected_sites(args)
    limits = HealthLimits(idle_runs=args.idle_runs, max_error_rate=args.max_error_rate)
    try:
        ingested = run_ingest(
            args.frontier,
            configs,
            args.db,
            since=parse_since(args.since),
            limit=args.limit,
            refresh=args.refresh,
            limits=limits,
            max_time=args.max_time or None,
            log_file=log_file(args.db),
            batch=args.batch,
        )
    except FrontierError as error:
        raise UsageError(str(error)) from error
    except DiskFull as error:
        raise UsageError(str(error)) from error
    except StoreError as error:
        raise UsageError(f"database: {error}") from error
    except CrawlLocked as locked:
        if args.cron:  # the previous scheduled run is still going: normal, not news
            log_to_file(args.db, f"skipped: {locked}")
            return 0
        held = f" (held for {spoken(locked.held_for)})" if locked.held_for else ""
        raise UsageError(f"{locked}{held}") from locked
    report = ingested.report
    if ingested.lost:
        print(f"newsbot: run {report.run_id} interrupted: {ingested.lost}", file=sys.stderr)
    if not args.cron:
        print(format_summary(report))
    for site in report.sites:
        for problem in site.problems:
            print(f"newsbot: {problem}", file=sys.stderr)
    return 0 if report.healthy else 1
