"""`newsbot stats`: per site its articles, field coverage and last success; articles per
publication day."""

from __future__ import annotations

import argparse

from newsbot.cli.common import MAX_DAYS, add_db_option, whole
from pipelines.store import Store

NAME = "stats"
HELP = "per site: articles, coverage, last success"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument(
        "--days", type=whole(1, MAX_DAYS), default=14, help="days of the per-day table"
    )


def run(args: argparse.Namespace) -> int:
    with Store.open_existing(args.db) as store:
        summaries = store.site_summaries()
        span, counts = store.articles_per_day(args.days)
        pages, failed = store.page_counts()
    print(
        f"{'site':<22}{'articles':>9}{'title':>7}{'body':>7}{'date':>7}{'imprints':>9}"
        f"{'regs':>6}  {'last success (UTC)':<22}last run"
    )
    for s in summaries:
        cover = "".join(f"{s.coverage.get(k, 0):>7.0%}" for k in ("title", "body", "published_at"))
        last = "-" if s.last_run is None else f"{s.last_run} {s.last_status}"
        if s.last_problems:
            last += ": " + "; ".join(p.split(": ", 1)[-1] for p in s.last_problems)
        print(
            f"{s.site:<22}{s.articles:>9}{cover}{s.publishers:>9}{s.registrations:>6}  "
            f"{s.last_success or '-':<22}{last}"
        )
    if span:
        print(f"\narticles per publication day (site's own calendar), {span[0]} to {span[-1]}")
        print(f"{'site':<22}" + "".join(f"{d:%d.%m}".rjust(6) for d in span))
        for site, series in counts.items():
            print(f"{site:<22}" + "".join(f"{n or '.':>6}" for n in series))
    print(f"\npages fetched: {pages} ({failed} failed)")
    return 0
