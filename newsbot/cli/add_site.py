"""`newsbot add-site`: site configs written from a home page (newsbot/sitetools/addsite.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsbot.cli.common import UsageError, duration, http_url, slug, whole

NAME = "add-site"
HELP = "write site configs from a home page"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", type=http_url, help="the site's home page")
    parser.add_argument("-o", "--output", default=".", metavar="DIR", help="where to write")
    parser.add_argument("--slug", type=slug, help="slug (an edition suffix is added)")
    parser.add_argument("--max-requests", type=whole(5, 1000), default=60)
    parser.add_argument(
        "--max-time",
        type=duration,
        default=300.0,
        metavar="DURATION",
        help="give up after this long (default 5m; 0: no limit)",
    )
    parser.add_argument("--force", action="store_true", help="replace configs of the same name")


def run(args: argparse.Namespace) -> int:
    from newsbot.sitetools.addsite import ProbeError, add_site

    try:
        written = add_site(
            args.url,
            Path(args.output),
            args.slug,
            args.max_requests,
            max_time=args.max_time or float("inf"),
            force=args.force,
        )
    except ProbeError as error:
        raise UsageError(str(error)) from None
    return 0 if written else 1
