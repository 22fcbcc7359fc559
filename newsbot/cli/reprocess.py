"""`newsbot reprocess`: extract the stored pages again, no fetching, on every core
(newsbot/run/reprocess.py)."""

from __future__ import annotations

import argparse
import sys

from newsbot.cli.common import (
    MAX_WORKERS,
    UsageError,
    add_db_option,
    require_site,
    require_writable,
    whole,
)
from newsbot.run.progress import Counter
from newsbot.sites.config import bundled_configs
from pipelines.store import Store

NAME = "reprocess"
HELP = "extract stored pages again (no fetching), on every core"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--site", metavar="SLUG")
    parser.add_argument(
        "--site-file",
        action="append",
        metavar="FILE.toml",
        help="config of a site not bundled (its selectors)",
    )
    parser.add_argument(
        "--workers", type=whole(1, MAX_WORKERS), metavar="N", help="processes (default: cores)"
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.run.lock import CrawlLocked, crawl_lock
    from newsbot.run.reprocess import ReprocessReport, reprocess
    from newsbot.sites.config import load_config

    configs = dict(bundled_configs())
    for path in args.site_file or []:
        config = load_config(path)
        configs[config.slug] = config
    Store.open_existing(args.db).close()  # a missing or empty file: a clear error
    require_writable(args.db, "reprocess")
    store = Store.open(args.db)
    if args.site:
        require_site(args.site, set(configs) | store.known_sites())

    stored = store.sites_with_pages("article")
    for slug in sorted(stored - set(configs)):
        if not args.site or args.site == slug:
            print(
                f"newsbot: no config for site {slug} (pass --site-file): read with defaults",
                file=sys.stderr,
            )

    progress = Counter("pages", every=50)

    def on_page(report: ReprocessReport) -> None:
        progress(report.pages, f", {report.changed} changed")

    try:
        with crawl_lock(args.db):
            result = reprocess(
                store, configs, site=args.site, workers=args.workers, on_page=on_page
            )
    except CrawlLocked as locked:
        raise UsageError(f"{locked}; reprocess after it ends") from locked
    finally:
        progress.done()
        store.close()
    print(
        f"{result.pages} pages reprocessed: {result.changed} articles changed, "
        f"{result.unchanged} unchanged, {result.failed} failed"
    )
    if result.first_failure:
        print(f"newsbot: first failure: {result.first_failure}", file=sys.stderr)
    return 0 if not result.failed else 1
