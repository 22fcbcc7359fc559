"""`newsbot demo`: crawl the bundled offline demo site on 127.0.0.1, then its CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbot.cli.common import UsageError, add_db_option, export_all, log_file, whole
from pipelines.export import ExportRequest
from pipelines.store import ArticleFilter, Store

NAME = "demo"
HELP = "crawl the bundled offline demo site"
DEMO_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser, default="data/demo.db")
    parser.add_argument("--csv", default="data/demo.csv")
    parser.add_argument(
        "--port",
        type=whole(1, 65535),
        default=DEMO_PORT,
        help="port on 127.0.0.1 for the demo site",
    )


def run(args: argparse.Namespace) -> int:
    from newsbot.demo.server import LocalSite
    from newsbot.demo.site import demo_config, demo_pages
    from newsbot.run.runner import format_summary, run_crawl

    try:
        server = LocalSite(demo_pages(args.port), port=args.port).start()
    except OSError as error:
        raise UsageError(
            f"port {args.port} on 127.0.0.1 is taken ({error.strerror}); pass --port"
        ) from error
    try:
        config = demo_config(server.port)
        report = run_crawl([config], args.db, log_file=log_file(args.db))
    finally:
        server.stop()
    print(format_summary(report))
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    request = ExportRequest(selection=ArticleFilter(site=config.slug))
    rows = export_all(args.db, request, args.csv)
    with Store.open_existing(args.db) as store:
        publishers, registrations = store.imprint_counts(config.slug)
    print(
        f"{rows} articles in {args.db}, {publishers} publisher imprints, "
        f"{len(registrations)} registrations"
    )
    print(f"CSV: {args.csv}")
    return 0 if report.healthy else 1
