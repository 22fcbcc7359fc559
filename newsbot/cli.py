"""The `newsbot` command: a thin layer over the library (DESIGN.md, CLI contract).

Exit codes: 0 success, 1 a crawl ran but failed its health checks, 2 bad usage or
input, with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from newsbot.siteconfig import ConfigError, SiteConfig, bundled_configs


class UsageError(Exception):
    """Bad usage or input: printed as one line, exit code 2."""


def _site_for(slug: str | None, url: str | None) -> SiteConfig | None:
    configs = bundled_configs()
    if slug:
        if slug not in configs:
            raise UsageError(f"unknown site {slug!r} (see `newsbot sites`)")
        return configs[slug]
    if url:
        from urllib.parse import urlsplit

        host = (urlsplit(url).hostname or "").removeprefix("www.")
        for config in configs.values():
            if host in config.domains and config.article_url.search(url):
                return config
    return None


def command_extract(args: argparse.Namespace) -> int:
    from pipelines.chain import RawPage, process_page

    if args.page == "-":
        body = sys.stdin.buffer.read()
    else:
        path = Path(args.page)
        if not path.is_file():
            raise UsageError(f"{args.page}: no such file")
        body = path.read_bytes()
    url = args.url or (Path(args.page).resolve().as_uri() if args.page != "-" else "stdin:")
    site = _site_for(args.site, args.url)
    page = RawPage(url=url, body=body, fetched_at=datetime.now(UTC), site=args.site)
    record = process_page(page, site)
    json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Scrape news from Kazakhstan's government and press sites into SQLite.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="print the article record of one saved page")
    extract.add_argument("page", help="HTML file, or - for standard input")
    extract.add_argument("--url", help="the URL the page was fetched from")
    extract.add_argument("--site", help="site slug whose config applies")
    extract.set_defaults(handler=command_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (UsageError, ConfigError) as error:
        print(f"newsbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: nothing left to say, and no traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
